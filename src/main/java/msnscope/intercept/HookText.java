package msnscope.intercept;

/** What the hook wrote, quoted in a warning: one short line whatever it was (a stack trace, binary, a megabyte of JSON). */
final class HookText {

    static final int MAX = 80;

    private HookText() {
    }

    /** {@code s} with control characters shown as {@code ?} and cut to {@value #MAX} characters (marked {@code …}). */
    static String clip(String s) {
        StringBuilder sb = new StringBuilder(Math.min(s.length(), MAX + 1));
        for (int i = 0; i < s.length() && sb.length() < MAX; i++) {
            char c = s.charAt(i);
            sb.append(Character.isISOControl(c) ? '?' : c);
        }
        return s.length() > MAX ? sb.append('…').toString() : sb.toString();
    }
}
