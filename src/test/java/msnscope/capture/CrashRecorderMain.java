package msnscope.capture;

import msnscope.wire.Clock;
import msnscope.dissect.Dissector;
import msnscope.dissect.spec.SpecLoader;
import msnscope.index.CaptureIndex;
import msnscope.proxy.ProxyConnection;
import msnscope.support.Captures;

import java.nio.file.Path;
import java.util.List;

/**
 * The child process of {@link CaptureCrashTest}: records logins in a loop through a live index until it is
 * killed, printing {@code acked N} each time N frames are known flushed.
 */
public final class CrashRecorderMain {

    private CrashRecorderMain() {
    }

    public static void main(String[] args) throws Exception {
        CaptureStore store = new CaptureStore(Path.of(args[0]));
        CaptureIndex index = CaptureIndex.open(store, new Dissector(SpecLoader.builtIn()));
        index.startLive();
        Recorder recorder = new Recorder(store, false, index::written);
        List<ProxyReplay.Conn> template = ProxyReplay.connections(Captures.DIR.resolve("msnp11-chat.txt"), "x", 1L, true);
        for (int round = 0; ; round++) {
            String prefix = "r" + round + "-";
            for (ProxyReplay.Conn c : template) {
                ProxyConnection pc = c.pc();
                var ref = pc.referral() == null ? null : new msnscope.proxy.Referral(pc.referral().kind(), prefix + pc.referral().fromConnection(),
                        null, pc.referral().original(), pc.referral().rewritten(), pc.referral().cookie(), null, pc.referral().line(), 1L);
                ProxyConnection renamed = new ProxyConnection(prefix + pc.id(), pc.role(), pc.client(), pc.proxy(), pc.upstreamName(),
                        pc.upstream(), ref, Clock.nowMicros());
                ProxyReplay.Conn rc = new ProxyReplay.Conn(renamed, c.frames());
                recorder.connectionOpened(renamed);
                for (Object[] f : rc.frames()) {
                    ProxyReplay.send(recorder, rc, f);
                }
                recorder.connectionClosed(renamed, "closed");
            }
            if (round % 5 == 4) {
                recorder.sync();
                System.out.println("acked " + recorder.acknowledged());
                System.out.flush();
            }
        }
    }
}
