package msnscope.cli;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ProxyBenchCliTest {

    @Test
    void onlyOneRelayMeasuresItAgainstTheDirectConnectionAndReportsItsRecording() {
        CliRunner r = CliRunner.run("bench-proxy", "--workload", "mix", "--commands", "2000", "--seconds", "1",
                "--only", "msnscope capture");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("  direct "), r.out());
        assertTrue(r.out().contains("  msnscope capture "), r.out());
        assertFalse(r.out().contains("  msnscope --data "), r.out());
        assertTrue(r.out().contains("msnscope capture (recorder, no index): "), r.out());
    }
}
