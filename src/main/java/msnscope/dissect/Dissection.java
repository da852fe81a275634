package msnscope.dissect;

import msnscope.dissect.spec.FormSpec;
import msnscope.wire.Direction;
import msnscope.wire.Frame;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

/**
 * One frame with everything the dissector says about it: the record behind every output format (the
 * JSON Lines contract, the text view, transcripts, the index). Immutable but for warnings that only the
 * end of the connection can give (an unanswered request), which the stream adds once at close.
 *
 * <p>What only readers of a frame use — the summary sentence and the decoded payload (its field and its
 * {@code payload-malformed} warnings) — is worked out on the first call of {@link #summary()},
 * {@link #fields()} or {@link #warnings()}, from any thread, and gives the same result it would have given
 * at dissection time: it depends on nothing the connection changes later. A relay that only frames,
 * pairs and records never pays for it.
 */
public final class Dissection {

    /**
     * The lazily made part of a dissection: returns the summary, and completes {@code fields} (in place, where
     * the dissector left {@link #PENDING}) and {@code warnings}.
     */
    interface Deferred {
        String complete(Map<String, Object> fields, List<Warning> warnings);
    }

    /** Stands for a field value that {@link Deferred#complete} fills in, so the field keeps its place in order. */
    static final Object PENDING = new Object();

    private String session;
    private String stream;
    /** The bytes the other side received instead, when the proxy changed the frame (a rewritten referral, an edit; empty: dropped); else null. */
    private byte[] forwarded;
    private msnscope.wire.Edit edit;
    private final int seq;
    private final Long timeMicros;
    private final Direction direction;
    private FormSpec.Role role;
    private final Integer version;
    private final String account;
    private final Frame frame;
    private final String command;
    private final Long trid;
    private final List<String> params;
    private String summary;
    /** Non-null until the lazy part is made; volatile so a reader that sees it null sees what was made. */
    private volatile Deferred deferred;
    private final Map<String, Object> ownFields;
    private final Map<String, Object> fields;
    private final Integer replyTo;
    private final FormSpec form;
    private final List<Warning> warnings;

    Dissection(String session, String stream, int seq, Long timeMicros, Direction direction, FormSpec.Role role,
               Integer version, String account, Frame frame, String command, Long trid, List<String> params, String summary,
               Map<String, Object> fields, Integer replyTo, FormSpec form, List<Warning> warnings) {
        this.session = session;
        this.stream = stream;
        this.seq = seq;
        this.timeMicros = timeMicros;
        this.direction = direction;
        this.role = role;
        this.version = version;
        this.account = account;
        this.frame = frame;
        this.command = command;
        this.trid = trid;
        this.params = params instanceof StreamDissector.Params ? params : List.copyOf(params);
        this.summary = summary;
        this.ownFields = fields;
        this.fields = Collections.unmodifiableMap(fields);
        this.replyTo = replyTo;
        this.form = form;
        // A fresh ArrayList is the caller's own per-frame list, handed over; anything else is copied.
        this.warnings = warnings.getClass() == ArrayList.class ? (ArrayList<Warning>) warnings : new ArrayList<>(warnings);
    }

    /**
     * A dissection read back from where it was kept (the index stores each frame's dissection compactly and
     * rebuilds the JSON Lines object from it): everything the output formats use, without the matched form.
     */
    public static Dissection restored(String session, String stream, int seq, Long timeMicros, Direction direction, FormSpec.Role role,
                                      Integer version, String account, Frame frame, String command, Long trid, List<String> params,
                                      String summary, Map<String, Object> fields, Integer replyTo, List<Warning> warnings) {
        return new Dissection(session, stream, seq, timeMicros, direction, role, version, account, frame, command, trid, params, summary,
                fields, replyTo, null, new ArrayList<>(warnings));
    }

    /**
     * The ids the frame is kept under, where they differ from the dissector's: the proxy's analysis lane
     * gives the recorder's session and connection ids before any reader sees the dissection.
     */
    public Dissection placedAt(String session, String stream) {
        if (session != null) {
            this.session = session;
        }
        if (stream != null) {
            this.stream = stream;
        }
        return this;
    }

