package msnscope.replay;

import msnscope.proxy.HostPort;
import msnscope.proxy.ProxyConfig;
import msnscope.wire.FramerLimits;

/**
 * How {@code msnscope serve} plays.
 *
 * @param listen       where clients connect (the proxy's default, loopback port 1863)
 * @param speed        0: every server frame as soon as the causal rule allows; else the captured delays
 *                     divided by it ({@code 1}: as captured)
 * @param onDivergence what a divergence does besides its line
 * @param limits       the framer's limits for the clients' bytes
 */
public record ServeConfig(HostPort listen, double speed, OnDivergence onDivergence, FramerLimits limits) {

    /** What {@code serve} does when the client does something the captured client did not. */
    public enum OnDivergence {
        /** No answer, keep going (the default). */
        REPORT,
        /** As report, and exit non-zero at the end. */
        ERROR,
        /** Close that connection. */
        CLOSE
    }

    public static final HostPort DEFAULT_LISTEN = ProxyConfig.DEFAULT_LISTEN;

    public ServeConfig {
        if (speed < 0 || Double.isNaN(speed) || Double.isInfinite(speed)) {
            throw new IllegalArgumentException("speed must be a positive number");
        }
    }
}
