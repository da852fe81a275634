package msnscope.export;

import java.util.Locale;

/** What an export hides. Each mode hides everything the one before it hides. */
public enum RedactMode {
    /** Exact traffic. */
    NONE,
    /** Login secrets and switchboard cookies: parameters of type {@code secret}/{@code cookie} and the secret MIME headers. */
    SECRETS,
    /** {@link #SECRETS}, plus what people wrote: chat text, P2P data, names of offered files. */
    MESSAGES;

    public boolean hidesSecrets() {
        return this != NONE;
    }

    public boolean hidesMessages() {
        return this == MESSAGES;
    }

    /** {@code none}, {@code secrets} or {@code messages}; null for anything else. */
    public static RedactMode parse(String s) {
        if (s == null) {
            return null;
        }
        return switch (s.trim().toLowerCase(Locale.ROOT)) {
            case "none" -> NONE;
            case "secrets", "secret" -> SECRETS;
            case "messages", "message" -> MESSAGES;
            default -> null;
        };
    }

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
