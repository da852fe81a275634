package msnscope.cli;

import msnscope.proxy.ProxyConfig;
import msnscope.wire.PartialBudget;
import org.apache.commons.cli.DefaultParser;
import org.apache.commons.cli.ParseException;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code proxy --max-buffered} and {@code --idle-timeout}: parsed, defaulted, and refused in one line when wrong. */
class ProxyOptionsTest {

    private static ProxyConfig config(String... args) throws ParseException, UsageException {
        String[] all = new String[args.length + 2];
        all[0] = "--upstream";
        all[1] = "127.0.0.1:1863";
        System.arraycopy(args, 0, all, 2, args.length);
        return ProxyCommand.config(new DefaultParser().parse(new ProxyCommand().options(), all));
    }

    @Test
    void defaultsAreTheDocumentedBudgetAndNoIdleTimeout() throws Exception {
        ProxyConfig c = config();
        assertEquals(PartialBudget.DEFAULT_BYTES, c.maxBuffered());
        assertNull(c.idleTimeout());
    }

    @Test
    void byteSizesTakeSuffixesAndTimeoutsSeconds() throws Exception {
        assertEquals(8L << 20, config("--max-buffered", "8M").maxBuffered());
        assertEquals(1L << 30, config("--max-buffered", "1g").maxBuffered());
        assertEquals(4096, config("--max-buffered", "4096").maxBuffered());
        assertEquals(0, config("--max-buffered", "0").maxBuffered(), "0: never buffer a partial payload, stream them all");
        assertEquals(Duration.ofSeconds(600), config("--idle-timeout", "600").idleTimeout());
    }

    @Test
    void badValuesAreOneLineUsageErrors() {
        for (String[] bad : new String[][]{{"--max-buffered", "lots"}, {"--max-buffered", "-1"}, {"--max-buffered", "99999999999G"},
                {"--idle-timeout", "0"}, {"--idle-timeout", "soon"}}) {
            UsageException e = assertThrows(UsageException.class, () -> config(bad));
            assertTrue(e.getMessage().startsWith(bad[0]), e.getMessage());
            assertEquals(1, e.getMessage().lines().count());
        }
    }
}
