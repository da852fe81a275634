package msnscope.dissect.payload;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * NS messages whose content is only {@code Name: value} fields (§6.8): the initial profile
 * ({@code text/x-msmsgsprofile}, fields in the header block), mail notifications (fields in the body),
 * OIM notifications, system messages.
 *
 * <p>Fields: {@code fields} (every header except {@code MIME-Version} and {@code Content-Type}, then every
 * body line, in order; a repeated name maps to the list of its values), {@code member-id} (the 64-bit
 * passport id joined from {@code MemberIdHigh}/{@code MemberIdLow}, when both are numbers),
 * {@code mail-data} (the {@code Mail-Data} XML summarised by {@link MailData}) when present.
 */
public final class HeaderFieldsMessage {

    private HeaderFieldsMessage() {
    }

    public static Decoded decode(MimePayload mime) {
        Decoded.Builder b = Decoded.builder();
        List<MimeHeader> all = new ArrayList<>();
        for (MimeHeader h : mime.headers()) {
            String n = h.name().toLowerCase(Locale.ROOT);
            if (!n.equals("mime-version") && !n.equals("content-type")) {
                all.add(h);
            }
        }
        if (mime.bodyLength() > 0) {
            DecodedText text = Utf8.decode(mime.bodyBytes(), "message body");
            b.problems(text.problems());
            FieldLines.Result lines = FieldLines.parse(text.text(), "message body");
            b.problems(lines.problems());
            all.addAll(lines.lines());
        }
        List<String> mapProblems = new ArrayList<>();
        b.put("fields", FieldLines.toMap(all, "message", mapProblems));
        b.problems(mapProblems);
        Long high = Text.parseLong(FieldLines.first(all, "MemberIdHigh"));
        Long low = Text.parseLong(FieldLines.first(all, "MemberIdLow"));
        if (high != null && low != null && high >= 0 && high <= 0x7FFFFFFFL && low >= 0 && low <= 0xFFFFFFFFL) {
            b.put("member-id", high << 32 | low);
        }
        String mailData = FieldLines.first(all, "Mail-Data");
        if (mailData != null) {
            b.nest("mail-data", MailData.decode(mailData));
        }
        return b.build();
    }
}
