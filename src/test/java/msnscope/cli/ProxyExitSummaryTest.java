package msnscope.cli;

import org.junit.jupiter.api.Test;

import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The proxy's last line says what the analysis and the terminal could not keep up with (the capture has it all). */
class ProxyExitSummaryTest {

    @Test
    void theExitLineCountsFramesNotDissectedLiveAndConsoleLinesDropped() {
        ProxyTally tally = new ProxyTally();
        assertEquals("0 connections, 0 frames; not recorded", ProxyCommand.summary(tally, Optional.empty(), 0, 0));
        assertEquals("0 connections, 0 frames; not recorded; 3 frames not dissected live (the analysis fell behind); "
                + "1 console line dropped (the terminal fell behind)", ProxyCommand.summary(tally, Optional.empty(), 3, 1));
    }
}
