package msnscope.export;

import msnscope.dissect.ConnectionLog;
import msnscope.dissect.Dissection;
import msnscope.dissect.Dissector;
import msnscope.dissect.SessionAssembler;
import msnscope.dissect.spec.FormSpec;
import msnscope.dissect.spec.ParamSpec;
import msnscope.dissect.spec.ProtocolSpec;
import msnscope.dissect.spec.SpecLoader;
import msnscope.transcript.TranscriptReader;
import msnscope.wire.FramerLimits;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.Node;
import org.w3c.dom.NodeList;
import org.xml.sax.InputSource;

import javax.xml.parsers.DocumentBuilderFactory;
import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Shared by the export tests: one spec, dissecting text, the original secrets of a session, HTML as XML. */
final class ExportTestSupport {

    static final ProtocolSpec SPEC = SpecLoader.builtIn();
    static final Dissector DISSECTOR = new Dissector(SPEC);

    private ExportTestSupport() {
    }

    static SessionAssembler dissect(String id, String transcript) {
        SessionAssembler s = new SessionAssembler(DISSECTOR, id, FramerLimits.DEFAULT);
        new TranscriptReader(FramerLimits.DEFAULT).read(transcript, s);
        return s;
    }

    /** A pcap dissected as {@code msnscope dissect} does (capture-time order across connections). */
    static SessionAssembler dissectPcap(java.nio.file.Path file) {
        try {
            msnscope.pcap.PcapResult capture = msnscope.pcap.PcapReader.read(file);
            SessionAssembler session = new SessionAssembler(DISSECTOR, file.getFileName().toString().replace(".pcap", ""), FramerLimits.DEFAULT);
            record Chunk(msnscope.pcap.TcpConnection connection, msnscope.pcap.TcpChunk chunk) {
            }
            List<Chunk> chunks = new ArrayList<>();
            for (msnscope.pcap.TcpConnection c : capture.connections()) {
                if (msnscope.pcap.MsnpDetector.looksLikeMsnp(c)) {
                    for (msnscope.pcap.TcpChunk ch : c.chunks()) {
                        chunks.add(new Chunk(c, ch));
                    }
                }
            }
            chunks.sort(java.util.Comparator.comparingLong(ch -> ch.chunk().timeMicros()));
            java.util.Map<msnscope.pcap.TcpConnection, ConnectionLog> logs = new java.util.LinkedHashMap<>();
            for (Chunk ch : chunks) {
                ConnectionLog log = logs.computeIfAbsent(ch.connection(), c -> session.openConnection(
                        c.server().getAddress().getHostAddress() + ":" + c.server().getPort(),
                        c.client().getAddress().getHostAddress() + ":" + c.client().getPort()));
                session.bytes(log, ch.chunk().dir(), ch.chunk().data(), ch.chunk().timeMicros());
            }
            logs.values().forEach(session::closeConnection);
            return session;
        } catch (msnscope.pcap.PcapFormatException e) {
            throw new AssertionError(e);
        }
    }

    static String export(List<ConnectionLog> connections, String id, String format, RedactMode mode) {
        StringWriter w = new StringWriter();
        try {
            new SessionExporter(DISSECTOR).export(connections, SessionMeta.offline(id), format, mode, w);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return w.toString();
    }

    private static final Pattern HEADER = Pattern.compile("(?m)^(MSPAuth|AuthCookie):[ \t]*(\\S[^\r\n]*)\r?$");

    /**
     * Every secret value of a session as the original dissection saw it, found independently of the
     * Redactor: tokens of secret/cookie parameters (each part of a {@code t=…&p=…} ticket) and the values
     * of the secret headers.
     */
    static Set<String> secrets(List<ConnectionLog> connections) {
        Set<String> out = new LinkedHashSet<>();
        for (ConnectionLog c : connections) {
            for (Dissection d : c.frames()) {
                FormSpec form = d.form();
                if (form != null) {
                    String[] tokens = d.frame().line().split(" ", -1);
                    FormSpec.Binding b = form.bind(tokens, 1);
                    List<ParamSpec> ps = form.params();
                    for (int i = 0; i < ps.size(); i++) {
                        if (!ps.get(i).type().isSecret()) {
                            continue;
                        }
                        for (int k = 0; k < b.count()[i]; k++) {
                            String token = tokens[b.start()[i] + k];
                            if (token.contains("&") && token.contains("=")) {
                                for (String part : token.split("&")) {
                                    int eq = part.indexOf('=');
                                    if (eq >= 0 && eq + 1 < part.length()) {
                                        out.add(part.substring(eq + 1));
                                    }
                                }
                            } else if (!token.isEmpty()) {
                                out.add(token);
                            }
                        }
                    }
                }
                if (d.frame().hasPayload()) {
                    Matcher m = HEADER.matcher(new String(d.frame().payload(), StandardCharsets.UTF_8));
                    while (m.find()) {
                        out.add(m.group(2).trim());
                    }
                }
            }
        }
        return out;
    }

    static Document xml(String html) {
        try {
            DocumentBuilderFactory f = DocumentBuilderFactory.newInstance();
            f.setFeature("http://apache.org/xml/features/nonvalidating/load-external-dtd", false);
            f.setExpandEntityReferences(false);
            return f.newDocumentBuilder().parse(new InputSource(new StringReader(html)));
        } catch (Exception e) {
            throw new AssertionError("not well-formed: " + e.getMessage(), e);
        }
    }

    static List<Element> elements(Document doc, String tag) {
        List<Element> out = new ArrayList<>();
        NodeList nl = doc.getElementsByTagName(tag);
        for (int i = 0; i < nl.getLength(); i++) {
            out.add((Element) nl.item(i));
        }
        return out;
    }

    static boolean hasClass(Element e, String cls) {
        for (String c : e.getAttribute("class").split(" ")) {
            if (c.equals(cls)) {
                return true;
            }
        }
        return false;
    }

    static List<Element> byClass(Node root, String tag, String cls) {
        List<Element> out = new ArrayList<>();
        collect(root, tag, cls, out);
        return out;
    }

    private static void collect(Node n, String tag, String cls, List<Element> out) {
        if (n instanceof Element e && e.getTagName().equals(tag) && hasClass(e, cls)) {
            out.add(e);
        }
        for (Node c = n.getFirstChild(); c != null; c = c.getNextSibling()) {
            collect(c, tag, cls, out);
        }
    }

    static Element byId(Document doc, String id) {
        for (Element e : elements(doc, "*")) {
            if (id.equals(e.getAttribute("id"))) {
                return e;
            }
        }
        return null;
    }
}
