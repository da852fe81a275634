package msnscope.index;

import org.apache.lucene.analysis.Analyzer;
import org.apache.lucene.analysis.LowerCaseFilter;
import org.apache.lucene.analysis.TokenStream;
import org.apache.lucene.analysis.Tokenizer;
import org.apache.lucene.analysis.tokenattributes.CharTermAttribute;
import org.apache.lucene.analysis.tokenattributes.OffsetAttribute;
import org.apache.lucene.analysis.tokenattributes.PositionIncrementAttribute;
import org.apache.lucene.analysis.util.CharTokenizer;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;

class WordTokenizerTest {

    /** The definition the one-pass tokenizer must agree with: Lucene's two-stage chain. */
    private static final Analyzer LUCENE = new Analyzer() {
        @Override
        protected TokenStreamComponents createComponents(String fieldName) {
            Tokenizer t = CharTokenizer.fromTokenCharPredicate(Character::isLetterOrDigit);
            return new TokenStreamComponents(t, new LowerCaseFilter(t));
        }
    };

    /** Each token as {@code term@start-end+increment}, and the final offset. */
    private static List<String> tokens(Analyzer a, String text) throws IOException {
        List<String> out = new ArrayList<>();
        try (TokenStream ts = a.tokenStream("text", text)) {
            CharTermAttribute term = ts.addAttribute(CharTermAttribute.class);
            OffsetAttribute off = ts.addAttribute(OffsetAttribute.class);
            PositionIncrementAttribute inc = ts.addAttribute(PositionIncrementAttribute.class);
            ts.reset();
            while (ts.incrementToken()) {
                out.add(term + "@" + off.startOffset() + "-" + off.endOffset() + "+" + inc.getPositionIncrement());
            }
            ts.end();
            out.add("end@" + off.endOffset());
        }
        return out;
    }

    private static List<String> words(String text) throws IOException {
        List<String> out = new ArrayList<>();
        for (String t : tokens(IndexFields.analyzer(), text)) {
            if (!t.startsWith("end@")) {
                out.add(t.substring(0, t.indexOf('@'))); // words hold no '@'

            }
        }
        return out;
    }

    @Test
    void splitsProtocolTextIntoLowerCaseWords() throws IOException {
        assertEquals(List.of("msg", "bob", "example", "com", "bob", "133"), words("MSG bob@example.com Bob 133"));
        assertEquals(List.of("hello", "wörld", "日本語", "x1"), words("Hello, WÖRLD! 日本語 x1"));
        assertEquals(List.of(), words("  ;;; \r\n "));
    }

    @Test
    void eachSymbolIsATokenOfItsOwnWithItsOffsets() throws IOException {
        assertEquals(List.of("hello@0-5+1", "bob@6-9+1", "éè@11-13+1", "☺@14-15+1", "end@15"), tokens(IndexFields.analyzer(), "Hello Bob! éè ☺"));
        assertEquals(List.of("ok", "☺", "☺", "\uD83D\uDE00", "x"), words("ok☺☺\uD83D\uDE00x"), "a smiley ends a word; an emoji outside the BMP is one token");
        assertEquals(List.of(), words("+-=<>$"), "ASCII operators and currency are no symbols of that kind");
    }

    @Test
    void agreesWithLucenesCharTokenizerAndLowerCaseFilter() throws IOException {
        Random r = new Random(7);
        // ASCII, Latin-1 and Greek capitals, CJK, a supplementary letter (𝐀) and digit (𝟙), lone surrogates.
        String[] pieces = {"a", "Z", "0", " ", "@", ".", "\r\n", "Ä", "ß", "Σ", "İ", "語", "\uD835\uDC00", "\uD835\uDFD9", "\uD800", "\uDC00", "_", "%20"};
        for (int i = 0; i < 50_000; i++) {
            StringBuilder sb = new StringBuilder();
            int n = r.nextInt(30);
            for (int k = 0; k < n; k++) {
                sb.append(pieces[r.nextInt(pieces.length)]);
            }
            String s = sb.toString();
            assertEquals(tokens(LUCENE, s), tokens(IndexFields.analyzer(), s), () -> "input: [" + s + "]");
        }
    }

    @Test
    void cutsLongWordsWhereLuceneDoes() throws IOException {
        for (String unit : new String[] {"a", "B", "\uD835\uDC00", "ab\uD835\uDC00"}) {
            for (int n : new int[] {100, 254, 255, 256, 600, 5000}) {
                String s = "x " + unit.repeat(n) + " y";
                assertEquals(tokens(LUCENE, s), tokens(IndexFields.analyzer(), s), () -> unit + " x " + n);
            }
        }
    }
}
