package msnscope.export;

import msnscope.dissect.ConnectionLog;
import msnscope.dissect.Dissection;
import msnscope.support.Captures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.w3c.dom.Document;
import org.w3c.dom.Element;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static msnscope.export.ExportTestSupport.byClass;
import static msnscope.export.ExportTestSupport.byId;
import static msnscope.export.ExportTestSupport.dissect;
import static msnscope.export.ExportTestSupport.elements;
import static msnscope.export.ExportTestSupport.xml;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HtmlExportTest {

    static Stream<Path> captures() {
        return Captures.transcripts().stream();
    }

    private static String html(List<ConnectionLog> connections, SessionMeta meta) {
        return new HtmlExport().render(connections, meta, null);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("captures")
    void wellFormedWithEveryFrameLineOnce(Path capture) {
        List<ConnectionLog> connections = Captures.dissect(capture).connections();
        String page = html(connections, SessionMeta.offline(Captures.name(capture)));
        Document doc = xml(page);
        List<Element> rows = byClass(doc, "tr", "frame");
        int frames = 0;
        Set<String> ids = new HashSet<>();
        for (ConnectionLog c : connections) {
            for (Dissection d : c.frames()) {
                frames++;
                Element row = byId(doc, Redactor.key(d));
                assertNotNull(row, "row " + Redactor.key(d));
                List<Element> lines = byClass(row, "div", "line");
                assertEquals(1, lines.size(), "one line element in " + Redactor.key(d));
                assertEquals(d.frame().line(), lines.get(0).getTextContent(), "line of " + Redactor.key(d));
                assertEquals(d.command() == null ? "?" : d.command(), row.getAttribute("data-cmd"));
                assertEquals(c.id(), row.getAttribute("data-conn"));
                assertEquals(d.warnings().isEmpty() ? "0" : "1", row.getAttribute("data-warn"));
                for (var w : d.warnings()) {
                    assertTrue(row.getTextContent().contains(w.code()), "warning code shown in " + Redactor.key(d));
                }
                if (d.frame().hasPayload()) {
                    assertEquals(1, byClass(row, "details", "payload").size(), "collapsible payload in " + Redactor.key(d));
                }
                if (d.replyTo() != null) {
                    String target = "#" + d.stream() + "-" + d.replyTo();
                    assertTrue(byClass(row, "a", "reply").stream().anyMatch(a -> a.getAttribute("href").equals(target)),
                            "reply link in " + Redactor.key(d));
                }
                ids.add(Redactor.key(d));
            }
        }
        assertEquals(frames, rows.size(), "one row per frame");
        assertEquals(frames, byClass(doc, "div", "line").size(), "every line exactly once");
        // every in-page link points at an element of the page
        for (Element a : elements(doc, "a")) {
            String href = a.getAttribute("href");
            assertTrue(href.startsWith("#"), "only in-page links: " + href);
            assertNotNull(byId(doc, href.substring(1)), "link target " + href);
        }
        assertTrue(ids.size() == frames);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("captures")
    void selfContainedWithFilterBox(Path capture) {
        String page = html(Captures.dissect(capture).connections(), SessionMeta.offline("x"));
        Document doc = xml(page);
        assertEquals(1, elements(doc, "script").size(), "only our script");
        assertEquals(1, elements(doc, "style").size());
        assertTrue(elements(doc, "link").isEmpty() && elements(doc, "img").isEmpty() && elements(doc, "iframe").isEmpty()
                && elements(doc, "object").isEmpty() && elements(doc, "embed").isEmpty());
        for (Element e : elements(doc, "*")) {
            for (String attr : List.of("src", "href", "action", "xlink:href", "srcset", "poster", "data")) {
                String v = e.getAttribute(attr);
                assertTrue(v.isEmpty() || v.startsWith("#"), e.getTagName() + " " + attr + "=" + v);
            }
        }
        String css = elements(doc, "style").get(0).getTextContent();
        assertFalse(css.contains("@import") || css.contains("@font-face") || css.contains("url("), "CSS loads nothing");
        assertFalse(elements(doc, "script").get(0).getTextContent().matches("(?s).*(fetch|XMLHttpRequest|import\\(|https?:).*"));
        Matcher urls = Pattern.compile("url\\(([^)]*)\\)").matcher(page);
        while (urls.find()) {
            assertEquals("#ah", urls.group(1), "only the arrow marker is referenced");
        }
        assertEquals("search", byId(doc, "q").getAttribute("type"));
        assertEquals("select", byId(doc, "fcmd").getTagName());
        assertEquals("select", byId(doc, "fconn").getTagName());
        assertEquals("checkbox", byId(doc, "fwarn").getAttribute("type"));
    }

    @Test
    void payloadsAndLinesAreInert() {
        String evil = "MIME-Version: 1.0\r\nContent-Type: text/plain; charset=UTF-8\r\n\r\n<script>alert(1)</script>\"'&amp;<img src=x onerror=alert(2)>]]>";
        int len = evil.getBytes(StandardCharsets.UTF_8).length;
        String t = "Client opens a connection to 10.0.0.7:1864\n\nC: USR 1 alice@example.com 1.2.3\nS: USR 1 OK alice@example.com <b>Alice</b>\n"
                + "S: MSG bob@example.com <script>alert(3)</script> " + len + "\n" + evil.replace("\r\n", "\n") + "\n"
                + "S: JOI bob@example.com %3Cscript%3Ealert(4)%3C/script%3E\n"
                + "C@ " + java.util.Base64.getEncoder().encodeToString("BAD \u0001\u0000 <svg onload=alert(5)>\r\n".getBytes(StandardCharsets.ISO_8859_1)) + "\n";
        List<ConnectionLog> s = dissect("evil", t).connections();
        String page = html(s, SessionMeta.offline("<script>alert(6)</script>"));
        Document doc = xml(page);
        assertEquals(1, elements(doc, "script").size(), "no script element from the traffic");
        assertTrue(elements(doc, "img").isEmpty(), "no markup from the traffic");
        assertFalse(page.contains("<b>Alice"));
        assertTrue(page.contains("&lt;b&gt;Alice&lt;/b&gt;"));
        assertEquals(0, byClass(doc, "svg", "x").size());
        assertEquals(1, elements(doc, "svg").size(), "only the sequence diagram");
        assertFalse(page.contains("<script>alert"));
        assertFalse(page.contains("<img"));
        assertTrue(page.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
        assertTrue(page.contains("&amp;amp;"));
        for (Element e : elements(doc, "*")) {
            for (int i = 0; i < e.getAttributes().getLength(); i++) {
                assertFalse(e.getAttributes().item(i).getNodeName().startsWith("on"), "event handler attribute on " + e.getTagName());
            }
        }
    }

    @Test
    void oneLifelinePerServerAndArrowsForReferrals() {
        List<ConnectionLog> circles = Captures.dissect(Path.of("captures", "msnp18-circles.txt")).connections();
        Document doc = xml(html(circles, SessionMeta.offline("c")));
        Set<String> servers = new LinkedHashSet<>();
        for (ConnectionLog c : circles) {
            servers.add(c.server());
        }
        assertEquals(2, servers.size(), "NS and one SB address for three connections");
        assertEquals(servers.size(), byClass(doc, "g", "server").size());
        assertEquals(1, byClass(doc, "g", "client").size());
        assertEquals(0, byClass(doc, "g", "proxy").size());
        int referrals = 0;
        for (ConnectionLog c : circles) {
            for (Dissection d : c.frames()) {
                if (d.fields().get("referral") instanceof Map<?, ?>) {
                    referrals++;
                }
            }
        }
        assertEquals(2, referrals, "RNG and XFR SB (the session starts at the NS)");
        List<Element> refArrows = byClass(doc, "g", "ref");
        assertEquals(referrals, refArrows.size());
        assertEquals(circles.size(), byClass(doc, "g", "open").size());
        String svg = elements(doc, "svg").get(0).getTextContent();
        assertTrue(svg.contains("⇒ c2") && svg.contains("⇒ c3"), "referrals name the connection they led to: " + svg);

        List<ConnectionLog> chat = Captures.dissect(Path.of("captures", "msnp11-chat.txt")).connections();
        Document proxied = xml(html(chat, new SessionMeta("p", true, Map.of("c3",
                new SessionMeta.Endpoints("127.0.0.1:50123", "127.0.0.1:1864", "10.0.0.7:1864")))));
        assertEquals(3, byClass(proxied, "g", "server").size());
        assertEquals(1, byClass(proxied, "g", "proxy").size());
        assertEquals(2 * chat.size(), byClass(proxied, "g", "open").size(), "client → msnscope → server");
        assertTrue(proxied.getDocumentElement().getTextContent().contains("127.0.0.1:1864"));
    }

    @Test
    void headerHasTheSessionFacts() {
        List<ConnectionLog> s = Captures.dissect(Path.of("captures", "msnp12-errors.txt")).connections();
        Document doc = xml(html(s, SessionMeta.offline("msnp12-errors")));
        String header = elements(doc, "header").get(0).getTextContent();
        assertTrue(header.contains("msnp12-errors"));
        assertTrue(header.contains("alice@example.com"));
        assertTrue(header.contains("MSNP12"));
        assertTrue(header.contains("error-reply"), "warning codes listed: " + header);
        assertTrue(header.contains("Connections" + s.size()) || header.contains(Integer.toString(s.size())));
    }
}
