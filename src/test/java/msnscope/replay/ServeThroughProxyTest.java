package msnscope.replay;

import msnscope.dissect.Dissector;
import msnscope.dissect.spec.ProtocolSpec;
import msnscope.dissect.spec.SpecLoader;
import msnscope.proxy.HostPort;
import msnscope.proxy.ProxyConfig;
import msnscope.proxy.ProxyServer;
import msnscope.support.Captures;
import msnscope.wire.FramerLimits;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The captured clients through {@code msnscope proxy} into {@code serve}: serve's referrals lead the proxy back to serve. */
class ServeThroughProxyTest {

    private static final ProtocolSpec SPEC = SpecLoader.builtIn();
    private static final Dissector DISSECTOR = new Dissector(SPEC);

    @ParameterizedTest
    @ValueSource(strings = {"msnp11-chat.txt", "msnp11-invited.txt", "escargot-msnp8.pcap", "escargot-msnp12.pcap"})
    void capturedClientsThroughTheProxyGetEveryCapturedReply(String capture) throws Exception {
        Script script = Script.load(List.of(Captures.DIR.resolve(capture)), DISSECTOR, FramerLimits.DEFAULT);
        List<String> console = new CopyOnWriteArrayList<>();
        ServeServer serve = new ServeServer(script, new ServeConfig(new HostPort("127.0.0.1", 0), 0, ServeConfig.OnDivergence.ERROR,
                FramerLimits.DEFAULT), DISSECTOR, null, console::add);
        InetSocketAddress served = serve.start();
        ProxyServer proxy = new ProxyServer(ProxyConfig.of(new HostPort("127.0.0.1", 0), new HostPort("127.0.0.1", served.getPort())), SPEC);
        try {
            InetSocketAddress listen = proxy.start();
            try (ServeDriver clients = new ServeDriver(script, listen, 0, false)) {
                clients.playRest();
            }
            assertEquals(0, serve.divergences(), console.toString());
            assertEquals(script.frames().stream().filter(f -> !f.fromClient()).count(), serve.answered());
        } finally {
            proxy.close();
            serve.shutdown(1_000);
        }
    }
}