    /**
     * Records what the proxy forwarded in place of this frame (null or the same bytes: unchanged; empty: dropped,
     * the other side received nothing). Set by
     * whoever knows it (the analysis lane, a stored session's loader) before any reader sees the dissection.
     */
    public Dissection forwardedAs(byte[] bytes) {
        this.forwarded = bytes == null || frame.size() == bytes.length && java.util.Arrays.equals(frame.copyBytes(), bytes) ? null : bytes;
        return this;
    }

    /**
     * Records how a rule or the hook changed this frame, or that msnscope made it (null: neither). Set, like
     * {@link #forwardedAs}, before any reader sees the dissection.
     */
    public Dissection editedAs(msnscope.wire.Edit edit) {
        this.edit = edit;
        return this;
    }

    /** How a rule or the hook changed this frame, or that msnscope made it; null when neither did. */
    public msnscope.wire.Edit edit() {
        return edit;
    }

    /** The frame's bytes as the other side received them, when the proxy changed them; else null. */
    public byte[] forwarded() {
        return forwarded == null ? null : forwarded.clone();
    }

    /**
     * The command line as the other side received it (without its terminator), when the proxy changed the
     * frame: e.g. a referral's address rewritten to the proxy's own. Null when forwarded unchanged.
     */
    public String rewritten() {
        if (forwarded == null) {
            return null;
        }
        int lf = 0;
        while (lf < forwarded.length && forwarded[lf] != '\n') {
            lf++;
        }
        int end = lf > 0 && lf < forwarded.length && forwarded[lf - 1] == '\r' ? lf - 1 : lf;
        return new String(forwarded, 0, end, java.nio.charset.StandardCharsets.UTF_8);
    }

    public String session() {
        return session;
    }

    public String stream() {
        return stream;
    }

    /** 0-based position of the frame in its connection, both directions counted. */
    public int seq() {
        return seq;
    }

    /** Epoch microseconds, or null when the source has no times (a transcript). */
    public Long timeMicros() {
        return timeMicros;
    }

    public Direction direction() {
        return direction;
    }

    public FormSpec.Role role() {
        return role;
    }

    /** Negotiated MSNP version number, or null when unknown. */
    public Integer version() {
        return version;
    }

    /** The account logged in on the connection when this frame passed, or null. */
    public String account() {
        return account;
    }

    public Frame frame() {
        return frame;
    }

    /** Command or error code, or null when the line is not a command. */
    public String command() {
        return command;
    }

    public Long trid() {
        return trid;
    }

    public List<String> params() {
        return params;
    }

    public String summary() {
        complete();
        return summary;
    }

    /** Decoded parameters and payload, by name; values are strings, numbers, booleans, lists or maps. */
    public Map<String, Object> fields() {
        complete();
        return fields;
    }

    /** Seq of the request this frame answers, or null. */
    public Integer replyTo() {
        return replyTo;
    }

    /** The declared form the line matched, or null (garbage, unknown command). */
    public FormSpec form() {
        return form;
    }

    public List<Warning> warnings() {
        complete();
        return Collections.unmodifiableList(warnings);
    }

    /** A dissection whose summary and payload are made on first read, by {@code deferred}. */
    static Dissection deferred(Dissection d, Deferred deferred) {
        d.deferred = deferred;
        return d;
    }

    private void complete() {
        if (deferred != null) {
            completeOnce();
        }
    }

    private synchronized void completeOnce() {
        Deferred d = deferred;
        if (d != null) {
            summary = d.complete(ownFields, warnings);
            deferred = null;
        }
    }

    /** A connection first taken for a notification server turns out to be a dispatch server. */
    void relabel(FormSpec.Role newRole) {
        this.role = newRole;
    }

    void addWarning(Warning w) {
        // After the lazily made warnings, where they would have been had they been made at once.
        complete();
        warnings.add(w);
    }

    @Override
    public String toString() {
        return direction.transcriptPrefix() + ": " + frame + "  -- " + summary();
    }
}
