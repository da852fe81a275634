package msnscope.dissect;

import msnscope.wire.Frame;

/** UTF-8 checks that never throw, for command lines and payloads. */
public final class Text {

    private Text() {
    }

    /** True when the bytes are well-formed UTF-8. */
    public static boolean isUtf8(byte[] bytes, int offset, int length) {
        return Frame.isUtf8(bytes, offset, length);
    }
}
