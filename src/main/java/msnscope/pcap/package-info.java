/**
 * Importing capture files: classic pcap and pcapng in, reassembled TCP connections out.
 *
 * <p>The pipeline, one class per step: {@link msnscope.pcap.PcapReader} streams the file through a
 * window ({@code CaptureInput}) and picks the format by its magic ({@code ClassicPcapSource},
 * {@code PcapNgSource}); {@code PacketDecoder} finds the TCP segment under the link layer and IP;
 * {@link msnscope.pcap.TcpReassembler} puts each direction of each connection back in order
 * ({@code HalfStream}) and decides client and server ({@code ClientServerResolver});
 * {@link msnscope.pcap.MsnpDetector} then tells the MSNP connections from the rest by content.
 *
 * <p>Nothing here throws on damage found after a valid file header: problems are one-line strings in
 * {@link msnscope.pcap.PcapResult#problems()} (file) and {@link msnscope.pcap.TcpConnection#problems()}
 * (connection). Only a file that is not a capture at all, or cannot be read, raises
 * {@link msnscope.pcap.PcapFormatException}.
 */
package msnscope.pcap;
