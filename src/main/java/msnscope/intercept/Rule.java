package msnscope.intercept;

import msnscope.dissect.Dissection;
import msnscope.search.FrameFilter;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One rule of a rules file: a query ({@code match:}), one action, and whether it ends the list.
 *
 * @param number   its place in the file, from 1
 * @param name     its {@code name:}, or null
 * @param filter   its {@code match:}
 * @param interest what its match can select, known from command and direction alone
 * @param action   what it does
 * @param stop     {@code stop: true}: no later rule sees a frame this one matched
 * @param text     the rule as written, normalised (formatting and comments aside): the same text keeps its counts across a reload
 * @param by       who the record says changed a frame: its name, else {@code rule N (FILE)}
 * @param tally    how often it applied
 */
record Rule(int number, String name, FrameFilter filter, Interest interest, RuleAction action, boolean stop, String text,
            String by, Tally tally) {

    /** How often a rule applied and was skipped; shared by the same rule across reloads. */
    static final class Tally {
        final AtomicLong applied = new AtomicLong();
        final AtomicLong skipped = new AtomicLong();
        /** The first skip is told (one line); the others only counted, so a busy frame type cannot flood the log. */
        final AtomicBoolean warned = new AtomicBoolean();
        volatile String lastSkip;
    }

    boolean matches(Dissection d) {
        return interest.covers(d.command(), d.direction()) && filter.matches(d, d.account());
    }

    /** How the rule reads in the exit summary: {@code rule 2 (cmd:QNG AND dir:S2C -> drop)}. */
    String label() {
        return "rule " + number + (name == null ? "" : " '" + name + "'") + " (" + filter.text() + " -> " + action.describe() + ")";
    }

    /** The summary line, or null when the rule never matched a frame. */
    String summaryLine(String suffix) {
        long n = tally.applied.get();
        long s = tally.skipped.get();
        if (n == 0 && s == 0) {
            return null;
        }
        return label() + suffix + ": " + n + (n == 1 ? " frame" : " frames")
                + (s == 0 ? "" : ", " + s + " skipped (" + tally.lastSkip + ")");
    }
}
