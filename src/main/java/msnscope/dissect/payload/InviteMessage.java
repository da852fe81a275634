package msnscope.dissect.payload;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@code text/x-msmsgsinvite} legacy invitations (MSNFTP file transfer, voice, app sharing; §3.7a): a body
 * of {@code Name: value} lines.
 *
 * <p>Fields: {@code invitation-command} ({@code INVITE}, {@code ACCEPT}, {@code CANCEL}),
 * {@code invitation-cookie}, {@code application-name}, {@code application-guid}, {@code application}
 * ({@code file transfer} for the MSNFTP GUID, the only one the reference names), {@code addresses} (the
 * address-bearing lines a proxy may need to rewrite: {@code IP-Address}, {@code IP-Address-Internal},
 * {@code Port}, {@code PortX}, {@code PortX-Internal}, as {@code {field, value}}), {@code fields} (every
 * line, in order).
 */
public final class InviteMessage {

    static final String FILE_TRANSFER_GUID = "{5D3E02AB-6190-11d3-BBBB-00C04F795683}";

    private static final Set<String> ADDRESS_FIELDS = Set.of(
            "IP-Address", "IP-Address-Internal", "Port", "PortX", "PortX-Internal");

    private InviteMessage() {
    }

    public static Decoded decode(MimePayload mime) {
        Decoded.Builder b = Decoded.builder();
        DecodedText text = Utf8.decode(mime.bodyBytes(), "invitation body");
        b.problems(text.problems());
        FieldLines.Result lines = FieldLines.parse(text.text(), "invitation body");
        b.problems(lines.problems());
        List<MimeHeader> l = lines.lines();
        String command = FieldLines.first(l, "Invitation-Command");
        if (command == null) {
            b.problem("invitation has no Invitation-Command line");
        }
        b.put("invitation-command", command);
        b.put("invitation-cookie", FieldLines.first(l, "Invitation-Cookie"));
        b.put("application-name", FieldLines.first(l, "Application-Name"));
        String guid = FieldLines.first(l, "Application-GUID");
        b.put("application-guid", guid);
        if (guid != null && guid.equalsIgnoreCase(FILE_TRANSFER_GUID)) {
            b.put("application", "file transfer");
        }
        List<Map<String, Object>> addresses = new ArrayList<>();
        for (MimeHeader h : l) {
            if (ADDRESS_FIELDS.contains(h.name())) {
                Map<String, Object> a = new LinkedHashMap<>();
                a.put("field", h.name());
                a.put("value", h.value());
                addresses.add(a);
            }
        }
        if (!addresses.isEmpty()) {
            b.put("addresses", addresses);
        }
        List<String> mapProblems = new ArrayList<>();
        b.put("fields", FieldLines.toMap(l, "invitation body", mapProblems));
        return b.problems(mapProblems).build();
    }
}
