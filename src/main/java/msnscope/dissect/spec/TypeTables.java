package msnscope.dissect.spec;

import java.util.Map;

/**
 * Value tables of {@code dissectors/types.yaml}.
 *
 * @param enums        table name → code → meaning
 * @param bitmasks     table name → bit → meaning, in declaration order
 * @param nibbleNames  table name → value of the top nibble → meaning (the MSNC version in {@code caps})
 */
public record TypeTables(Map<String, Map<String, String>> enums, Map<String, Map<Long, String>> bitmasks,
                         Map<String, Map<Integer, String>> nibbleNames) {

    public boolean has(String table) {
        return enums.containsKey(table) || bitmasks.containsKey(table);
    }

    public String meaning(String table, String code) {
        Map<String, String> t = enums.get(table);
        return t == null ? null : t.get(code);
    }
}
