package msnscope.proxy;

/**
 * A TCP endpoint as MSNP writes it: {@code host:port}, where host is an IPv4 literal or a host name
 * (MSNP has no syntax for IPv6 literals; {@code [v6]:port} is accepted for the command line only).
 */
public record HostPort(String host, int port) {

    public HostPort {
        if (host == null || host.isEmpty()) {
            throw new IllegalArgumentException("empty host");
        }
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("port out of range: " + port);
        }
    }

    /**
     * Parses {@code host:port} as a person types it; throws {@link IllegalArgumentException} with a message
     * that says what is wrong with it (the port's range, the brackets an IPv6 address needs).
     */
    public static HostPort parse(String s) {
        HostPort hp = tryParse(s);
        if (hp == null) {
            throw new IllegalArgumentException(whyNot(s));
        }
        return hp;
    }

    /** What is wrong with a {@code host:port} that {@link #tryParse} refused. */
    private static String whyNot(String s) {
        String quoted = "'" + s + "'";
        int colon = s.lastIndexOf(':');
        if (colon < 0) {
            return quoted + " has no port: write HOST:PORT, e.g. 127.0.0.1:1863";
        }
        String host = s.substring(0, colon);
        String port = s.substring(colon + 1);
        boolean bracketed = host.startsWith("[") && host.endsWith("]");
        if (!bracketed && host.indexOf(':') >= 0) {
            return quoted + ": write an IPv6 address in brackets, e.g. [::1]:1863";
        }
        if (host.isEmpty() || bracketed && host.length() == 2) {
            return quoted + " has no host: write HOST:PORT, e.g. 127.0.0.1:1863";
        }
        if (port.isEmpty()) {
            return quoted + " has no port: write HOST:PORT, e.g. 127.0.0.1:1863";
        }
        if (!port.chars().allMatch(c -> c >= '0' && c <= '9')) {
            return quoted + ": the port must be a number from 1 to 65535, not '" + port + "'";
        }
        if (port.length() > 5 || Integer.parseInt(port) > 65535) {
            return quoted + ": the port must be 1–65535, not " + port;
        }
        return quoted + ": '" + host + "' is not a host name or IP address";
    }

    /** Parses {@code host:port}, or returns null when the token is not one (e.g. the {@code 0} of {@code XFR 0 NS 0}). */
    public static HostPort tryParse(String s) {
        if (s == null) {
            return null;
        }
        int colon = s.lastIndexOf(':');
        if (colon <= 0 || colon == s.length() - 1 || colon < s.length() - 6) {
            return null;
        }
        String host = s.substring(0, colon);
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        } else if (host.indexOf(':') >= 0) {
            return null;
        }
        int port = 0;
        for (int i = colon + 1; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < '0' || c > '9') {
                return null;
            }
            port = port * 10 + (c - '0');
        }
        if (port > 65535 || host.isEmpty()) {
            return null;
        }
        for (int i = 0; i < host.length(); i++) {
            char c = host.charAt(i);
            if (!(Character.isLetterOrDigit(c) || c == '.' || c == '-' || c == '_' || c == ':' || c == '%')) {
                return null;
            }
        }
        return new HostPort(host, port);
    }

    @Override
    public String toString() {
        return (host.indexOf(':') >= 0 ? "[" + host + "]" : host) + ":" + port;
    }
}
