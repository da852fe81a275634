package msnscope.export;

import com.fasterxml.jackson.databind.JsonNode;
import msnscope.dissect.ConnectionLog;
import msnscope.dissect.Dissection;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.w3c.dom.Document;
import org.w3c.dom.Element;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static msnscope.export.ExportTestSupport.byClass;
import static msnscope.export.ExportTestSupport.elements;
import static msnscope.export.ExportTestSupport.xml;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The HTML report of a capture with two users (alice and bob on one Escargot server). */
class HtmlTwoUserReportTest {

    private static final List<ConnectionLog> TWO_USERS =
            ExportTestSupport.dissectPcap(Path.of("captures", "escargot-msnp12.pcap")).connections();

    private static Document report() {
        return xml(new HtmlExport().render(TWO_USERS, SessionMeta.offline("escargot-msnp12"), null));
    }

    /** x of each client lifeline, by the account it is drawn for. */
    private static Map<String, Integer> clientLanes(Document doc) {
        Map<String, Integer> out = new LinkedHashMap<>();
        for (Element g : byClass(doc, "g", "client")) {
            String account = g.getAttribute("data-key").substring("client:".length());
            out.put(account, Integer.parseInt(elements(g.getOwnerDocument(), "line").stream()
                    .filter(l -> l.getParentNode() == g).findFirst().orElseThrow().getAttribute("x1")));
        }
        return out;
    }

    @Test
    void eachClientAccountHasItsOwnLaneAndTheRngArrowEndsOnTheInvitedOne() {
        Document doc = report();
        Map<String, Integer> lanes = clientLanes(doc);
        assertEquals(List.of("alice@example.com", "bob@example.com"), List.copyOf(lanes.keySet()));
        String rngAccount = null;
        for (ConnectionLog c : TWO_USERS) {
            for (Dissection d : c.frames()) {
                if ("RNG".equals(d.command())) {
                    rngAccount = c.account();
                }
            }
        }
        assertEquals("bob@example.com", rngAccount, "bob is the one rung in this capture");
        List<Element> rng = new ArrayList<>();
        for (Element g : byClass(doc, "g", "ref")) {
            if (g.getTextContent().startsWith("RNG")) {
                rng.add(g);
            }
        }
        assertEquals(1, rng.size());
        Element line = (Element) rng.get(0).getElementsByTagName("line").item(0);
        assertEquals(lanes.get("bob@example.com") + 6, Integer.parseInt(line.getAttribute("x2")), "the RNG arrow ends on bob's lane");
        for (Element g : byClass(doc, "g", "open")) {
            int x1 = Integer.parseInt(((Element) g.getElementsByTagName("line").item(0)).getAttribute("x1"));
            assertTrue(lanes.containsValue(x1 - 6), "every connection opens from a client lane: " + x1);
        }
    }

    @Test
    void urlFiltersTakeCommandsConnectionsAndNamesInAnyCase(@TempDir Path work) throws Exception {
        Assumptions.assumeTrue(ReportScript.nodeAvailable(), "node runs the report's script");
        Document doc = report();
        long msgs = TWO_USERS.stream().flatMap(c -> c.frames().stream()).filter(d -> "MSG".equals(d.command())).count();
        assertTrue(msgs > 0);

        JsonNode lower = ReportScript.run(doc, "?cmd=msg", work);
        assertEquals("MSG", lower.get("cmd").asText());
        assertEquals(msgs, lower.get("shown").size());
        lower.get("shown").forEach(c -> assertEquals("MSG", c.asText()));

        String conn = TWO_USERS.get(1).id();
        JsonNode mixed = ReportScript.run(doc, "?CMD=Msg&Conn=" + conn.toUpperCase() + "&WARN=no", work);
        assertEquals("MSG", mixed.get("cmd").asText());
        assertEquals(conn, mixed.get("conn").asText());
        assertFalse(mixed.get("warn").asBoolean());

        JsonNode absent = ReportScript.run(doc, "?cmd=zzz&q=%E0%A4", work);
        assertEquals("zzz", absent.get("cmd").asText(), "a command the report lacks is kept, not dropped for 'all'");
        assertEquals(0, absent.get("shown").size());
    }
}
