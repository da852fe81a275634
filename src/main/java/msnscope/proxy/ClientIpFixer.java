package msnscope.proxy;

import msnscope.dissect.spec.ContentTypeSpec;
import msnscope.dissect.spec.ProtocolSpec;
import msnscope.wire.Frame;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;

/**
 * {@code --fix-client-ip}: the notification server reports the address it saw in the initial profile
 * ({@code MSG Hotmail Hotmail len}, {@code Content-Type: text/x-msmsgsprofile}, headers {@code ClientIP} and
 * {@code ClientPort}, MSNP.md §3.5). Through the proxy that is the proxy's outbound address, which makes
 * the client misjudge its NAT type; this puts the client's real address back and fixes the MSG length.
 *
 * <p>The content type and header names come from {@code dissectors/payloads.yaml} ({@code address-headers}
 * of {@code text/x-msmsgsprofile}: roles {@code ip} and {@code port}). Only header values change; the
 * header block must end with an empty line, otherwise the payload is left alone.
 */
final class ClientIpFixer {

    static final String PROFILE_TYPE = "text/x-msmsgsprofile";

    private final String ipHeader;
    private final String portHeader;

    ClientIpFixer(ProtocolSpec spec) {
        ContentTypeSpec ct = spec.contentType(PROFILE_TYPE);
        Map<String, String> headers = ct == null || ct.addressHeaders() == null ? Map.of() : ct.addressHeaders();
        this.ipHeader = headers.get("ip");
        this.portHeader = headers.get("port");
    }

    /** True when the dissectors declare the headers to fix. */
    boolean enabled() {
        return ipHeader != null || portHeader != null;
    }

    /** The rewritten frame bytes, or null when this frame is not a profile or nothing changes. */
    byte[] fix(Frame frame, String clientIp, int clientPort) {
        if (!"MSG".equals(frame.command()) || !frame.hasPayload() || frame.payloadLength() != frame.declaredLength()
                || frame.has(Frame.PAYLOAD_TRUNCATED)) {
            return null;
        }
        byte[] payload = frame.payload();
        int headerEnd = indexOf(payload, "\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        if (headerEnd < 0) {
            return null;
        }
        String head = new String(payload, 0, headerEnd + 2, StandardCharsets.ISO_8859_1);
        String[] lines = head.split("\r\n", -1);
        boolean profile = false;
        boolean changed = false;
        StringBuilder out = new StringBuilder(head.length() + 16);
        for (int i = 0; i < lines.length - 1; i++) {
            String l = lines[i];
            int colon = l.indexOf(':');
            String name = colon < 0 ? "" : l.substring(0, colon).trim();
            if (name.equalsIgnoreCase("Content-Type")) {
                String value = l.substring(colon + 1).trim();
                int semi = value.indexOf(';');
                profile = (semi < 0 ? value : value.substring(0, semi)).trim().toLowerCase(Locale.ROOT).equals(PROFILE_TYPE);
            }
            String replacement = null;
            if (ipHeader != null && name.equalsIgnoreCase(ipHeader)) {
                replacement = clientIp;
            } else if (portHeader != null && name.equalsIgnoreCase(portHeader)) {
                replacement = Integer.toString(clientPort);
            }
            if (replacement != null) {
                int valueStart = colon + 1;
                while (valueStart < l.length() && l.charAt(valueStart) == ' ') {
                    valueStart++;
                }
                String fixed = l.substring(0, valueStart) + replacement;
                changed |= !fixed.equals(l);
                l = fixed;
            }
            out.append(l).append("\r\n");
        }
        if (!profile || !changed) {
            return null;
        }
        byte[] newHead = out.toString().getBytes(StandardCharsets.ISO_8859_1);
        int bodyStart = headerEnd + 2;
        int newLength = newHead.length + payload.length - bodyStart;
        byte[] line = frame.lineBytes();
        int lastSpace = line.length - 1;
        while (lastSpace >= 0 && line[lastSpace] != ' ') {
            lastSpace--;
        }
        ByteArrayOutputStream b = new ByteArrayOutputStream(frame.size() + 16);
        b.write(line, 0, lastSpace + 1);
        b.writeBytes(Integer.toString(newLength).getBytes(StandardCharsets.US_ASCII));
        byte[] all = frame.copyBytes();
        int payloadOffset = frame.size() - frame.payloadLength();
        b.write(all, frame.lineLength(), payloadOffset - frame.lineLength());
        b.writeBytes(newHead);
        b.write(payload, bodyStart, payload.length - bodyStart);
        return b.toByteArray();
    }

    private static int indexOf(byte[] data, byte[] pattern) {
        outer:
        for (int i = 0; i + pattern.length <= data.length; i++) {
            for (int k = 0; k < pattern.length; k++) {
                if (data[i + k] != pattern[k]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
