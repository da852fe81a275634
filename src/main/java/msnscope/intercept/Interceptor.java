package msnscope.intercept;

import msnscope.dissect.Dissection;

import java.util.List;
import java.util.concurrent.CompletionStage;

/**
 * The one interception point of the relay: it sees each frame it {@linkplain Interest may change} before the
 * frame is forwarded, and says what becomes of it ({@link Verdict}): forward, replace, drop, delay, answer,
 * inject, close. Rules ({@code --rules}) and the hook ({@code --hook}) are interceptors; the proxy chains
 * them ({@link Interceptors}) the way mitmproxy chains addons.
 *
 * <p>Threads: {@link #interest} is read on the relay's event loops for every frame (it must be a field read);
 * {@link #intercept} is called on the analysis lane, in stream order per connection, with the frame's full
 * dissection. It must not block: a verdict that takes time (a hook process) is a stage completed later, and
 * only the frame's direction of its connection waits for it.
 */
public interface Interceptor extends AutoCloseable {

    /** Which frames this interceptor may change, known before dissection; frames outside it are never held. */
    Interest interest();

    /**
     * What becomes of one frame. {@code d} is the frame as it arrived, fully dissected, with its connection's
     * role and account; {@code connection} is the proxy's connection id ({@code c7}). A stage that fails is
     * taken as {@link Verdict#FORWARD}.
     */
    CompletionStage<Verdict> intercept(Dissection d, String connection);

    /** Lines for the proxy's exit summary (how often each rule applied, hook answers and failures); may be empty. */
    default List<String> summary() {
        return List.of();
    }

    /** One line for the proxy's banner: what intercepts (rules file and count, hook command). */
    String describe();

    @Override
    default void close() {
    }
}
