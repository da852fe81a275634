package msnscope.dissect.spec;

import java.util.List;
import java.util.Map;

/**
 * A {@code MSG} content type of {@code dissectors/payloads.yaml}.
 *
 * @param decode         body decoder: headers, text, typing, invite, p2p, datacast, emoticons, xml-header
 * @param secretHeaders  headers hidden by {@code --redact}
 * @param addressHeaders role (ip, port, …) to header name, for address fixing
 */
public record ContentTypeSpec(String type, String meaning, String decode, List<String> secretHeaders,
                              Map<String, String> addressHeaders) {
}
