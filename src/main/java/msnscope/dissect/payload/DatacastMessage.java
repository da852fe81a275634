package msnscope.dissect.payload;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * {@code text/x-msnmsgr-datacast} messages (§7.4): a body of {@code Name: value} lines, {@code ID: n}
 * first.
 *
 * <p>Fields: {@code id} (number), {@code meaning} ({@code nudge}, {@code wink}, {@code voice clip},
 * {@code action message} or {@code unknown}), {@code documented} (true only for ID 1: MSNP.md §7.4
 * documents the nudge; IDs 2–4 come from client implementations and are not in the reference),
 * {@code data} (the {@code Data} line, raw), {@code data-msnobj} (the decoded {@link MsnObject} when Data
 * carries one, as winks and voice clips do), {@code fields} (all body lines).
 */
public final class DatacastMessage {

    private static final Map<Integer, String> MEANINGS = Map.of(
            1, "nudge", 2, "wink", 3, "voice clip", 4, "action message");

    private DatacastMessage() {
    }

    public static Decoded decode(MimePayload mime) {
        Decoded.Builder b = Decoded.builder();
        DecodedText text = Utf8.decode(mime.bodyBytes(), "datacast body");
        b.problems(text.problems());
        FieldLines.Result lines = FieldLines.parse(text.text(), "datacast body");
        b.problems(lines.problems());
        String idText = FieldLines.first(lines.lines(), "ID");
        if (idText == null) {
            b.problem("datacast has no ID line");
        } else {
            Integer id = Text.parseInt(idText.strip());
            if (id == null) {
                b.problem("datacast ID \"" + Text.clip(idText) + "\" is not a number");
                b.put("id", idText);
            } else {
                b.put("id", id);
                b.put("meaning", MEANINGS.getOrDefault(id, "unknown"));
                b.put("documented", id == 1);
            }
        }
        String data = FieldLines.first(lines.lines(), "Data");
        b.put("data", data);
        if (data != null && MsnObject.looksLikeMsnObject(data)) {
            b.nest("data-msnobj", MsnObject.decode(data));
        }
        List<String> mapProblems = new ArrayList<>();
        b.put("fields", FieldLines.toMap(lines.lines(), "datacast body", mapProblems));
        return b.problems(mapProblems).build();
    }
}
