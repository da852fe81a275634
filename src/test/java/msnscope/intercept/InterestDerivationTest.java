package msnscope.intercept;

import msnscope.dissect.ConnectionLog;
import msnscope.dissect.Dissection;
import msnscope.search.FrameFilter;
import msnscope.search.QuerySyntaxException;
import msnscope.support.Captures;
import msnscope.wire.Direction;
import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What a query can select, read from its required cmd: and dir: clauses, for the relay to hold only those frames. */
class InterestDerivationTest {

    private static Interest of(String query) throws QuerySyntaxException {
        return FrameFilter.parse(query).interest();
    }

    @Test
    void aCommandTermSelectsThatCommandBothWays() throws Exception {
        Interest i = of("cmd:MSG");
        assertEquals(Set.of("MSG"), i.c2s());
        assertEquals(Set.of("MSG"), i.s2c());
        assertTrue(i.covers("MSG", Direction.C2S));
        assertTrue(i.covers("MSG", Direction.S2C));
        assertFalse(i.covers("JOI", Direction.S2C));
        assertFalse(i.covers(null, Direction.S2C), "a line that is not a command has no cmd term");
    }

    @Test
    void aLowerCaseCommandIsFoldedAsTheIndexFoldsIt() throws Exception {
        assertEquals(new Interest(Set.of("MSG"), Set.of("MSG")), of("cmd:msg"));
        assertEquals(new Interest(Set.of("MSG"), Set.of("MSG")), of("CMD:Msg"));
    }

    @Test
    void aDisjunctionOfCommandsIsTheirUnion() throws Exception {
        Interest both = new Interest(Set.of("QNG", "PNG"), Set.of("QNG", "PNG"));
        assertEquals(both, of("cmd:(QNG OR PNG)"));
        assertEquals(both, of("cmd:QNG OR cmd:png"));
    }

    @Test
    void anErrorCodeIsACommand() throws Exception {
        Interest i = of("cmd:911 AND dir:S2C");
        assertEquals(Set.of("911"), i.s2c());
        assertEquals(Set.of(), i.c2s());
        assertTrue(i.covers("911", Direction.S2C));
    }

    @Test
    void aDirectionLimitsTheOtherDirectionToNothing() throws Exception {
        Interest i = of("cmd:MSG AND dir:C2S");
        assertEquals(Set.of("MSG"), i.c2s());
        assertTrue(i.none(Direction.S2C));
        Interest s2c = of("dir:s2c");
        assertTrue(s2c.none(Direction.C2S));
        assertNull(s2c.s2c(), "every server frame");
        Interest implicitAnd = of("cmd:QNG dir:S2C");
        assertEquals(new Interest(Set.of(), Set.of("QNG")), implicitAnd);
    }

    @Test
    void aNegationWidensToAnyFrame() throws Exception {
        assertEquals(Interest.ALL, of("NOT cmd:MSG"));
        assertEquals(Interest.ALL, of("* NOT cmd:MSG"));
        assertEquals(new Interest(Set.of("MSG"), Set.of("MSG")), of("cmd:MSG NOT text:hello"), "a required cmd still narrows");
    }

    @Test
    void textAndOtherFieldsSelectAnyFrame() throws Exception {
        assertEquals(Interest.ALL, of("text:\"x\""));
        assertEquals(Interest.ALL, of("hello"));
        assertEquals(Interest.ALL, of("account:bob@example.com"));
        assertEquals(Interest.ALL, of("trid:[5 TO 9]"));
        assertEquals(Interest.ALL, of("*"));
        assertEquals(Interest.ALL, of("error:911"), "error: asks code and name; only cmd: narrows");
    }

    @Test
    void patternsOnTheCommandSelectAnyFrame() throws Exception {
        assertEquals(Interest.ALL, of("cmd:MS*"));
        assertEquals(Interest.ALL, of("cmd:/Q.G/"));
        assertEquals(Interest.ALL, of("cmd:[A TO C]"));
        assertEquals(Interest.ALL, of("cmd:MSF~1"));
    }

    @Test
    void anOrAcrossCommandAndTextSelectsAnyFrame() throws Exception {
        assertEquals(Interest.ALL, of("cmd:MSG OR text:x"));
        assertEquals(Interest.ALL, of("cmd:MSG OR hello"));
    }

    @Test
    void anOrAcrossDirectionAndCommandKeepsEach() throws Exception {
        // Every client frame, and MSG from the server.
        assertEquals(new Interest(null, Set.of("MSG")), of("dir:C2S OR cmd:MSG"));
    }

    @Test
    void requiredClausesNarrowEachOtherAndTextDoesNotWiden() throws Exception {
        Interest i = of("(cmd:MSG OR cmd:JOI) AND dir:S2C AND text:hi");
        assertEquals(Set.of(), i.c2s());
        assertEquals(Set.of("MSG", "JOI"), i.s2c());
        assertEquals(new Interest(Set.of(), Set.of()), of("cmd:MSG AND cmd:JOI"), "no frame has two commands");
        assertEquals(new Interest(Set.of("USR"), Set.of()), of("cmd:USR AND dir:C2S AND role:NS"));
    }

    @Test
    void theInterestIsWorkedOutOnceAtParse() throws Exception {
        FrameFilter f = FrameFilter.parse("cmd:QNG AND dir:S2C");
        assertSame(f.interest(), f.interest());
    }

    /** The one promise that matters: a frame the query matches is never outside its interest. */
    @Test
    void noFrameOfAnyCaptureMatchesOutsideItsInterest() throws Exception {
        List<String> queries = List.of("cmd:MSG", "cmd:msg AND dir:C2S", "cmd:(QNG OR PNG)", "NOT cmd:MSG", "cmd:MSG OR text:hello",
                "dir:S2C", "cmd:911", "cmd:USR AND dir:C2S AND role:NS", "(cmd:MSG OR cmd:JOI) AND dir:S2C", "dir:C2S OR cmd:MSG",
                "cmd:CHG AND NOT dir:S2C", "cmd:MS*", "+cmd:MSG -dir:C2S", "cmd:MSG^2 AND dir:s2c");
        int matched = 0;
        int outside = 0;
        for (String q : queries) {
            FrameFilter f = FrameFilter.parse(q);
            Interest interest = f.interest();
            for (Path t : Captures.transcripts()) {
                for (ConnectionLog c : Captures.dissect(t).connections()) {
                    for (Dissection d : c.frames()) {
                        boolean covered = interest.covers(d.command(), d.direction());
                        if (f.matches(d, c.accountOf(d))) {
                            matched++;
                            assertTrue(covered, q + " matches " + d + " outside " + interest);
                        } else if (!covered) {
                            outside++;
                        }
                    }
                }
            }
        }
        assertTrue(matched > 100, "the queries match real frames: " + matched);
        assertTrue(outside > 1000, "and the interests leave most frames alone: " + outside);
    }
}
