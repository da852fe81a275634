package msnscope.index;

import msnscope.dissect.Dissection;
import msnscope.dissect.Warning;
import msnscope.dissect.spec.FormSpec;
import msnscope.export.FrameJson;
import msnscope.wire.Direction;
import msnscope.wire.Edit;
import msnscope.wire.Frame;
import org.apache.lucene.store.ByteArrayDataInput;
import org.apache.lucene.util.BytesRef;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A frame's dissection as the index stores it: the frame's own bytes and what the dissector added,
 * in a compact binary form, from which {@link #json} rebuilds the JSON Lines object exactly as
 * {@link FrameJson} writes it for the live dissection. Writing and storing the JSON itself took over a
 * quarter of the indexing time: the line and payload went in twice (as {@code raw}/{@code payload} and
 * as {@code params}), every string was escaped, and the stored-fields compressor had twice the bytes.
 * Here the line and payload are copied as bytes, {@code params} is left out when it is the line's
 * space-separated words (as the dissector makes it), and only search results pay for JSON.
 *
 * <p>Layout (Lucene variable-length integers; a string is its UTF-8 length + 1, 0 for null, then the
 * bytes): version byte, seq, session, stream, time (0 = none, else 1 and a zig-zag long), direction,
 * role, version + 1, account, command, trid (as time), params (0 = the line's words, else count + 1 and
 * the strings), line length, payload offset, declared length + 1, frame flags, the frame's command, its
 * raw bytes (length, bytes), summary, fields (a tagged value), replyTo + 1, warnings (count, then code
 * and message each), forwarded bytes (length + 1, 0 for none, then the bytes), the edit (0 for none, 1 edited, 2
 * made by msnscope; then by and action as strings).
 */
final class StoredFrame {

    /**
     * 2 adds what the proxy forwarded instead (a rewritten referral; empty: dropped), 3 how a rule or the hook
     * changed the frame; 1 and 2 are still read.
     */
    static final byte VERSION = 3;
    private static final int NULL = 0;
    private static final int STRING = 1;
    private static final int NUMBER = 2;
    private static final int TRUE = 3;
    private static final int FALSE = 4;
    private static final int MAP = 5;
    private static final int LIST = 6;
    /** Anything else the dissector might hold, kept as the JSON the mapper writes for it. */
    private static final int JSON = 7;

    private StoredFrame() {
    }

    static byte[] encode(Dissection d) {
        return encode(d, d.account());
    }

    /** The stored form, with {@code account} (the login the frame belongs to) in place of the dissection's own. */
    static byte[] encode(Dissection d, String account) {
        Out out = new Out(256 + d.frame().size());
        try {
            Frame f = d.frame();
            out.writeByte(VERSION);
            out.writeVInt(d.seq());
            out.string(d.session());
            out.string(d.stream());
            out.optionalLong(d.timeMicros());
            out.writeByte((byte) d.direction().ordinal());
            out.string(d.role() == null ? null : d.role().name());
            out.writeVInt(d.version() == null ? 0 : d.version() + 1);
            out.string(account);
            out.string(d.command());
            out.optionalLong(d.trid());
            if (d.command() != null && sameAsLine(d.params(), f.line())) {
                out.writeVInt(0);
            } else {
                out.writeVInt(d.params().size() + 1);
                for (String p : d.params()) {
                    out.string(p);
                }
            }
            out.writeVInt(f.lineLength());
            out.writeVInt(f.lineLength() + f.terminatorLength());
            out.writeVInt(f.declaredLength() + 1);
            out.writeVInt(f.flags());
            out.string(f.command());
            out.writeVInt(f.size());
            out.frame(f);
            out.string(d.summary());
            out.value(d.fields());
            out.writeVInt(d.replyTo() == null ? 0 : d.replyTo() + 1);
            out.writeVInt(d.warnings().size());
            for (Warning w : d.warnings()) {
                out.string(w.code());
                out.string(w.message());
            }
            byte[] forwarded = d.forwarded();
            out.writeVInt(forwarded == null ? 0 : forwarded.length + 1);
            if (forwarded != null) {
                out.writeBytes(forwarded, 0, forwarded.length);
            }
            Edit edit = d.edit();
            out.writeVInt(edit == null ? 0 : edit.made() ? 2 : 1);
            if (edit != null) {
                out.string(edit.by());
                out.string(edit.action());
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e); // an in-memory output does not fail
        }
        return out.toByteArray();
    }

    /** The stored dissection; a damaged one (a bad disk, a bug) fails with one line that says how to repair it. */
    static Dissection decode(BytesRef stored) {
        try {
            return read(new ByteArrayDataInput(stored.bytes, stored.offset, stored.length));
        } catch (RuntimeException e) {
            throw new IllegalStateException("a stored frame in the index is damaged (" + e.getMessage() + "): run msnscope reindex", e);
        }
    }

    private static Dissection read(ByteArrayDataInput in) {
        byte version0 = in.readByte();
        if (version0 < 1 || version0 > VERSION) {
            throw new IllegalArgumentException("written by another msnscope version");
        }
        int seq = in.readVInt();
        String session = string(in);
        String stream = string(in);
        Long time = optionalLong(in);
        Direction dir = Direction.values()[in.readByte()];
        String role = string(in);
        int version = in.readVInt();
        String account = string(in);
        String command = string(in);
        Long trid = optionalLong(in);
        int paramCount = in.readVInt();
        List<String> params = null;
        if (paramCount > 0) {
            params = new ArrayList<>(paramCount - 1);
            for (int i = 1; i < paramCount; i++) {
                params.add(string(in));
            }
        }
        int lineLength = in.readVInt();
        int payloadOffset = in.readVInt();
        int declared = in.readVInt() - 1;
        int flags = in.readVInt();
        String frameCommand = string(in);
        byte[] raw = bytes(in, in.readVInt());
        if (lineLength < 0 || lineLength > raw.length || declared >= 0 && (payloadOffset < lineLength || payloadOffset > raw.length)) {
            throw new IllegalArgumentException("the frame's lengths do not fit its " + raw.length + " bytes");
        }
        Frame frame = Frame.ofRaw(raw, lineLength, payloadOffset, declared, flags, frameCommand);
        if (params == null) {
            params = lineWords(frame.line());
        }
        String summary = string(in);
        @SuppressWarnings("unchecked")
        Map<String, Object> fields = (Map<String, Object>) value(in);
        int replyTo = in.readVInt();
        int warningCount = in.readVInt();
        List<Warning> warnings = new ArrayList<>(warningCount);
        for (int i = 0; i < warningCount; i++) {
            warnings.add(new Warning(string(in), string(in)));
        }
        int forwarded = version0 == 1 ? 0 : in.readVInt();
        byte[] forwardedBytes = forwarded == 0 ? null : bytes(in, forwarded - 1);
        int edited = version0 < 3 ? 0 : in.readVInt();
        if (edited > 2) {
            throw new IllegalArgumentException("unknown edit kind " + edited);
        }
        Edit edit = edited == 0 ? null : new Edit(string(in), string(in), edited == 2);
        return Dissection.restored(session, stream, seq, time, dir, role == null ? null : FormSpec.Role.valueOf(role),
                version == 0 ? null : version - 1, account, frame, command, trid, params, summary, fields,
                replyTo == 0 ? null : replyTo - 1, warnings).forwardedAs(forwardedBytes).editedAs(edit);
    }

    /** The JSON Lines object of a stored frame, with the login's account as the extra the index adds. */
    static String json(BytesRef stored) {
        Dissection d = decode(stored);
        return FrameJson.toLine(d, extras(d));
    }

    /** {@link #json} as a map, keys in order, with no text in between. */
    static Map<String, Object> object(BytesRef stored) {
        Dissection d = decode(stored);
        return FrameJson.toMap(d, extras(d));
    }

    private static Map<String, Object> extras(Dissection d) {
        return java.util.Collections.singletonMap("account", d.account());
    }

    /** True when {@code params} are the words after the first of {@code line}, split at single spaces. */
    static boolean sameAsLine(List<String> params, String line) {
        int from = line.indexOf(' ') + 1;
        if (from == 0) {
            return params.isEmpty();
        }
        int n = params.size();
        for (int k = 0; k < n; k++) {
            if (from < 0) {
                return false;
            }
            int space = line.indexOf(' ', from);
            int end = space < 0 ? line.length() : space;
            String p = params.get(k);
            if (p.length() != end - from || !line.regionMatches(from, p, 0, p.length())) {
                return false;
            }
            from = space < 0 ? -1 : space + 1;
        }
        return from < 0;
    }

    /** The words after the first, as the dissector splits a command line. */
    static List<String> lineWords(String line) {
        String[] t = line.split(" ", -1);
        return t.length > 1 ? List.of(Arrays.copyOfRange(t, 1, t.length)) : List.of();
    }

    private static String string(ByteArrayDataInput in) {
        int n = in.readVInt();
        if (n == 0) {
            return null;
        }
        return new String(bytes(in, n - 1), StandardCharsets.UTF_8);
    }

    /** {@code n} bytes, refused when fewer remain: a damaged length must not allocate gigabytes. */
    private static byte[] bytes(ByteArrayDataInput in, int n) {
        if (n < 0 || n > in.length() - in.getPosition()) {
            throw new IllegalArgumentException("a length of " + n + " runs past the end");
        }
        byte[] b = new byte[n];
        in.readBytes(b, 0, n);
        return b;
    }

    private static Long optionalLong(ByteArrayDataInput in) {
        return in.readByte() == 0 ? null : zlong(in);
    }

    private static long zlong(ByteArrayDataInput in) {
        try {
            return in.readZLong();
        } catch (IOException e) {
            throw new UncheckedIOException(e); // only declared: the bytes are in memory
        }
    }

    private static Object value(ByteArrayDataInput in) {
        int tag = in.readByte();
        switch (tag) {
            case NULL:
                return null;
            case STRING:
                return string(in);
            case NUMBER:
                return zlong(in);
            case TRUE:
                return Boolean.TRUE;
            case FALSE:
                return Boolean.FALSE;
            case MAP: {
                int n = in.readVInt();
                Map<String, Object> m = new LinkedHashMap<>(Math.max(4, n * 2));
                for (int i = 0; i < n; i++) {
                    String k = string(in);
                    m.put(k, value(in));
                }
                return m;
            }
            case LIST: {
                int n = in.readVInt();
                List<Object> l = new ArrayList<>(n);
                for (int i = 0; i < n; i++) {
                    l.add(value(in));
                }
                return l;
            }
            case JSON:
                try {
                    return FrameJson.MAPPER.readValue(string(in), Object.class);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            default:
                throw new IllegalArgumentException("unknown value tag " + tag);
        }
    }

    /**
     * A growable in-memory output writing Lucene's variable-length and zig-zag integers (what
     * {@link ByteArrayDataInput} reads), one bounds check per number: a frame writes about thirty.
     */
    private static final class Out {
        private byte[] buf;
        private int len;

        Out(int capacity) {
            buf = new byte[capacity];
        }

        byte[] toByteArray() {
            return Arrays.copyOf(buf, len);
        }

        void writeByte(byte b) {
            ensure(1);
            buf[len++] = b;
        }

        void writeBytes(byte[] b, int offset, int length) {
            ensure(length);
            System.arraycopy(b, offset, buf, len, length);
            len += length;
        }

        void writeVInt(int i) {
            if ((i & ~0x7F) == 0) {
                // Most numbers here (lengths, counts, flags) fit one byte.
                ensure(1);
                buf[len++] = (byte) i;
            } else {
                writeVLong(i & 0xFFFFFFFFL);
            }
        }

        void writeZLong(long v) {
            writeVLong((v << 1) ^ (v >> 63));
        }

        private void writeVLong(long v) {
            ensure(10);
            byte[] b = buf;
            int at = len;
            while ((v & ~0x7FL) != 0) {
                b[at++] = (byte) ((v & 0x7F) | 0x80);
                v >>>= 7;
            }
            b[at++] = (byte) v;
            len = at;
        }

        void frame(Frame f) {
            ensure(f.size());
            f.copyTo(0, buf, len, f.size());
            len += f.size();
        }

        void string(String s) {
            if (s == null) {
                writeVInt(0);
                return;
            }
            byte[] b = s.getBytes(StandardCharsets.UTF_8);
            writeVInt(b.length + 1);
            writeBytes(b, 0, b.length);
        }

        void optionalLong(Long v) {
            if (v == null) {
                writeByte((byte) 0);
            } else {
                writeByte((byte) 1);
                writeZLong(v);
            }
        }

        void value(Object v) throws IOException {
            if (v == null) {
                writeByte((byte) NULL);
            } else if (v instanceof String s) {
                writeByte((byte) STRING);
                string(s);
            } else if (v instanceof Integer || v instanceof Long || v instanceof Short || v instanceof Byte) {
                writeByte((byte) NUMBER);
                writeZLong(((Number) v).longValue());
            } else if (v instanceof Boolean b) {
                writeByte((byte) (b ? TRUE : FALSE));
            } else if (v instanceof Map<?, ?> m) {
                writeByte((byte) MAP);
                writeVInt(m.size());
                for (Map.Entry<?, ?> e : m.entrySet()) {
                    string(String.valueOf(e.getKey()));
                    value(e.getValue());
                }
            } else if (v instanceof List<?> l) {
                writeByte((byte) LIST);
                writeVInt(l.size());
                for (Object o : l) {
                    value(o);
                }
            } else {
                writeByte((byte) JSON);
                string(FrameJson.MAPPER.writeValueAsString(v));
            }
        }

        private void ensure(int more) {
            if (len + more > buf.length) {
                buf = Arrays.copyOf(buf, Math.max(buf.length * 2, len + more));
            }
        }
    }
}
