/**
 * Chaos and process tests for issue 9: the real {@code msnscope proxy} runs as a child JVM
 * ({@link msnscope.chaos.ProxyProcess}) so that it gets real signals (SIGTERM, SIGKILL) and real restarts
 * on the same {@code --data DIR}, under a real chat load on loopback ({@link msnscope.chaos.ChatLoad} over
 * the test world {@link msnscope.proxy.MsnWorld}). Afterwards the store is read the way a user reads it,
 * through {@code sessions}, {@code export}, {@code search} and {@code reindex}, and
 * {@link msnscope.chaos.FrameLedger} compares it with every frame a client or a server received.
 *
 * <p>Tagged {@code chaos}: {@code mvn test -Dgroups=chaos} runs only these (about 40 s on two cores),
 * {@code -DexcludedGroups=chaos} everything else. KillNineTest prints the frames lost per kill.
 */
package msnscope.chaos;
