package msnscope.index;

import org.apache.lucene.analysis.Tokenizer;
import org.apache.lucene.analysis.tokenattributes.CharTermAttribute;
import org.apache.lucene.analysis.tokenattributes.OffsetAttribute;
import org.apache.lucene.util.ArrayUtil;

import java.io.IOException;

/**
 * The text fields' tokens: maximal runs of letters and digits ({@link Character#isLetterOrDigit(int)}),
 * each code point lower-cased ({@link Character#toLowerCase(int)}), a token cut after
 * {@value #MAX_TOKEN} UTF-16 units; and each symbol ({@link Character#OTHER_SYMBOL}: ☺, ♥, emoji) a token
 * of its own, so a smiley in a message can be searched and highlighted. On text without symbols, the same
 * tokens as Lucene's {@code CharTokenizer} on that predicate followed by {@code LowerCaseFilter} (a test
 * holds it to them), in one pass with an ASCII fast path: the two-stage chain was the largest cost of
 * analysing a frame's text, and every frame has three text fields.
 *
 * <p>Reads its whole input first: field values are bounded (a line, a summary, at most 32 KiB of payload text).
 */
final class WordTokenizer extends Tokenizer {

    /** Lucene's default token length limit for character tokenizers. */
    static final int MAX_TOKEN = 255;

    /** ASCII letters and digits: the common case, answered without Character's tables. */
    private static final boolean[] ASCII_WORD = new boolean[128];

    static {
        for (int c = 0; c < 128; c++) {
            ASCII_WORD[c] = Character.isLetterOrDigit(c);
        }
    }

    /** A code point that makes up words (a run of them is one token). */
    static boolean isWord(int cp) {
        return cp < 128 ? ASCII_WORD[cp] : Character.isLetterOrDigit(cp);
    }

    /** A code point that is a token by itself. */
    static boolean isSymbol(int cp) {
        return cp >= 128 && Character.getType(cp) == Character.OTHER_SYMBOL;
    }

    /** True when {@code s} between {@code from} and {@code to} holds anything this tokenizer makes a token of. */
    static boolean hasToken(CharSequence s, int from, int to) {
        for (int i = Math.max(0, from); i < Math.min(to, s.length()); ) {
            int cp = Character.codePointAt(s, i);
            if (isWord(cp) || isSymbol(cp)) {
                return true;
            }
            i += Character.charCount(cp);
        }
        return false;
    }

    private final CharTermAttribute term = addAttribute(CharTermAttribute.class);
    private final OffsetAttribute offset = addAttribute(OffsetAttribute.class);
    private char[] text = new char[256];
    private int length;
    private int pos;

    @Override
    public void reset() throws IOException {
        super.reset();
        length = 0;
        pos = 0;
        for (int n; (n = input.read(text, length, text.length - length)) != -1; ) {
            length += n;
            if (length == text.length) {
                text = ArrayUtil.grow(text, length + 1);
            }
        }
    }

    @Override
    public boolean incrementToken() {
        clearAttributes();
        char[] t = text;
        int i = pos;
        int n = length;
        // Skip to the first character of a token.
        while (i < n) {
            char c = t[i];
            if (c < 128) {
                if (ASCII_WORD[c]) {
                    break;
                }
                i++;
            } else {
                int cp = Character.codePointAt(t, i, n);
                if (Character.isLetterOrDigit(cp) || isSymbol(cp)) {
                    break;
                }
                i += Character.charCount(cp);
            }
        }
        if (i >= n) {
            pos = n;
            return false;
        }
        int start = i;
        char[] out = term.buffer();
        int len = 0;
        if (t[i] >= 128) {
            int cp = Character.codePointAt(t, i, n);
            if (isSymbol(cp)) {
                if (out.length < 2) {
                    out = term.resizeBuffer(2);
                }
                len = Character.toChars(cp, out, 0);
                i += Character.charCount(cp);
                term.setLength(len);
                offset.setOffset(correctOffset(start), correctOffset(i));
                pos = i;
                return true;
            }
        }
        while (i < n && len < MAX_TOKEN) {
            char c = t[i];
            if (c < 128) {
                if (!ASCII_WORD[c]) {
                    break;
                }
                if (len == out.length) {
                    out = term.resizeBuffer(len + 1);
                }
                out[len++] = c >= 'A' && c <= 'Z' ? (char) (c | 0x20) : c;
                i++;
            } else {
                int cp = Character.codePointAt(t, i, n);
                if (!Character.isLetterOrDigit(cp)) {
                    break;
                }
                if (len + 2 > out.length) {
                    out = term.resizeBuffer(len + 2);
                }
                len += Character.toChars(Character.toLowerCase(cp), out, len);
                i += Character.charCount(cp);
            }
        }
        term.setLength(len);
        offset.setOffset(correctOffset(start), correctOffset(i));
        pos = i;
        return true;
    }

    @Override
    public void end() throws IOException {
        super.end();
        int end = correctOffset(length);
        offset.setOffset(end, end);
    }
}
