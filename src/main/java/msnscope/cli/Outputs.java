package msnscope.cli;

import java.io.IOException;
import java.io.OutputStreamWriter;
import java.io.PrintStream;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/** Where {@code -o OUT} writes: a file, or standard output for {@code -}; and file errors in the user's words. */
final class Outputs {

    private Outputs() {
    }

    /** True when the output goes to standard output: no {@code -o}, or {@code -o -}. */
    static boolean isStandard(String output) {
        return output == null || Inputs.isStandard(output);
    }

    /** Refuses, before any work, an output that cannot be created: its directory is missing, or it is a directory. */
    static void check(String output) throws UsageException {
        if (isStandard(output)) {
            return;
        }
        Path target = Path.of(output);
        Path parent = target.getParent();
        if (Files.isDirectory(target)) {
            throw new UsageException("cannot write " + output + ": it is a directory");
        }
        if (parent != null && !Files.isDirectory(parent)) {
            throw new UsageException("cannot write " + output + ": " + (Files.exists(parent) ? parent + " is not a directory" : "no such directory " + parent));
        }
    }

    /**
     * Opens {@code output} for writing UTF-8, or wraps {@code out} for {@code -}. A file that cannot be
     * created is one line with the reason ({@code cannot write x.html: no such directory /nonexistent}).
     */
    static Writer open(String output, PrintStream out) throws UsageException {
        if (isStandard(output)) {
            return new OutputStreamWriter(out, StandardCharsets.UTF_8);
        }
        Path target = Path.of(output);
        if (Files.isDirectory(target)) {
            throw new UsageException("cannot write " + output + ": it is a directory");
        }
        try {
            return Files.newBufferedWriter(target, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UsageException("cannot write " + output + ": " + reason(e));
        }
    }

    /** Closes what {@link #open} returned: a file is closed, standard output only flushed. */
    static void finish(Writer w, String output) throws UsageException {
        try {
            if (isStandard(output)) {
                w.flush();
            } else {
                w.close();
            }
        } catch (IOException e) {
            throw new UsageException("cannot write " + output + ": " + reason(e));
        }
    }

    /**
     * Why a file operation failed, in words: Java's file-system exceptions often carry only the path as
     * their message, which reads like no reason at all.
     */
    static String reason(IOException e) {
        if (e instanceof NoSuchFileException n) {
            Path parent = n.getFile() == null ? null : Path.of(n.getFile()).getParent();
            return parent != null && !Files.isDirectory(parent) ? "no such directory " + parent : "no such file";
        }
        if (e instanceof AccessDeniedException) {
            return "permission denied";
        }
        if (e instanceof FileSystemException f && f.getReason() != null) {
            return f.getReason().toLowerCase(java.util.Locale.ROOT);
        }
        return e.getMessage() == null ? "input/output error" : Main.describe(e);
    }
}
