package msnscope.index;

import msnscope.capture.CaptureStore;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.SearcherManager;

import java.io.IOException;

/**
 * Telling a damaged index from other failures, and saying what is wrong with it in a few words. The
 * index is derived data, so {@link CaptureIndex} rebuilds it on a fault found here; a failure that is not
 * the index's (the dissectors, a full disk) must never cost it.
 */
final class IndexFaults {

    private IndexFaults() {
    }

    private static final java.util.regex.Pattern LUCENE_FILE = java.util.regex.Pattern.compile("(_\\w+\\.\\w+|segments_\\w+)");

    /** The note for an index that is damaged while another process holds it, so it cannot be rebuilt now. */
    static String heldAndDamaged(CaptureStore store, Throwable e) {
        return "the index in " + store.indexDir() + " cannot be used (" + reason(e) + ") and another msnscope (a running proxy?) holds it:"
                + " searches find nothing until it is rebuilt (run msnscope reindex when it stops)";
    }

    /** What is wrong, in a few words and without exception names: which file, and whether missing, truncated or damaged. */
    static String reason(Throwable e) {
        String what = e instanceof java.nio.file.NoSuchFileException || e instanceof java.io.FileNotFoundException ? "is missing"
                : e instanceof java.io.EOFException || String.valueOf(e.getMessage()).contains("truncated") ? "is truncated"
                : e instanceof org.apache.lucene.index.IndexFormatTooOldException || e instanceof org.apache.lucene.index.IndexFormatTooNewException
                ? "is in another index format" : "is damaged";
        for (Throwable t = e; t != null; t = t.getCause()) {
            java.util.regex.Matcher m = LUCENE_FILE.matcher(String.valueOf(t.getMessage()));
            if (m.find()) {
                return m.group(1) + " " + what;
            }
        }
        if (e instanceof IllegalArgumentException && e.getMessage() != null) {
            // Another sort or codec: Lucene's words say which.
            return e.getMessage().lines().findFirst().orElse("").replaceAll("\\s+\\(resource=.*", "");
        }
        return "a file " + what;
    }

    /** Whether a failed search was the index's fault: any I/O error reading it, or checksums that no longer match. */
    static boolean damaged(IndexSearcher s, Exception e) {
        return e instanceof IOException || !intact(s);
    }

    /**
     * Whether an operation on the index failed because of the index: Lucene's words for a damaged or
     * foreign index, or (for anything else) checksums that no longer match.
     */
    static boolean indexFault(Exception e, SearcherManager manager) {
        if (e instanceof msnscope.dissect.spec.SpecException) {
            return false;
        }
        if (e instanceof org.apache.lucene.index.CorruptIndexException || e instanceof org.apache.lucene.index.IndexFormatTooOldException
                || e instanceof org.apache.lucene.index.IndexFormatTooNewException || e instanceof java.io.EOFException
                || e instanceof java.nio.file.NoSuchFileException || e instanceof java.io.FileNotFoundException) {
            return true;
        }
        try {
            IndexSearcher s = manager.acquire();
            try {
                return !intact(s);
            } finally {
                manager.release(s);
            }
        } catch (IOException | RuntimeException unreadable) {
            return true;
        }
    }

    /** Verifies every file's checksum: reads the whole index, so only done once something failed. */
    static boolean intact(IndexSearcher s) {
        try {
            for (org.apache.lucene.index.LeafReaderContext leaf : s.getIndexReader().leaves()) {
                leaf.reader().checkIntegrity();
            }
            return true;
        } catch (IOException | RuntimeException corrupt) {
            return false;
        }
    }
}
