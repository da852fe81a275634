package msnscope.pcap;

import java.util.List;

/**
 * Everything read from one capture file.
 *
 * @param connections every TCP connection seen, ordered by the capture time of its first packet
 * @param problems    file-level problems, one line each (damaged or truncated file, unsupported link
 *                    types, skipped fragments…); problems of one connection are in
 *                    {@link TcpConnection#problems()}
 * @param packets     packets (records) read from the file, whatever their protocol
 * @param bytes       bytes of the file consumed, headers included
 */
public record PcapResult(List<TcpConnection> connections, List<String> problems, long packets, long bytes) {
    public PcapResult {
        connections = List.copyOf(connections);
        problems = List.copyOf(problems);
    }
}
