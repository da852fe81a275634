package msnscope.pcap;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.InetAddress;
import java.nio.ByteBuffer;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Connection ids write IPv6 addresses the short way (RFC 5952), as Wireshark and users do. */
class PcapAddressTextTest {

    @ParameterizedTest
    @CsvSource({
        "::1, [::1]:1863",
        "::, [::]:1863",
        "2001:db8::1, [2001:db8::1]:1863",
        "2001:db8:0:1:1:1:1:1, [2001:db8:0:1:1:1:1:1]:1863",
        "2001:0:0:1:0:0:0:1, [2001:0:0:1::1]:1863",
        "fe80:0:0:0:1:0:0:0, [fe80::1:0:0:0]:1863",
        "1:0:0:2:0:0:3:4, [1::2:0:0:3:4]:1863",
    })
    void ipv6AddressesAreWrittenInTheirShortForm(String literal, String expected) throws Exception {
        ByteBuffer raw = ByteBuffer.wrap(InetAddress.getByName(literal).getAddress());
        assertEquals(expected, new Endpoint(true, raw.getLong(), raw.getLong(), 1863).text());
    }

    @ParameterizedTest
    @CsvSource({"127.0.0.1, 127.0.0.1:1863", "255.255.255.254, 255.255.255.254:1863"})
    void ipv4AddressesAreDottedQuads(String literal, String expected) throws Exception {
        long lo = ByteBuffer.wrap(InetAddress.getByName(literal).getAddress()).getInt() & 0xFFFFFFFFL;
        assertEquals(expected, new Endpoint(false, 0, lo, 1863).text());
    }
}
