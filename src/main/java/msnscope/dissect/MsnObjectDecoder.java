package msnscope.dissect;

import java.util.Map;

/** Decodes the XML of an MSNObject parameter into its attributes. */
@FunctionalInterface
interface MsnObjectDecoder {
    Map<String, Object> decode(String xml);
}
