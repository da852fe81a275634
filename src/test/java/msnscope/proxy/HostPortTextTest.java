package msnscope.proxy;

import msnscope.dissect.spec.SpecLoader;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.InetSocketAddress;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Addresses as a person writes them, both ways: parsing what they typed and printing where we listen. */
class HostPortTextTest {

    @Test
    void aListenerOnTheIpv4WildcardIsPrintedAsTyped() throws Exception {
        ProxyConfig config = ProxyConfig.of(HostPort.parse("0.0.0.0:0"), new HostPort("127.0.0.1", 1));
        ProxyServer server = new ProxyServer(config, SpecLoader.builtIn());
        try {
            InetSocketAddress bound = server.start();
            assertEquals("0.0.0.0:" + bound.getPort(), HostPortText.listening(config.listen(), bound));
            assertFalse(HostPortText.of(bound).contains("0:0:0:0"), "never the long IPv6 form: " + HostPortText.of(bound));
        } finally {
            server.close();
        }
    }

    @Test
    void ipv6IsShortAndBracketed() throws Exception {
        assertEquals("[::1]:1863", HostPortText.of(new InetSocketAddress(InetAddress.getByName("::1"), 1863)));
        assertEquals("[::]:1863", HostPortText.of(new InetSocketAddress(InetAddress.getByName("::"), 1863)));
        assertEquals("[2001:db8::1:0:0:1]:5", HostPortText.of(new InetSocketAddress(InetAddress.getByName("2001:db8:0:0:1:0:0:1"), 5)));
        assertEquals("10.0.0.5:1863", HostPortText.of(new InetSocketAddress(InetAddress.getByName("10.0.0.5"), 1863)));
        assertEquals("[::1]:7", HostPortText.listening(HostPort.parse("[::1]:0"), new InetSocketAddress(InetAddress.getByName("::1"), 7)));
    }

    @Test
    void aBadHostPortSaysWhatIsWrong() {
        assertTrue(message("127.0.0.1:99999").contains("the port must be 1–65535, not 99999"), message("127.0.0.1:99999"));
        assertTrue(message("127.0.0.1:18x3").contains("number from 1 to 65535"), message("127.0.0.1:18x3"));
        assertTrue(message("127.0.0.1").contains("has no port"), message("127.0.0.1"));
        assertTrue(message("::1:1863").contains("IPv6 address in brackets"), message("::1:1863"));
        assertTrue(message(":1863").contains("has no host"), message(":1863"));
        assertTrue(message("bad host:1863").contains("not a host name or IP address"), message("bad host:1863"));
        for (String bad : new String[] {"127.0.0.1:99999", "x", "::1:1863", "a b:1"}) {
            assertEquals(1, message(bad).lines().count());
        }
    }

    private static String message(String s) {
        return assertThrows(IllegalArgumentException.class, () -> HostPort.parse(s)).getMessage();
    }
}
