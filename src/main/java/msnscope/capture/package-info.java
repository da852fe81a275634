/**
 * The capture store: everything the proxy sees or a user imports, kept as raw bytes in one append-only,
 * CRC-checked file per session ({@link msnscope.capture.CaptureFormat}, {@code docs/capture-format.md}).
 *
 * <ul>
 *   <li>{@link msnscope.capture.Recorder} — the proxy's listener: bounded queue, one writer thread, flush per batch.</li>
 *   <li>{@link msnscope.capture.Stitcher} — which session (login story) a connection belongs to.</li>
 *   <li>{@link msnscope.capture.Importer}, {@link msnscope.capture.PcapImport} — transcripts, msnscope jsonl, pcap/pcapng.</li>
 *   <li>{@link msnscope.capture.CaptureStore} — the directory, session ids, delete, and loading a session by
 *       dissecting its bytes again.</li>
 * </ul>
 *
 * Annotations are never stored: the index and every export derive them from the bytes.
 */
package msnscope.capture;
