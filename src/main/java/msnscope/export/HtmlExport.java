package msnscope.export;

import msnscope.dissect.ConnectionLog;
import msnscope.dissect.Dissection;
import msnscope.dissect.Warning;
import msnscope.wire.Direction;
import msnscope.wire.Frame;

import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * One self-contained HTML page for a session: header facts, the connections, a sequence diagram (inline
 * SVG) of who connected where and which referral sent the client there, and the annotated timeline of
 * every frame with collapsible payloads and a filter box. Inline CSS and JavaScript only: no network, no
 * external fonts, nothing to fetch.
 *
 * <p>Every byte of traffic is attacker-controlled: all text goes through {@link #esc}, control characters
 * are shown as visible symbols, and the page is well-formed XML as well as HTML (the tests parse it).
 */
public final class HtmlExport {

    private static final int MAX_HEX_BYTES = 16 * 1024;
    private static final int MAX_TEXT_CHARS = 256 * 1024;
    private static final int COLOURS = 8;

    /** Writes the page. {@code redaction} (may be null) adds the per-frame redaction notes. */
    public void write(List<ConnectionLog> connections, SessionMeta meta, Redactor.Result redaction, Writer out) throws IOException {
        out.write(render(connections, meta, redaction));
        out.flush();
    }

    public String render(List<ConnectionLog> connections, SessionMeta meta, Redactor.Result redaction) {
        Page p = new Page(connections, meta == null ? SessionMeta.offline(sessionOf(connections)) : meta, redaction);
        return p.render();
    }

    private static String sessionOf(List<ConnectionLog> connections) {
        for (ConnectionLog c : connections) {
            if (!c.frames().isEmpty()) {
                return c.frames().get(0).session();
            }
        }
        return "session";
    }

    // ---- one page ------------------------------------------------------------------------------------

    private static final class Page {
        final List<ConnectionLog> connections;
        final SessionMeta meta;
        final Redactor.Result redaction;
        final StringBuilder h = new StringBuilder(1 << 16);
        final Map<String, Integer> colour = new HashMap<>();
        final Map<String, ConnectionLog> byId = new LinkedHashMap<>();
        final Map<String, List<String>> answeredBy = new HashMap<>();
        final boolean timed;
        final Long start;
        final Long end;

        Page(List<ConnectionLog> connections, SessionMeta meta, Redactor.Result redaction) {
            this.connections = connections;
            this.meta = meta;
            this.redaction = redaction;
            boolean allTimed = true;
            Long lo = null;
            Long hi = null;
            int i = 0;
            for (ConnectionLog c : connections) {
                colour.put(c.id(), i++ % COLOURS);
                byId.put(c.id(), c);
                for (Dissection d : c.frames()) {
                    Long t = d.timeMicros();
                    if (t == null) {
                        allTimed = false;
                    } else {
                        lo = lo == null ? t : Math.min(lo, t);
                        hi = hi == null ? t : Math.max(hi, t);
                    }
                    if (d.replyTo() != null) {
                        answeredBy.computeIfAbsent(d.stream() + "-" + d.replyTo(), k -> new ArrayList<>()).add(Redactor.key(d));
                    }
                }
            }
            this.timed = allTimed && lo != null;
            this.start = lo;
            this.end = hi;
        }

        String render() {
            h.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\"/>\n")
                    .append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"/>\n")
                    .append("<meta name=\"generator\" content=\"msnscope\"/>\n")
                    .append("<title>msnscope · session ").append(esc(meta.sessionId())).append("</title>\n")
                    .append("<style>/*<![CDATA[*/\n").append(CSS).append("/*]]>*/</style>\n</head>\n<body>\n");
            header();
            connectionsTable();
            diagram();
            timeline();
            h.append("<footer>Written by msnscope. This file is self-contained: it loads nothing from the network.");
            if (redaction != null) {
                h.append(" Redacted (").append(esc(redaction.mode().label())).append("): hidden values are replaced by placeholders; ")
                        .append("the same value has the same placeholder throughout the session.");
            }
            h.append("</footer>\n");
            h.append("<script>//<![CDATA[\n").append(JS).append("//]]></script>\n</body>\n</html>\n");
            return h.toString();
        }

        // ---- header ----------------------------------------------------------------------------------

        void header() {
            Set<String> accounts = new LinkedHashSet<>();
            Set<Integer> versions = new TreeSet<>();
            int frames = 0;
            int c2s = 0;
            int warnings = 0;
            int warnedFrames = 0;
            int errors = 0;
            int edited = 0;
            int made = 0;
            long bytes = 0;
            Map<String, Integer> codes = new TreeMap<>();
            for (ConnectionLog c : connections) {
                if (c.account() != null) {
                    accounts.add(c.account());
                }
                if (c.version() > 0) {
                    versions.add(c.version());
                }
                for (Dissection d : c.frames()) {
                    frames++;
                    bytes += d.frame().size();
                    if (d.direction() == Direction.C2S) {
                        c2s++;
                    }
                    if (!d.warnings().isEmpty()) {
                        warnedFrames++;
                    }
                    if (d.edit() != null) {
                        edited += d.edit().made() ? 0 : 1;
                        made += d.edit().made() ? 1 : 0;
                    }
                    for (Warning w : d.warnings()) {
                        warnings++;
                        codes.merge(w.code(), 1, Integer::sum);
                        if (w.code().equals(Warning.ERROR_REPLY)) {
                            errors++;
                        }
                    }
                }
            }
            h.append("<header class=\"top\">\n<div class=\"brand\">msnscope <span>session report</span></div>\n");
            h.append("<h1>Session <code>").append(esc(meta.sessionId())).append("</code></h1>\n<div class=\"badges\">");
            h.append(meta.proxied() ? "<span class=\"badge proxy\">proxied through msnscope</span>"
                    : "<span class=\"badge\">offline capture</span>");
            if (redaction != null) {
                h.append("<span class=\"badge red\">redacted: ").append(esc(redaction.mode().label())).append("</span>");
            }
            if (!timed) {
                h.append("<span class=\"badge\">no timestamps</span>");
            }
            h.append("</div>\n<dl class=\"facts\">\n");
            fact("Accounts", accounts.isEmpty() ? "—" : String.join(", ", accounts));
            List<String> vs = new ArrayList<>();
            for (int v : versions) {
                vs.add("MSNP" + v);
            }
            fact("Versions", vs.isEmpty() ? "unknown" : String.join(", ", vs));
            if (timed) {
                fact("Time span", FrameJson.isoTime(start) + " → " + FrameJson.isoTime(end) + "  (" + seconds(end - start) + ")");
            } else {
                fact("Time span", "not recorded in the source");
            }
            fact("Connections", Integer.toString(connections.size()));
            fact("Frames", frames + "  (" + c2s + " client → server, " + (frames - c2s) + " server → client, " + bytes + " bytes)");
            fact("Warnings", warnings + " in " + warnedFrames + " frames" + (errors > 0 ? ", " + errors + " error replies" : ""));
            if (edited + made > 0) {
                // Rules and the hook changed traffic: say so up front; the filter box finds each one ("edited", "rule 2").
                fact("Edited", edited + " frames changed by rules or the hook, " + made + " made by msnscope");
            }
            if (redaction != null) {
                List<String> kinds = new ArrayList<>();
                redaction.counts().forEach((k, n) -> kinds.add(n + " × " + k));
                fact("Redacted", redaction.changedFrames() + " frames changed" + (kinds.isEmpty() ? "" : "; " + String.join(", ", kinds)));
            }
            h.append("</dl>\n");
            if (!codes.isEmpty()) {
                h.append("<div class=\"codes\">");
                codes.forEach((code, n) -> h.append("<button type=\"button\" class=\"code w-").append(esc(codeClass(code)))
                        .append("\" data-q=\"").append(esc(code)).append("\" title=\"show only frames with this warning\">")
                        .append(esc(code)).append(" <b>").append(n).append("</b></button>"));
                h.append("</div>\n");
            }
            h.append("</header>\n");
        }

        void fact(String name, String value) {
            h.append("<div><dt>").append(esc(name)).append("</dt><dd>").append(esc(value)).append("</dd></div>\n");
        }

        // ---- connections -----------------------------------------------------------------------------

        void connectionsTable() {
            h.append("<section id=\"connections\">\n<h2>Connections</h2>\n<table class=\"conns\">\n<thead><tr><th>id</th><th>role</th>")
                    .append("<th>server</th>").append(meta.proxied() ? "<th>via msnscope</th>" : "")
                    .append("<th>client</th><th>account</th><th>version</th><th>frames</th><th>warnings</th><th>first line</th></tr></thead>\n<tbody>\n");
            for (ConnectionLog c : connections) {
                SessionMeta.Endpoints e = meta.endpoints(c);
                int w = 0;
                for (Dissection d : c.frames()) {
                    w += d.warnings().size();
                }
                String first = c.frames().isEmpty() ? "" : c.frames().get(0).frame().line();
                h.append("<tr><td>").append(chip(c.id())).append("</td><td>").append(esc(role(c))).append("</td><td class=\"mono\">")
                        .append(esc(or(e.server(), "unknown"))).append("</td>");
                if (meta.proxied()) {
                    h.append("<td class=\"mono\">").append(esc(or(e.proxy(), "—"))).append("</td>");
                }
                h.append("<td class=\"mono\">").append(esc(or(e.client(), "—"))).append("</td><td>").append(esc(or(c.account(), "—")))
                        .append("</td><td>").append(c.version() > 0 ? "MSNP" + c.version() : "—").append("</td><td class=\"num\">")
                        .append(c.frames().size()).append("</td><td class=\"num").append(w > 0 ? " hot" : "").append("\">").append(w)
                        .append("</td><td class=\"mono first\">");
                if (!c.frames().isEmpty()) {
                    h.append("<a href=\"#").append(esc(Redactor.key(c.frames().get(0)))).append("\">").append(esc(shorten(first, 60))).append("</a>");
                }
                h.append("</td></tr>\n");
            }
            h.append("</tbody>\n</table>\n</section>\n");
        }

        // ---- sequence diagram ------------------------------------------------------------------------

        private record Lifeline(String key, String title, String subtitle, String cls, int x) {
        }

        private record Event(int kind, long order, ConnectionLog c, Dissection d, ConnectionLog target) {
            static final int OPEN = 0;
            static final int REFERRAL = 1;
            static final int CLOSE = 2;
        }

        void diagram() {
            List<Lifeline> lanes = new ArrayList<>();
            Map<String, Lifeline> laneOf = new HashMap<>();
            int gap = 250;
            // One lane per client account, so a two-user capture shows whose connection got each RNG.
            Map<String, Lifeline> clientOf = new HashMap<>();
            Map<String, List<ConnectionLog>> byClient = byClient();
            int x = 0;
            for (Map.Entry<String, List<ConnectionLog>> e : byClient.entrySet()) {
                String account = e.getKey().isEmpty() ? (byClient.size() == 1 ? "" : "account unknown") : e.getKey();
                x = lanes.isEmpty() ? 8 + boxWidth("Client", account, gap) / 2 : x + gap;
                Lifeline l = new Lifeline("client:" + e.getKey(), "Client", account, "client", x);
                lanes.add(l);
                for (ConnectionLog c : e.getValue()) {
                    clientOf.put(c.id(), l);
                }
            }
            Lifeline proxy = null;
            if (meta.proxied()) {
                x += gap;
                proxy = new Lifeline("proxy", "msnscope", "proxy", "proxy", x);
                lanes.add(proxy);
            }
            Map<String, List<ConnectionLog>> byServer = new LinkedHashMap<>();
            for (ConnectionLog c : connections) {
                byServer.computeIfAbsent(serverKey(c), k -> new ArrayList<>()).add(c);
            }
            for (Map.Entry<String, List<ConnectionLog>> e : byServer.entrySet()) {
                x += gap;
                Set<String> roles = new LinkedHashSet<>();
                List<String> ids = new ArrayList<>();
                for (ConnectionLog c : e.getValue()) {
                    roles.add(role(c));
                    ids.add(c.id());
                }
                String address = meta.endpoints(e.getValue().get(0)).server();
                Lifeline l = new Lifeline(e.getKey(), String.join("/", roles) + " " + or(address, "(address unknown)"),
                        String.join(" ", ids), "server", x);
                lanes.add(l);
                for (ConnectionLog c : e.getValue()) {
                    laneOf.put(c.id(), l);
                }
            }
            int width = x + 130;

            List<Event> events = events();
            int top = 70;
            int row = 38;
            int height = top + row * (events.size() + 1) + 30;
            h.append("<section id=\"diagram\">\n<h2>Sequence</h2>\n<p class=\"hint\">Connections and the referrals (")
                    .append("<code>XFR NS</code>, <code>XFR SB</code>, <code>RNG</code>) that led to them")
                    .append(timed ? ", in time order" : ", in the order the source lists them")
                    .append(". Click an arrow to jump to its frame.</p>\n<div class=\"svgwrap\">\n");
            h.append("<svg class=\"seq\" width=\"").append(width).append("\" height=\"").append(height).append("\" viewBox=\"0 0 ")
                    .append(width).append(' ').append(height).append("\" role=\"img\" aria-label=\"sequence diagram\">\n");
            h.append("<defs><marker id=\"ah\" viewBox=\"0 0 10 10\" refX=\"9\" refY=\"5\" markerWidth=\"7\" markerHeight=\"7\" orient=\"auto-start-reverse\">")
                    .append("<path d=\"M0,0 L10,5 L0,10 z\" class=\"head\"/></marker></defs>\n");
            for (Lifeline l : lanes) {
                h.append("<g class=\"lifeline ").append(l.cls).append("\" data-key=\"").append(esc(l.key)).append("\">");
                h.append("<line x1=\"").append(l.x).append("\" y1=\"").append(top - 14).append("\" x2=\"").append(l.x).append("\" y2=\"")
                        .append(height - 10).append("\"/>");
                int w = boxWidth(l.title, l.subtitle, gap);
                h.append("<rect x=\"").append(l.x - w / 2).append("\" y=\"8\" width=\"").append(w).append("\" height=\"44\" rx=\"6\"/>");
                h.append("<text x=\"").append(l.x).append("\" y=\"27\" class=\"title\">").append(esc(shorten(l.title, 28))).append("</text>");
                h.append("<text x=\"").append(l.x).append("\" y=\"44\" class=\"sub\">").append(esc(shorten(l.subtitle, 30))).append("</text>");
                h.append("</g>\n");
            }
            // activation bars: from a connection's open row to its close row
            Map<String, Integer> openRow = new HashMap<>();
            Map<String, Integer> closeRow = new HashMap<>();
            for (int i = 0; i < events.size(); i++) {
                Event ev = events.get(i);
                if (ev.kind == Event.OPEN) {
                    openRow.put(ev.c.id(), i);
                } else if (ev.kind == Event.CLOSE) {
                    closeRow.put(ev.c.id(), i);
                }
            }
            Map<String, Integer> stack = new HashMap<>();
            Map<String, Integer> barX = new HashMap<>();
            for (ConnectionLog c : connections) {
                Lifeline l = laneOf.get(c.id());
                int o = openRow.getOrDefault(c.id(), 0);
                int cl = closeRow.getOrDefault(c.id(), o);
                int depth = 0;
                for (ConnectionLog other : connections) {
                    if (other == c) {
                        break;
                    }
                    if (laneOf.get(other.id()) == l && closeRow.getOrDefault(other.id(), 0) >= o) {
                        depth++;
                    }
                }
                stack.put(c.id(), depth);
                int bx = l.x - 5 + depth * 6;
                barX.put(c.id(), bx);
                int y1 = top + row * o + 18;
                int y2 = top + row * cl + 18;
                h.append("<rect class=\"bar k").append(colour.get(c.id())).append("\" x=\"").append(bx).append("\" y=\"").append(y1)
                        .append("\" width=\"10\" height=\"").append(Math.max(8, y2 - y1)).append("\"><title>").append(esc(c.id() + " · " + role(c)
                        + " · " + c.frames().size() + " frames")).append("</title></rect>\n");
            }
            for (int i = 0; i < events.size(); i++) {
                Event ev = events.get(i);
                Lifeline client = clientOf.get(ev.c.id());
                int y = top + row * i + 18;
                Lifeline server = laneOf.get(ev.c.id());
                int sx = barX.get(ev.c.id());
                String k = "k" + colour.get(ev.c.id());
                switch (ev.kind) {
                    case Event.OPEN -> {
                        String first = ev.d == null ? "" : ev.d.frame().line();
                        String label = ev.c.id() + " · " + role(ev.c) + (first.isEmpty() ? "" : " · " + first);
                        SessionMeta.Endpoints e = meta.endpoints(ev.c);
                        String href = ev.d == null ? null : "#" + Redactor.key(ev.d);
                        if (proxy != null) {
                            arrow(client.x + 6, proxy.x - 6, y, "open " + k, ev.c.id() + " · connect to " + or(e.proxy(), "msnscope"), null, href,
                                    proxy.x - client.x);
                            arrow(proxy.x + 6, sx - 1, y, "open " + k, label, null, href, server.x - proxy.x);
                        } else {
                            arrow(client.x + 6, sx - 1, y, "open " + k, label, null, href, server.x - client.x);
                        }
                    }
                    case Event.REFERRAL -> {
                        @SuppressWarnings("unchecked")
                        Map<String, Object> ref = (Map<String, Object>) ev.d.fields().get("referral");
                        StringBuilder label = new StringBuilder();
                        label.append(ev.d.command()).append(ev.d.trid() == null || ev.d.trid() == 0 ? "" : " " + ev.d.trid()).append(' ')
                                .append(ref.get("kind"));
                        if (ref.get("cookie") != null) {
                            label.append(" · ").append(ref.get("cookie"));
                        }
                        if (ev.target != null) {
                            label.append(" ⇒ ").append(ev.target.id());
                        }
                        String to = "to " + ref.get("address");
                        String href = "#" + Redactor.key(ev.d);
                        if (proxy != null) {
                            arrow(sx - 1, proxy.x + 6, y, "ref " + k, label.toString(), to, href, gap);
                            String via = ev.target == null ? null : meta.endpoints(ev.target).proxy();
                            arrow(proxy.x - 6, client.x + 6, y, "ref " + k, via == null ? "rewritten to msnscope" : "rewritten to " + via,
                                    null, href, proxy.x - client.x);
                        } else {
                            arrow(sx - 1, client.x + 6, y, "ref " + k, label.toString(), to, href, server.x - client.x);
                        }
                    }
                    default -> {
                        String why = ev.d == null ? "closed" : "closed after " + shorten(ev.d.frame().line(), 24);
                        h.append("<g class=\"close ").append(k).append("\"><a href=\"#").append(esc(ev.d == null ? ev.c.id() : Redactor.key(ev.d)))
                                .append("\"><path d=\"M").append(sx).append(',').append(y - 5).append(" l10,10 m0,-10 l-10,10\"/>")
                                .append("<text x=\"").append(sx + 16).append("\" y=\"").append(y + 4).append("\">").append(esc(ev.c.id() + " " + why))
                                .append("</text></a></g>\n");
                    }
                }
            }
            h.append("</svg>\n</div>\n</section>\n");
        }

        int boxWidth(String title, String subtitle, int gap) {
            return Math.max(120, Math.min(gap - 16, 8 * Math.max(Math.min(title.length(), 28), Math.min(subtitle.length(), 30)) + 20));
        }

        void arrow(int x1, int x2, int y, String cls, String label, String sub, String href, int span) {
            int maxChars = Math.max(12, Math.abs(span) / 7 - 4);
            h.append("<g class=\"arrow ").append(cls).append("\">");
            if (href != null) {
                h.append("<a href=\"").append(esc(href)).append("\">");
            }
            h.append("<title>").append(esc(sub == null ? label : label + " " + sub)).append("</title>");
            h.append("<line x1=\"").append(x1).append("\" y1=\"").append(y).append("\" x2=\"").append(x2).append("\" y2=\"").append(y)
                    .append("\" marker-end=\"url(#ah)\"/>");
            h.append("<text x=\"").append((x1 + x2) / 2).append("\" y=\"").append(y - 6).append("\">").append(esc(shorten(label, maxChars)))
                    .append("</text>");
            if (sub != null) {
                h.append("<text class=\"sub\" x=\"").append((x1 + x2) / 2).append("\" y=\"").append(y + 13).append("\">")
                        .append(esc(shorten(sub, maxChars + 4))).append("</text>");
            }
            if (href != null) {
                h.append("</a>");
            }
            h.append("</g>\n");
        }

        List<Event> events() {
            List<Event> out = new ArrayList<>();
            Set<String> used = new HashSet<>();
            long n = 0;
            for (ConnectionLog c : connections) {
                List<Dissection> fs = c.frames();
                Dissection first = fs.isEmpty() ? null : fs.get(0);
                out.add(new Event(Event.OPEN, timed && first != null ? first.timeMicros() : n, c, first, null));
                n++;
                for (Dissection d : fs) {
                    if (d.fields().get("referral") instanceof Map<?, ?> ref) {
                        ConnectionLog target = target(c, d, ref, used);
                        out.add(new Event(Event.REFERRAL, timed ? d.timeMicros() : n, c, d, target));
                        n++;
                    }
                }
                Dissection last = fs.isEmpty() ? null : fs.get(fs.size() - 1);
                out.add(new Event(Event.CLOSE, timed && last != null ? last.timeMicros() : n, c, last, null));
                n++;
            }
            if (timed) {
                // stable: events at the same microsecond keep the order the connections list them in
                List<Event> sorted = new ArrayList<>(out);
                sorted.sort(Comparator.comparingLong(Event::order));
                return sorted;
            }
            return out;
        }

        /** The connection a referral led to: the one presenting its cookie, else the next one to its address. */
        ConnectionLog target(ConnectionLog from, Dissection d, Map<?, ?> ref, Set<String> used) {
            Object cookie = ref.get("cookie");
            Object address = ref.get("address");
            if (cookie != null) {
                for (ConnectionLog c : connections) {
                    if (!c.frames().isEmpty() && c.frames().get(0).params().contains(cookie.toString()) && used.add(c.id())) {
                        return c;
                    }
                }
                return null;
            }
            boolean after = false;
            for (ConnectionLog c : connections) {
                if (c == from) {
                    after = true;
                    continue;
                }
                if (after && address != null && address.equals(c.server()) && c.role() != msnscope.dissect.spec.FormSpec.Role.SB
                        && used.add(c.id())) {
                    return c;
                }
            }
            return null;
        }

        /**
         * The connections of each client account, in order of first appearance ("" for a connection whose
         * account never showed). With a single account, its connections that never named it are its own.
         */
        Map<String, List<ConnectionLog>> byClient() {
            Map<String, List<ConnectionLog>> out = new LinkedHashMap<>();
            List<ConnectionLog> unknown = new ArrayList<>();
            for (ConnectionLog c : connections) {
                if (c.account() == null) {
                    unknown.add(c);
                } else {
                    out.computeIfAbsent(c.account(), a -> new ArrayList<>()).add(c);
                }
            }
            if (out.size() == 1) {
                out.values().iterator().next().addAll(unknown);
            } else if (!unknown.isEmpty() || out.isEmpty()) {
                out.put("", unknown);
            }
            return out;
        }

        String serverKey(ConnectionLog c) {
            String s = meta.endpoints(c).server();
            return s != null ? s : "?" + c.id();
        }

        // ---- timeline --------------------------------------------------------------------------------

        void timeline() {
            List<Dissection> all = new ArrayList<>();
            Set<String> commands = new TreeSet<>();
            for (ConnectionLog c : connections) {
                for (Dissection d : c.frames()) {
                    all.add(d);
                    commands.add(d.command() == null ? "?" : d.command());
                }
            }
            if (timed) {
                List<Dissection> order = new ArrayList<>(all);
                Map<Dissection, Integer> index = new HashMap<>();
                for (int i = 0; i < order.size(); i++) {
                    index.put(order.get(i), i);
                }
                all.sort(Comparator.comparingLong((Dissection d) -> d.timeMicros()).thenComparingInt(index::get));
            }
            h.append("<section id=\"timeline\">\n<h2>Timeline</h2>\n<div class=\"filters\" id=\"filters\">\n");
            h.append("<input type=\"search\" id=\"q\" placeholder=\"Filter: any text in a line, summary, field, payload or warning\" ")
                    .append("aria-label=\"filter text\" autocomplete=\"off\"/>\n");
            h.append("<select id=\"fcmd\" aria-label=\"command\"><option value=\"\">all commands</option>");
            for (String c : commands) {
                h.append("<option value=\"").append(esc(c)).append("\">").append(esc(c)).append("</option>");
            }
            h.append("</select>\n<select id=\"fconn\" aria-label=\"connection\"><option value=\"\">all connections</option>");
            for (ConnectionLog c : connections) {
                h.append("<option value=\"").append(esc(c.id())).append("\">").append(esc(c.id() + " · " + role(c)
                        + (c.server() == null ? "" : " · " + c.server()))).append("</option>");
            }
            h.append("</select>\n<label class=\"check\"><input type=\"checkbox\" id=\"fwarn\"/> warnings only</label>\n")
                    .append("<label class=\"check\"><input type=\"checkbox\" id=\"fopen\"/> expand payloads</label>\n")
                    .append("<button type=\"button\" id=\"freset\">reset</button>\n<span id=\"count\" class=\"count\">")
                    .append(all.size()).append(" frames</span>\n</div>\n");
            h.append("<table class=\"frames\">\n<thead><tr><th class=\"n\">frame</th>").append(timed ? "<th class=\"t\">time</th>" : "")
                    .append("<th class=\"dir\">dir</th><th>line · meaning · fields</th></tr></thead>\n<tbody>\n");
            String lastConn = null;
            for (Dissection d : all) {
                if (!timed && !d.stream().equals(lastConn)) {
                    ConnectionLog c = byId.get(d.stream());
                    h.append("<tr class=\"sep\" data-conn=\"").append(esc(d.stream())).append("\"><td colspan=\"").append(timed ? 4 : 3).append("\">").append(chip(d.stream()))
                            .append(' ').append(esc(connectionTitle(c))).append("</td></tr>\n");
                    lastConn = d.stream();
                }
                frameRow(d);
            }
            h.append("</tbody>\n</table>\n<p id=\"none\" class=\"none\" hidden=\"hidden\">No frame matches the filter.</p>\n</section>\n");
        }

        String connectionTitle(ConnectionLog c) {
            if (c == null) {
                return "";
            }
            StringBuilder sb = new StringBuilder(role(c));
            SessionMeta.Endpoints e = meta.endpoints(c);
            if (e.server() != null) {
                sb.append(" · ").append(e.server());
            }
            if (c.version() > 0) {
                sb.append(" · MSNP").append(c.version());
            }
            if (c.account() != null) {
                sb.append(" · ").append(c.account());
            }
            return sb.append(" · ").append(c.frames().size()).append(" frames").toString();
        }

        void frameRow(Dissection d) {
            String key = Redactor.key(d);
            Frame f = d.frame();
            boolean warn = !d.warnings().isEmpty();
            boolean error = f.isError();
            h.append("<tr id=\"").append(esc(key)).append("\" class=\"frame ").append(d.direction() == Direction.C2S ? "c2s" : "s2c")
                    .append(warn ? " warned" : "").append(error ? " error" : "")
                    .append(d.edit() == null ? "" : d.edit().made() ? " made" : " edited").append("\" data-cmd=\"")
                    .append(esc(d.command() == null ? "?" : d.command())).append("\" data-conn=\"").append(esc(d.stream()))
                    .append("\" data-warn=\"").append(warn ? "1" : "0").append("\">");
            h.append("<td class=\"n\"><a href=\"#").append(esc(key)).append("\">").append(esc(key)).append("</a>");
            if (timed) {
                h.append("<div>").append(chip(d.stream())).append("</div>");
            }
            h.append("</td>");
            if (timed) {
                h.append("<td class=\"t\"><span title=\"").append(esc(FrameJson.isoTime(d.timeMicros()))).append("\">+")
                        .append(esc(seconds(d.timeMicros() - start))).append("</span></td>");
            }
            h.append("<td class=\"dir\"><span class=\"arrow\" title=\"").append(d.direction() == Direction.C2S ? "client to server" : "server to client")
                    .append("\">").append(d.direction() == Direction.C2S ? "C→S" : "S→C").append("</span></td>");
            h.append("<td class=\"body\">");
            line(f);
            if (d.edit() != null) {
                // A visible badge (edited, or made by msnscope), then by whom and how: the words of the text view.
                String badge = EditText.badge(d.edit());
                h.append("<div class=\"edited").append(d.edit().made() ? " made" : "").append("\"><span class=\"code\">").append(badge)
                        .append("</span>").append(esc(EditText.of(d.edit()).substring(badge.length()))).append("</div>");
            }
            if (EditText.dropped(d)) {
                h.append("<div class=\"rewritten\"><span class=\"code\">dropped</span> the ").append(EditText.receiver(d.direction()))
                        .append(" received nothing</div>");
            } else if (d.rewritten() != null) {
                // What the other side received: a rule's replacement, or the proxy's own address in place of the server's.
                h.append("<div class=\"rewritten\"><span class=\"code\">").append(EditText.receiver(d.direction()))
                        .append(" received</span> ").append(esc(d.rewritten())).append("</div>");
            }
            h.append("<div class=\"sum\">").append(esc(d.summary()));
            if (d.replyTo() != null) {
                String target = d.stream() + "-" + d.replyTo();
                h.append(" <a class=\"reply\" href=\"#").append(esc(target)).append("\">↩ answers ").append(esc(target)).append("</a>");
            }
            List<String> replies = answeredBy.get(key);
            if (replies != null) {
                for (String r : replies) {
                    h.append(" <a class=\"reply\" href=\"#").append(esc(r)).append("\">↪ ").append(esc(r)).append("</a>");
                }
            }
            h.append("</div>");
            fields(d);
            for (Warning w : d.warnings()) {
                h.append("<div class=\"warn w-").append(esc(codeClass(w.code()))).append("\"><span class=\"code\">").append(esc(w.code()))
                        .append("</span> ").append(esc(w.message())).append("</div>");
            }
            if (redaction != null) {
                List<String> notes = redaction.notes(d);
                if (!notes.isEmpty()) {
                    h.append("<div class=\"redacted\"><span class=\"code\">redacted</span> ").append(esc(String.join("; ", notes))).append("</div>");
                }
            }
            payload(f, d.fields().get("payload"));
            h.append("</td></tr>\n");
        }

        void line(Frame f) {
            String line = f.line();
            h.append("<div class=\"line\">");
            if (f.command() != null && line.startsWith(f.command())) {
                h.append("<span class=\"cmd\">").append(esc(f.command())).append("</span>").append(esc(line.substring(f.command().length())));
            } else {
                h.append(esc(line));
            }
            h.append("</div>");
        }

        void fields(Dissection d) {
            boolean any = false;
            for (Map.Entry<String, Object> e : d.fields().entrySet()) {
                if (e.getKey().equals("payload") && e.getValue() instanceof Map<?, ?>) {
                    continue;
                }
                if (!any) {
                    h.append("<dl class=\"fields\">");
                    any = true;
                }
                h.append("<div><dt>").append(esc(e.getKey())).append("</dt><dd>").append(esc(shorten(TextFormat.render(e.getValue()), 400)))
                        .append("</dd></div>");
            }
            if (any) {
                h.append("</dl>");
            }
        }

        /** The decoded payload as a nested list: maps become indented keys, short lists one line. */
        void tree(Object value, int depth) {
            if (value instanceof Map<?, ?> m) {
                h.append("<dl class=\"tree\">");
                int n = 0;
                for (Map.Entry<?, ?> e : m.entrySet()) {
                    if (++n > 200) {
                        h.append("<div class=\"more\">… ").append(m.size() - 200).append(" more</div>");
                        break;
                    }
                    boolean nested = depth < 6 && (e.getValue() instanceof Map<?, ?> mm && !mm.isEmpty()
                            || e.getValue() instanceof List<?> l && l.stream().anyMatch(x -> x instanceof Map<?, ?>));
                    h.append("<div").append(nested ? " class=\"nest\"" : "").append("><dt>").append(esc(String.valueOf(e.getKey()))).append("</dt><dd>");
                    if (nested) {
                        tree(e.getValue(), depth + 1);
                    } else {
                        h.append(esc(shorten(TextFormat.render(e.getValue()), 2000)));
                    }
                    h.append("</dd></div>");
                }
                h.append("</dl>");
            } else if (value instanceof List<?> list) {
                h.append("<ol class=\"tree\">");
                int n = 0;
                for (Object o : list) {
                    if (++n > 200) {
                        h.append("<li class=\"more\">… ").append(list.size() - 200).append(" more</li>");
                        break;
                    }
                    h.append("<li>");
                    tree(o, depth + 1);
                    h.append("</li>");
                }
                h.append("</ol>");
            } else {
                h.append(esc(shorten(TextFormat.render(value), 2000)));
            }
        }

        void payload(Frame f, Object decoded) {
            if (!f.hasPayload()) {
                return;
            }
            byte[] p = f.payload();
            boolean text = FrameJson.isText(p);
            String type = text ? contentType(p) : null;
            h.append("<details class=\"payload\"><summary>payload · ").append(p.length).append(p.length == 1 ? " byte" : " bytes");
            if (f.declaredLength() != p.length) {
                h.append(" of ").append(f.declaredLength()).append(" declared");
            }
            if (type != null) {
                h.append(" · ").append(esc(type));
            }
            h.append(text ? "" : " · binary").append("</summary>");
            if (decoded instanceof Map<?, ?> m && !m.isEmpty()) {
                h.append("<div class=\"decoded\"><div class=\"label\">decoded</div>");
                tree(decoded, 0);
                h.append("</div>");
            }
            int head = text ? -1 : mimeHead(p);
            if (p.length == 0) {
                h.append("<pre class=\"empty\">(empty)</pre>");
            } else if (text) {
                h.append("<pre>");
                String s = new String(p, StandardCharsets.UTF_8);
                boolean cut = s.length() > MAX_TEXT_CHARS;
                if (cut) {
                    s = s.substring(0, MAX_TEXT_CHARS);
                }
                textPayload(s);
                if (cut) {
                    h.append("\n<span class=\"more\">… ").append(new String(p, StandardCharsets.UTF_8).length() - MAX_TEXT_CHARS)
                            .append(" more characters (full bytes in jsonl and transcripts)</span>");
                }
                h.append("</pre>");
            } else if (head > 0) {
                h.append("<pre>");
                textPayload(new String(p, 0, head, StandardCharsets.US_ASCII));
                h.append("</pre><pre class=\"hex\">");
                hex(p, head);
                h.append("</pre>");
            } else {
                h.append("<pre class=\"hex\">");
                hex(p, 0);
                h.append("</pre>");
            }
            h.append("</details>");
        }

        void textPayload(String s) {
            int i = 0;
            while (i < s.length()) {
                int crlf = s.indexOf("\r\n", i);
                int end = crlf < 0 ? s.length() : crlf;
                h.append(escVisible(s.substring(i, end)));
                if (crlf < 0) {
                    break;
                }
                h.append("<span class=\"eol\">↵</span>\n");
                i = crlf + 2;
            }
        }

        /** Length of a leading ASCII MIME header block (through its blank line) before binary data, or -1. */
        int mimeHead(byte[] p) {
            int max = Math.min(p.length - 3, 4096);
            for (int i = 0; i < max; i++) {
                if (p[i] < 0x09 || p[i] > 0x7e) {
                    return -1;
                }
                if (p[i] == '\r' && p[i + 1] == '\n' && p[i + 2] == '\r' && p[i + 3] == '\n') {
                    return i + 4;
                }
            }
            return -1;
        }

        void hex(byte[] p, int from) {
            int n = Math.min(p.length, from + MAX_HEX_BYTES);
            for (int off = from; off < n; off += 16) {
                StringBuilder hex = new StringBuilder();
                StringBuilder ascii = new StringBuilder();
                for (int i = off; i < off + 16; i++) {
                    if (i < n) {
                        hex.append(String.format("%02x ", p[i] & 0xff));
                        char c = (char) (p[i] & 0xff);
                        ascii.append(c >= 0x20 && c < 0x7f ? c : '.');
                    } else {
                        hex.append("   ");
                    }
                    if (i == off + 7) {
                        hex.append(' ');
                    }
                }
                h.append("<span class=\"off\">").append(String.format("%06x", off)).append("</span>  ").append(esc(hex.toString()))
                        .append(" <span class=\"asc\">").append(esc(ascii.toString())).append("</span>\n");
            }
            if (p.length > n) {
                h.append("<span class=\"more\">… ").append(p.length - n).append(" more bytes</span>\n");
            }
        }

        String chip(String id) {
            Integer k = colour.get(id);
            return "<span class=\"chip k" + (k == null ? 0 : k) + "\">" + esc(id) + "</span>";
        }

        String role(ConnectionLog c) {
            return c.role() == null ? "?" : c.role().name();
        }
    }

    // ---- helpers ---------------------------------------------------------------------------------------

    static String contentType(byte[] p) {
        String s = new String(p, 0, Math.min(p.length, 2048), StandardCharsets.UTF_8);
        for (String line : s.split("\r\n", -1)) {
            if (line.isEmpty()) {
                break;
            }
            if (line.regionMatches(true, 0, "Content-Type:", 0, 13)) {
                String v = line.substring(13).trim();
                int semi = v.indexOf(';');
                return (semi >= 0 ? v.substring(0, semi) : v).trim();
            }
        }
        String t = s.stripLeading();
        return t.startsWith("<") ? "xml" : null;
    }

    static String seconds(long micros) {
        return String.format(java.util.Locale.ROOT, "%.3f s", micros / 1_000_000.0);
    }

    static String shorten(String s, int max) {
        if (s == null) {
            return "";
        }
        return s.length() <= max ? s : s.substring(0, Math.max(1, max - 1)) + "…";
    }

    static String or(String s, String fallback) {
        return s == null ? fallback : s;
    }

    static String codeClass(String code) {
        return switch (code) {
            case Warning.ERROR_REPLY, Warning.CHALLENGE_WRONG -> "error";
            case Warning.PAYLOAD_LENGTH_MISMATCH, Warning.PAYLOAD_TRUNCATED, Warning.PAYLOAD_TOO_LARGE, Warning.PAYLOAD_MALFORMED,
                 Warning.LINE_TOO_LONG, Warning.LINE_TRUNCATED, Warning.NOT_A_COMMAND, Warning.INVALID_UTF8 -> "framing";
            case Warning.VERSION_GUESSED, Warning.ROLE_GUESSED, Warning.CHALLENGE_UNVERIFIED -> "info";
            default -> "warn";
        };
    }

    /**
     * Escapes text for HTML and XML: markup characters become entities, characters XML cannot hold
     * (controls, lone surrogates, U+FFFE/U+FFFF) become visible symbols.
     */
    public static String esc(String s) {
        if (s == null) {
            return "";
        }
        StringBuilder sb = new StringBuilder(s.length() + 16);
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '&' -> sb.append("&amp;");
                case '<' -> sb.append("&lt;");
                case '>' -> sb.append("&gt;");
                case '"' -> sb.append("&quot;");
                case '\'' -> sb.append("&#39;");
                default -> {
                    if (c < 0x20 && c != '\t' && c != '\n') {
                        sb.append((char) (0x2400 + c));
                    } else if (c == 0x7f) {
                        sb.append('\u2421');
                    } else if (c == '\uFFFE' || c == '\uFFFF') {
                        sb.append('\uFFFD');
                    } else if (Character.isHighSurrogate(c)) {
                        if (i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                            sb.append(c).append(s.charAt(++i));
                        } else {
                            sb.append('\uFFFD');
                        }
                    } else if (Character.isLowSurrogate(c)) {
                        sb.append('\uFFFD');
                    } else {
                        sb.append(c);
                    }
                }
            }
        }
        return sb.toString();
    }

    /** Like {@link #esc}, and marks the symbols that stand for control characters so they stand out. */
    static String escVisible(String s) {
        String e = esc(s);
        StringBuilder sb = new StringBuilder(e.length());
        for (int i = 0; i < e.length(); i++) {
            char c = e.charAt(i);
            if ((c >= 0x2400 && c <= 0x2421) || c == '\n') {
                sb.append("<span class=\"ctl\">").append(c == '\n' ? '\u240A' : c).append("</span>");
            } else {
                sb.append(c);
            }
        }
        return sb.toString();
    }

    private static final String CSS = """
            :root{--bg:#f6f7f9;--panel:#fff;--ink:#1d2433;--muted:#5d6778;--line:#e3e6eb;--accent:#2457c5;--c2s:#1f7a4d;--s2c:#2457c5;
            --warn:#9a6200;--warnbg:#fff6e0;--err:#b3261e;--errbg:#fdecea;--info:#5d6778;--infobg:#eef0f4;--edit:#6b21a8;--editbg:#f3e8fd;--mono:ui-monospace,SFMono-Regular,Menlo,Consolas,"DejaVu Sans Mono","Liberation Mono",monospace;
            --k0:#2457c5;--k1:#1f7a4d;--k2:#a2461f;--k3:#7b3fb5;--k4:#0f7f8c;--k5:#b3266b;--k6:#6b6b12;--k7:#4a5568}
            @media (prefers-color-scheme:dark){:root{--bg:#14171c;--panel:#1c2027;--ink:#e6e9ee;--muted:#9aa3b2;--line:#2d333d;--accent:#7aa7ff;
            --c2s:#5fcf95;--s2c:#7aa7ff;--warn:#f0b54a;--warnbg:#3a2f17;--err:#ff8a80;--errbg:#3b1d1b;--info:#9aa3b2;--infobg:#262b33;--edit:#d8b4fe;--editbg:#2e1a47;
            --k0:#7aa7ff;--k1:#5fcf95;--k2:#f08a5d;--k3:#c39bf0;--k4:#4fc6d3;--k5:#f07aae;--k6:#cfcf62;--k7:#a0aec0}}
            *{box-sizing:border-box}
            html{background:var(--bg);color:var(--ink);font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif}
            body{margin:0 auto;max-width:1500px;padding:20px 28px 40px}
            h1{font-size:22px;margin:2px 0 8px}h1 code{font-family:var(--mono);font-size:20px}
            h2{font-size:15px;text-transform:uppercase;letter-spacing:.06em;color:var(--muted);margin:26px 0 10px}
            a{color:var(--accent);text-decoration:none}a:hover{text-decoration:underline}
            code,.mono{font-family:var(--mono);font-size:12.5px}
            .top{background:var(--panel);border:1px solid var(--line);border-radius:10px;padding:16px 20px}
            .brand{font-weight:700;color:var(--accent);letter-spacing:.02em}.brand span{font-weight:400;color:var(--muted)}
            .badges{display:flex;gap:6px;flex-wrap:wrap;margin-bottom:10px}
            .badge{font-size:12px;border:1px solid var(--line);border-radius:999px;padding:1px 9px;color:var(--muted)}
            .badge.proxy{color:var(--accent);border-color:var(--accent)}.badge.red{color:var(--err);border-color:var(--err)}
            .facts{display:grid;grid-template-columns:repeat(auto-fill,minmax(380px,1fr));gap:6px 24px;margin:0}
            .facts div{display:flex;gap:10px}.facts dt{color:var(--muted);min-width:92px}.facts dd{margin:0;font-weight:500;word-break:break-word}
            .codes{margin-top:12px;display:flex;gap:6px;flex-wrap:wrap}
            button{font:inherit;font-size:12px;cursor:pointer;border:1px solid var(--line);background:var(--panel);color:var(--ink);border-radius:6px;padding:3px 9px}
            button:hover{border-color:var(--accent)}
            .code{font-family:var(--mono);font-size:11.5px}
            button.code{border-radius:999px}button.code b{font-weight:600;margin-left:3px}
            .w-error{color:var(--err)}.w-framing,.w-warn{color:var(--warn)}.w-info{color:var(--info)}
            table{border-collapse:collapse;width:100%;background:var(--panel);border:1px solid var(--line);border-radius:10px;overflow:hidden}
            th{text-align:left;font-weight:600;font-size:12px;color:var(--muted);background:var(--bg);padding:7px 10px;border-bottom:1px solid var(--line)}
            td{padding:7px 10px;border-bottom:1px solid var(--line);vertical-align:top}
            .conns td.num{text-align:right;font-variant-numeric:tabular-nums}.conns td.hot{color:var(--warn);font-weight:600}
            .conns td.first{max-width:420px;overflow:hidden;text-overflow:ellipsis;white-space:nowrap}
            .chip{display:inline-block;font-family:var(--mono);font-size:11.5px;font-weight:600;color:#fff;border-radius:4px;padding:0 6px;line-height:18px}
            .k0{--k:var(--k0)}.k1{--k:var(--k1)}.k2{--k:var(--k2)}.k3{--k:var(--k3)}.k4{--k:var(--k4)}.k5{--k:var(--k5)}.k6{--k:var(--k6)}.k7{--k:var(--k7)}
            .chip{background:var(--k)}
            @media (prefers-color-scheme:dark){.chip{color:#111}}
            @media print{.filters,details.payload:not([open]){display:none}body{max-width:none}}
            .hint{color:var(--muted);margin:-4px 0 8px}
            .svgwrap{background:var(--panel);border:1px solid var(--line);border-radius:10px;overflow-x:auto;padding:6px 0}
            svg.seq{display:block;font-family:system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif}
            .lifeline line{stroke:var(--line);stroke-width:2;stroke-dasharray:4 4}
            .lifeline rect{fill:var(--bg);stroke:var(--muted);stroke-width:1}
            .lifeline.client rect{stroke:var(--c2s)}.lifeline.proxy rect{stroke:var(--accent);stroke-dasharray:3 2}
            .lifeline text{text-anchor:middle;fill:var(--ink)}.lifeline .title{font-weight:600;font-size:12.5px}.lifeline .sub{font-size:11px;fill:var(--muted)}
            .bar{fill:var(--k);opacity:.22;stroke:var(--k);stroke-width:1}
            .arrow line{stroke:var(--k);stroke-width:1.6}.arrow.ref line{stroke-dasharray:6 4}
            .arrow text{font-size:11.5px;text-anchor:middle;fill:var(--ink);font-family:var(--mono)}
            .arrow a:hover text{fill:var(--accent);text-decoration:underline}.arrow text.sub{font-size:10.5px;fill:var(--muted)}
            .head{fill:var(--muted)}
            .close path{stroke:var(--k);stroke-width:2}.close text{font-size:11px;fill:var(--muted)}
            .filters{position:sticky;top:0;z-index:5;display:flex;gap:8px;align-items:center;flex-wrap:wrap;background:var(--bg);padding:8px 0}
            .filters input[type=search]{flex:1 1 340px;font:inherit;padding:6px 10px;border:1px solid var(--line);border-radius:6px;background:var(--panel);color:var(--ink)}
            .filters select{font:inherit;font-size:13px;padding:5px 6px;border:1px solid var(--line);border-radius:6px;background:var(--panel);color:var(--ink)}
            .check{display:flex;gap:4px;align-items:center;color:var(--muted);font-size:13px}
            .count{margin-left:auto;color:var(--muted);font-variant-numeric:tabular-nums}
            table.frames{table-layout:fixed}.frames th.n{width:84px}.frames th.t{width:92px}.frames th.dir{width:56px}
            .sum,.warn,.redacted,.rewritten{overflow-wrap:anywhere}
            .frames td.n{width:74px;font-family:var(--mono);font-size:12px;white-space:nowrap}.frames td.n div{margin-top:3px}
            .frames td.t{width:84px;font-family:var(--mono);font-size:12px;color:var(--muted);white-space:nowrap}
            .frames td.dir{width:52px;white-space:nowrap}
            .frames .arrow{font-family:var(--mono);font-size:12px;font-weight:600}
            tr.c2s .arrow{color:var(--c2s)}tr.s2c .arrow{color:var(--s2c)}
            tr.c2s td.body{border-left:3px solid var(--c2s)}tr.s2c td.body{border-left:3px solid var(--s2c)}
            tr.warned td.n{background:var(--warnbg)}tr.error td.n{background:var(--errbg)}
            tr:target td{background:rgba(36,87,197,.09)}
            tr.sep td{background:var(--bg);font-weight:600;padding:10px 10px 6px;color:var(--muted)}
            tr[hidden]{display:none}
            .line{font-family:var(--mono);font-size:13px;white-space:pre-wrap;word-break:break-all}
            .line .cmd{font-weight:700}tr.error .line .cmd{color:var(--err)}
            .sum{margin-top:2px}
            .reply{font-size:12px;margin-left:6px;white-space:nowrap}
            .fields{display:flex;flex-wrap:wrap;gap:3px 14px;margin:5px 0 0;font-size:12px}
            .fields div{display:flex;gap:5px;max-width:100%}.fields dt{color:var(--muted)}.fields dd{margin:0;font-family:var(--mono);font-size:11.5px;word-break:break-all}
            .warn,.redacted,.rewritten{margin-top:5px;font-size:12.5px;border-radius:5px;padding:3px 8px}
            .warn{background:var(--warnbg);color:var(--warn)}.warn.w-error{background:var(--errbg);color:var(--err)}.warn.w-info{background:var(--infobg);color:var(--info)}
            .warn .code,.redacted .code,.rewritten .code{font-weight:700;margin-right:4px}
            .redacted,.rewritten{background:var(--infobg);color:var(--muted)}
            .edited{margin-top:5px;font-size:12.5px;border-radius:5px;padding:3px 8px;overflow-wrap:anywhere;background:var(--editbg);color:var(--edit)}
            .edited .code{font-weight:700;margin-right:4px}.edited.made{border:1px solid var(--edit)}
            tr.edited td.n,tr.made td.n{box-shadow:inset 3px 0 0 var(--edit)}
            details.payload{margin-top:6px}
            details.payload summary{cursor:pointer;color:var(--muted);font-size:12px}
            details.payload pre{margin:6px 0 0;padding:8px 10px;background:var(--bg);border:1px solid var(--line);border-radius:6px;font-family:var(--mono);font-size:12px;white-space:pre-wrap;word-break:break-all;max-height:480px;overflow:auto}
            .eol,.ctl{color:var(--muted);opacity:.55}.ctl{opacity:.9;color:var(--warn)}
            .hex .off{color:var(--muted)}.hex .asc{color:var(--muted)}
            .more{color:var(--muted);font-style:italic}
            .decoded{margin:6px 0 0;padding:6px 10px;border:1px solid var(--line);border-radius:6px;background:var(--panel);font-size:12px}
            .decoded .label{color:var(--muted);font-size:11px;text-transform:uppercase;letter-spacing:.05em;margin-bottom:2px}
            dl.tree{margin:0;display:grid;grid-template-columns:max-content 1fr;gap:1px 12px}
            dl.tree>div{display:contents}dl.tree dt{color:var(--muted)}dl.tree dd{margin:0;font-family:var(--mono);font-size:11.5px;word-break:break-word}
            dl.tree>div.nest>dd{border-left:2px solid var(--line);padding-left:8px}
            ol.tree{margin:0;padding-left:18px}
            .none{color:var(--muted);padding:12px}
            footer{margin-top:28px;color:var(--muted);font-size:12px}
            """;

    private static final String JS = """
            (function(){
            var q=document.getElementById('q'),fc=document.getElementById('fcmd'),fk=document.getElementById('fconn'),
                fw=document.getElementById('fwarn'),fo=document.getElementById('fopen'),cnt=document.getElementById('count'),
                none=document.getElementById('none');
            var rows=Array.prototype.slice.call(document.querySelectorAll('tr.frame'));
            var seps=Array.prototype.slice.call(document.querySelectorAll('tr.sep'));
            var texts=rows.map(function(r){return r.textContent.toLowerCase();});
            function apply(){
              var t=q.value.trim().toLowerCase(),c=fc.value,k=fk.value,w=fw.checked,n=0,seen={};
              for(var i=0;i<rows.length;i++){
                var r=rows[i];
                var ok=(!t||texts[i].indexOf(t)>=0)&&(!c||r.getAttribute('data-cmd')===c)
                  &&(!k||r.getAttribute('data-conn')===k)&&(!w||r.getAttribute('data-warn')==='1');
                r.hidden=!ok;
                if(ok){n++;seen[r.getAttribute('data-conn')]=true;}
              }
              for(var j=0;j<seps.length;j++){seps[j].hidden=!seen[seps[j].getAttribute('data-conn')];}
              cnt.textContent=(n===rows.length?n+' frames':n+' of '+rows.length+' frames');
              none.hidden=n>0;
            }
            [q,fc,fk,fw].forEach(function(e){e.addEventListener('input',apply);e.addEventListener('change',apply);});
            fo.addEventListener('change',function(){
              var ds=document.querySelectorAll('details.payload');
              for(var i=0;i<ds.length;i++){ds[i].open=fo.checked;}
            });
            document.getElementById('freset').addEventListener('click',function(){q.value='';fc.value='';fk.value='';fw.checked=false;apply();});
            var codes=document.querySelectorAll('button[data-q]');
            for(var i=0;i<codes.length;i++){codes[i].addEventListener('click',function(){
              q.value=this.getAttribute('data-q');apply();document.getElementById('timeline').scrollIntoView();});}
            // A malformed %-escape in the address is taken as typed instead of stopping the script.
            function dec(s){try{return decodeURIComponent(s);}catch(e){return s;}}
            function reveal(){
              var id=dec(location.hash.slice(1)),el=id&&document.getElementById(id);
              if(el&&el.hidden){q.value='';fc.value='';fk.value='';fw.checked=false;apply();el.scrollIntoView();}
            }
            window.addEventListener('hashchange',reveal);
            // URL filters (?cmd=msg&conn=C3&warn=1): names and values in any case, as people type them. A
            // command or connection the report does not have selects an empty choice (no frames), not "all".
            function pick(sel,v,what){
              var o=sel.options,l=v.toLowerCase();
              for(var i=0;i<o.length;i++){if(o[i].value.toLowerCase()===l){sel.value=o[i].value;return;}}
              if(!v){sel.value='';return;}
              var add=document.createElement('option');add.value=v;add.textContent=v+' (no such '+what+' here)';
              sel.appendChild(add);sel.value=v;
            }
            function yes(v){return !/^(0|no|false|off)$/i.test(v);}
            if(location.search){
              var ps=location.search.slice(1).split('&');
              for(var i=0;i<ps.length;i++){
                var eq=ps[i].indexOf('='),name=dec(eq<0?ps[i]:ps[i].slice(0,eq)).toLowerCase(),
                    v=eq<0?'':dec(ps[i].slice(eq+1).replace(/\\+/g,' '));
                if(name==='q'){q.value=v;}else if(name==='cmd'){pick(fc,v,'command');}else if(name==='conn'){pick(fk,v,'connection');}
                else if(name==='warn'){fw.checked=yes(v);}else if(name==='open'){fo.checked=yes(v);fo.dispatchEvent(new Event('change'));}
              }
            }
            apply();reveal();
            })();
            """;
}
