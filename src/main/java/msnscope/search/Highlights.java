package msnscope.search;

import msnscope.index.FrameDocuments;
import msnscope.index.IndexFields;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.uhighlight.CustomSeparatorBreakIterator;
import org.apache.lucene.search.uhighlight.Passage;
import org.apache.lucene.search.uhighlight.PassageFormatter;
import org.apache.lucene.search.uhighlight.UnifiedHighlighter;
import org.apache.lucene.search.uhighlight.WholeBreakIterator;

import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Marks what a query matched in a hit's text fields, re-analysing the text rebuilt from the stored frame
 * exactly as it was indexed. Matches next to each other (nothing but spaces and punctuation between, as the
 * tokenizer sees it) become one mark: {@code «Hello Bob! éè»}, not {@code «Hello» «Bob»! éè}. The line and
 * summary are shown whole; the decoded text by lines (a message's own line breaks), never cut at a
 * sentence's punctuation.
 */
final class Highlights {

    private static final int MAX_LENGTH = 64 * 1024;

    private final UnifiedHighlighter whole;
    private final UnifiedHighlighter lines;

    Highlights(String markStart, String markEnd) {
        PassageFormatter formatter = new Joined(markStart, markEnd);
        whole = UnifiedHighlighter.builderWithoutSearcher(IndexFields.analyzer())
                .withFormatter(formatter)
                .withBreakIterator(WholeBreakIterator::new)
                .withMaxLength(MAX_LENGTH)
                .build();
        lines = UnifiedHighlighter.builderWithoutSearcher(IndexFields.analyzer())
                .withFormatter(formatter)
                .withBreakIterator(() -> new CustomSeparatorBreakIterator('\n'))
                .withMaxLength(MAX_LENGTH)
                .build();
    }

    /** Snippets of the text fields {@code q} matched in {@code frame} (its JSON Lines object), by field. */
    Map<String, String> of(Query q, Map<String, Object> frame) throws IOException {
        Map<String, String> out = new LinkedHashMap<>();
        Map<String, String> texts = new LinkedHashMap<>();
        texts.put(IndexFields.LINE, String.valueOf(frame.get("raw")));
        texts.put(IndexFields.SUMMARY, String.valueOf(frame.get("summary")));
        texts.put(IndexFields.TEXT, FrameDocuments.text(frame));
        for (Map.Entry<String, String> e : texts.entrySet()) {
            if (e.getValue().isEmpty()) {
                continue;
            }
            UnifiedHighlighter hl = e.getKey().equals(IndexFields.TEXT) ? lines : whole;
            Object h = hl.highlightWithoutSearcher(e.getKey(), q, e.getValue(), 2);
            if (h != null && !h.toString().isEmpty()) {
                out.put(e.getKey(), h.toString().replace("\r\n", " ⏎ ").replace('\n', ' ').strip());
            }
        }
        return out;
    }

    /**
     * Lucene's default formatting (passages joined by " … ", matches between the marks), except that matches
     * with no word between them are marked as one.
     */
    static final class Joined extends PassageFormatter {
        private final String start;
        private final String end;

        Joined(String start, String end) {
            this.start = start;
            this.end = end;
        }

        @Override
        public Object format(Passage[] passages, String content) {
            StringBuilder sb = new StringBuilder();
            int pos = 0;
            for (Passage p : passages) {
                if (p.getStartOffset() > pos && pos > 0) {
                    sb.append(" … ");
                }
                pos = Math.max(pos, p.getStartOffset());
                int[] starts = p.getMatchStarts();
                int[] ends = p.getMatchEnds();
                for (int i = 0; i < p.getNumMatches(); ) {
                    int from = Math.max(pos, starts[i]);
                    int to = ends[i];
                    int j = i + 1;
                    while (j < p.getNumMatches() && (starts[j] <= to || !IndexFields.hasWord(content, to, starts[j]))) {
                        to = Math.max(to, ends[j]);
                        j++;
                    }
                    if (to > from) {
                        sb.append(content, pos, from).append(start).append(content, from, to).append(end);
                        pos = to;
                    }
                    i = j;
                }
                int passageEnd = Math.min(content.length(), p.getEndOffset());
                if (passageEnd > pos) {
                    sb.append(content, pos, passageEnd);
                    pos = passageEnd;
                }
            }
            return sb.toString();
        }
    }
}
