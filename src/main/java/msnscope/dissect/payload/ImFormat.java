package msnscope.dissect.payload;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The {@code X-MMS-IM-Format} header of a text message (§7.4), e.g.
 * {@code FN=Segoe%20UI; EF=B; CO=ff; CS=0; PF=22}.
 *
 * <p>Fields: {@code font} (FN, URL-decoded), {@code effects} (EF letters as a list of {@code bold},
 * {@code italic}, {@code underline}, {@code strikethrough}), {@code color} ({@code #RRGGBB}; CO is sent as
 * hexadecimal in Windows COLORREF order, blue-green-red, so {@code ff} is red), {@code color-raw},
 * {@code charset} (CS as sent; a Windows GDI charset number in hexadecimal), {@code charset-name} when CS
 * is a known GDI value, {@code pitch-family} (PF as sent; the LOGFONT pitch-and-family byte in
 * hexadecimal), {@code pitch} and {@code family} names when PF parses, {@code right-to-left} (RL=1, sent by
 * later clients), and {@code other} for keys this class does not know.
 */
public final class ImFormat {

    private static final Map<Long, String> GDI_CHARSETS = Map.ofEntries(
            Map.entry(0x00L, "ANSI"), Map.entry(0x01L, "DEFAULT"), Map.entry(0x02L, "SYMBOL"),
            Map.entry(0x4DL, "MAC"), Map.entry(0x80L, "SHIFTJIS"), Map.entry(0x81L, "HANGUL"),
            Map.entry(0x82L, "JOHAB"), Map.entry(0x86L, "GB2312"), Map.entry(0x88L, "CHINESEBIG5"),
            Map.entry(0xA1L, "GREEK"), Map.entry(0xA2L, "TURKISH"), Map.entry(0xA3L, "VIETNAMESE"),
            Map.entry(0xB1L, "HEBREW"), Map.entry(0xB2L, "ARABIC"), Map.entry(0xBAL, "BALTIC"),
            Map.entry(0xCCL, "RUSSIAN"), Map.entry(0xDEL, "THAI"), Map.entry(0xEEL, "EASTEUROPE"),
            Map.entry(0xFFL, "OEM"));

    private static final char[] HEX = "0123456789ABCDEF".toCharArray();

    private static final String[] PITCHES = {"default", "fixed", "variable"};
    private static final String[] FAMILIES = {"dontcare", "roman", "swiss", "modern", "script", "decorative"};

    private ImFormat() {
    }

    public static Decoded decode(String header) {
        Decoded.Builder b = Decoded.builder();
        if (header == null) {
            return b.build();
        }
        Map<String, String> other = new LinkedHashMap<>();
        int start = 0;
        while (start <= header.length()) {
            int semi = header.indexOf(';', start);
            int end = semi < 0 ? header.length() : semi;
            String item = header.substring(start, end).strip();
            start = end + 1;
            if (item.isEmpty()) {
                continue;
            }
            int eq = item.indexOf('=');
            if (eq < 0) {
                b.problem("X-MMS-IM-Format item \"" + Text.clip(item) + "\" has no '='");
                continue;
            }
            String key = item.substring(0, eq).strip();
            String value = item.substring(eq + 1).strip();
            switch (key) {
                case "FN" -> {
                    DecodedText font = UrlCodec.decode(value);
                    b.put("font", font.text()).problems(font.problems());
                }
                case "EF" -> effects(value, b);
                case "CO" -> color(value, b);
                case "CS" -> charset(value, b);
                case "PF" -> pitchFamily(value, b);
                case "RL" -> b.put("right-to-left", value.equals("1"));
                default -> other.put(key, value);
            }
        }
        if (!other.isEmpty()) {
            b.put("other", other);
        }
        return b.build();
    }

    private static void effects(String letters, Decoded.Builder b) {
        List<String> effects = new ArrayList<>();
        for (int i = 0; i < letters.length(); i++) {
            char c = letters.charAt(i);
            String name = switch (c) {
                case 'B' -> "bold";
                case 'I' -> "italic";
                case 'U' -> "underline";
                case 'S' -> "strikethrough";
                default -> null;
            };
            if (name == null) {
                b.problem("unknown text effect letter '" + Text.clip(String.valueOf(c)) + "' in EF");
            } else if (!effects.contains(name)) {
                effects.add(name);
            }
        }
        b.put("effects", effects);
    }

    private static void color(String hex, Decoded.Builder b) {
        b.put("color-raw", hex);
        Long bgr = Text.parseHex(hex);
        if (bgr == null || hex.length() > 6) {
            b.problem("colour CO=" + Text.clip(hex) + " is not a hexadecimal BGR value of at most 6 digits");
            return;
        }
        int red = (int) (bgr & 0xFF);
        int green = (int) (bgr >> 8 & 0xFF);
        int blue = (int) (bgr >> 16 & 0xFF);
        char[] rgb = {'#', HEX[red >> 4], HEX[red & 0xF], HEX[green >> 4], HEX[green & 0xF], HEX[blue >> 4], HEX[blue & 0xF]};
        b.put("color", new String(rgb));
    }

    private static void charset(String hex, Decoded.Builder b) {
        b.put("charset", hex);
        Long value = Text.parseHex(hex);
        if (value == null) {
            b.problem("charset CS=" + Text.clip(hex) + " is not hexadecimal");
            return;
        }
        b.put("charset-name", GDI_CHARSETS.get(value));
    }

    private static void pitchFamily(String hex, Decoded.Builder b) {
        b.put("pitch-family", hex);
        Long value = Text.parseHex(hex);
        if (value == null || value > 0xFF) {
            b.problem("pitch/family PF=" + Text.clip(hex) + " is not a hexadecimal byte");
            return;
        }
        int pitch = (int) (value & 0x0F);
        int family = (int) (value >> 4);
        b.put("pitch", pitch < PITCHES.length ? PITCHES[pitch] : null);
        b.put("family", family < FAMILIES.length ? FAMILIES[family] : null);
    }
}
