package msnscope.export;

import msnscope.dissect.Dissection;
import msnscope.dissect.Dissector;
import msnscope.dissect.SessionContext;
import msnscope.dissect.StreamDissector;
import msnscope.dissect.spec.SpecLoader;
import msnscope.wire.Direction;
import msnscope.wire.Edit;
import msnscope.wire.Framer;
import msnscope.wire.FramerLimits;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.*;

/** The words for an edit, which the text view, the HTML report and the console share. */
class EditTextTest {

    private static Dissection dissect(String wire, Direction dir) {
        StreamDissector stream = new Dissector(SpecLoader.builtIn()).stream(new SessionContext("t"), "c1", null);
        return stream.dissect(Framer.frameAll(wire.getBytes(StandardCharsets.UTF_8), dir, stream.oracle(), FramerLimits.DEFAULT).get(0),
                dir, 1_800_000_000_000_000L);
    }

    @Test
    void anEditSaysWhoAndHowAndAMadeFrameSaysMsnscopeMadeIt() {
        assertEquals("edited by rule 2 (rules.yaml): replace", EditText.of(new Edit("rule 2 (rules.yaml)", "replace", false)));
        assertEquals("made by msnscope (hook: inject)", EditText.of(new Edit("hook", "inject", true)));
        assertEquals("edited: drop", EditText.of(new Edit(null, "drop", false)), "a nameless editor is still one clear line");
        assertEquals("made by msnscope", EditText.of(new Edit(null, null, true)));
        assertNull(EditText.of(null));
    }

    @Test
    void aDroppedFrameIsTheOneThatDeliveredNothingNotAnUnchangedOne() {
        Dissection qng = dissect("QNG 60\r\n", Direction.S2C).forwardedAs(new byte[0]).editedAs(new Edit("rule 4 (rules.yaml)", "drop", false));
        assertTrue(EditText.dropped(qng));
        assertEquals("edited by rule 4 (rules.yaml): drop; dropped: the client received nothing", EditText.oneLine(qng));
        Dissection png = dissect("PNG\r\n", Direction.C2S).editedAs(new Edit("rule 3 (rules.yaml)", "delay", false));
        assertFalse(EditText.dropped(png), "delayed: delivered as it came");
        assertEquals("edited by rule 3 (rules.yaml): delay", EditText.oneLine(png));
        assertNull(EditText.oneLine(dissect("PNG\r\n", Direction.C2S)));
    }

    @Test
    void theTextViewPutsTheEditAboveWhatTheOtherSideReceived() {
        Dissection usr = dissect("USR 6 TWN I alice@example.com\r\n", Direction.C2S).forwardedAs(new byte[0])
                .editedAs(new Edit("rule 1 (rules.yaml)", "reply", false));
        String text = new TextFormat(false).frame(usr);
        assertTrue(text.contains("\n" + " ".repeat(28) + "edited by rule 1 (rules.yaml): reply\n" + " ".repeat(28)
                + "=> dropped: the server received nothing\n"), text);
        Dissection answer = dissect("911 6\r\n", Direction.S2C).editedAs(new Edit("rule 1 (rules.yaml)", "reply", true));
        assertTrue(new TextFormat(false).frame(answer).contains("made by msnscope (rule 1 (rules.yaml): reply)\n"));
        String json = FrameJson.toLine(answer, java.util.Map.of());
        assertTrue(json.endsWith(",\"rewritten\":null,\"rewrittenBase64\":null,\"edited\":{\"by\":\"rule 1 (rules.yaml)\",\"action\":\"reply\",\"made\":true}}"),
                json);
    }
}
