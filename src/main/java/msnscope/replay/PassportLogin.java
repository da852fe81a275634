package msnscope.replay;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Gets a Tweener ticket the way an MSNP8–14 client does (Passport 1.4, MSNP.md §5.3): asks the nexus for the
 * login server ({@code PassportURLs: …,DALogin=host/path,…}) unless a login URL is given, then sends the
 * account, password and the server's {@code USR … TWN S} challenge in an {@code Authorization} header and
 * reads the ticket from {@code Authentication-Info: … from-PP='t=…&p=…'}. Redirects are followed by hand,
 * sending the credentials again, as Passport expects.
 */
public final class PassportLogin {

    public static final URI NEXUS = URI.create("https://nexus.passport.com/rdr/pprdr.asp");
    /** What a real client names as the page it signs in for. */
    private static final String ORG_URL = "http%3A%2F%2Fmessenger%2Emsn%2Ecom";
    private static final int MAX_REDIRECTS = 5;
    private static final Pattern DA_LOGIN = Pattern.compile("(?:^|,)\\s*DALogin=([^,]+)");
    private static final Pattern FROM_PP = Pattern.compile("from-PP='([^']*)'");

    private final URI loginUrl;
    private final URI nexus;
    private final Duration timeout;
    private final HttpClient http;

    /** @param loginUrl the login server itself, or null to ask the nexus for it */
    public PassportLogin(URI loginUrl, Duration timeout) {
        this(loginUrl, NEXUS, timeout);
    }

    /** Asks {@code nexus} (a stand-in for the real one) for the login server. */
    static PassportLogin viaNexus(URI nexus, Duration timeout) {
        return new PassportLogin(null, nexus, timeout);
    }

    private PassportLogin(URI loginUrl, URI nexus, Duration timeout) {
        this.loginUrl = loginUrl;
        this.nexus = nexus;
        this.timeout = timeout;
        this.http = HttpClient.newBuilder().connectTimeout(timeout).followRedirects(HttpClient.Redirect.NEVER).build();
    }

    /** The ticket ({@code t=…&p=…}) for {@code USR … TWN S}. */
    public String ticket(String account, String password, String challenge) throws PassportException {
        URI url = loginUrl != null ? loginUrl : loginServer();
        String auth = "Passport1.4 OrgVerb=GET,OrgURL=" + ORG_URL + ",sign-in=" + enc(account) + ",pwd=" + enc(password) + "," + challenge;
        for (int hop = 0; hop <= MAX_REDIRECTS; hop++) {
            HttpResponse<Void> r = get(url, auth);
            int status = r.statusCode();
            if (status == 302 || status == 301 || status == 307) {
                Optional<String> location = r.headers().firstValue("Location");
                if (location.isEmpty()) {
                    throw new PassportException("passport: " + url + " redirected without a Location");
                }
                url = url.resolve(location.get());
                continue;
            }
            if (status == 401) {
                throw new PassportException("passport: " + url + " refused the password for " + account);
            }
            String info = r.headers().firstValue("Authentication-Info").orElse("");
            Matcher m = FROM_PP.matcher(info);
            if (status != 200 || !m.find()) {
                throw new PassportException("passport: " + url + " answered HTTP " + status + " without a ticket");
            }
            return m.group(1);
        }
        throw new PassportException("passport: more than " + MAX_REDIRECTS + " redirects from " + (loginUrl != null ? loginUrl : nexus));
    }

    /** The login server the nexus names. */
    private URI loginServer() throws PassportException {
        HttpResponse<Void> r = get(nexus, null);
        String urls = r.headers().firstValue("PassportURLs").orElse("");
        Matcher m = DA_LOGIN.matcher(urls);
        if (!m.find()) {
            throw new PassportException("passport: the nexus " + nexus + " named no login server (HTTP " + r.statusCode() + ")");
        }
        String da = m.group(1).trim();
        try {
            return URI.create(da.contains("://") ? da : "https://" + da);
        } catch (IllegalArgumentException e) {
            throw new PassportException("passport: the nexus named a bad login server '" + da + "'");
        }
    }

    private HttpResponse<Void> get(URI url, String authorization) throws PassportException {
        HttpRequest.Builder b = HttpRequest.newBuilder(url).timeout(timeout).GET();
        if (authorization != null) {
            b.header("Authorization", authorization);
        }
        try {
            return http.send(b.build(), HttpResponse.BodyHandlers.discarding());
        } catch (IOException e) {
            String why = e.getMessage() == null || e.getMessage().isBlank() ? "no answer" : e.getMessage().lines().findFirst().orElse("");
            throw new PassportException("passport: cannot reach " + url + ": " + why);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new PassportException("passport: interrupted while asking " + url);
        } catch (IllegalArgumentException e) {
            throw new PassportException("passport: bad login URL " + url);
        }
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
