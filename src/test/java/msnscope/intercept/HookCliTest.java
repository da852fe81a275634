package msnscope.intercept;

import msnscope.cli.CliRunner;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code msnscope proxy --hook} mistakes, through the real Main: one line each, before anything listens. */
class HookCliTest {

    /** Main's exit code for a mistake in the command line. */
    private static final int USAGE = 2;

    private static CliRunner proxy(String... hookArgs) {
        return CliRunner.run(java.util.stream.Stream.concat(
                java.util.stream.Stream.of("proxy", "--upstream", "127.0.0.1:1", "--listen", "127.0.0.1:0"),
                java.util.stream.Stream.of(hookArgs)).toArray(String[]::new));
    }

    @Test
    void anEmptyHookCommandIsOneLine() {
        CliRunner r = proxy("--hook", " ");
        assertEquals(USAGE, r.code());
        assertEquals("msnscope proxy: --hook: the hook command is empty", r.err().strip());
    }

    @Test
    void aZeroTimeoutIsOneLine() {
        for (String zero : new String[]{"0", "0ms", "0s"}) {
            CliRunner r = proxy("--hook", "cat", "--hook-timeout", zero);
            assertEquals(USAGE, r.code(), r.err());
            String err = r.err().strip();
            assertTrue(err.startsWith("msnscope proxy: --hook") && err.contains("timeout") && !err.contains("\n") && !err.contains("Exception"), err);
        }
    }
}
