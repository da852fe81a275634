package msnscope.dissect.spec;

import msnscope.wire.CommandKeys;
import msnscope.wire.Direction;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

/**
 * Everything {@code dissectors/} declares, loaded and checked once; immutable and shared by every
 * connection. Also holds what is derived from the declarations for the hot path: the payload forms
 * indexed by command key, so the framer decides "payload or not" with an array lookup.
 */
public final class ProtocolSpec {

    private final Map<String, CommandSpec> commands;
    private final List<FormSpec> errorForms;
    private final Map<Integer, ErrorSpec> errors;
    private final TypeTables tables;
    private final Map<String, ContentTypeSpec> contentTypes;
    private final ChallengeSpec challenge;
    private final VolatileSpec volatility;
    private final String source;
    /**
     * What the framer needs of a form, flattened so the per-line decision touches no lists.
     * Directions as a bit mask (1 = C2S, 2 = S2C); tokens counted after the command.
     */
    private record FramingRule(int directions, int low, int high, int minTokens, int maxTokens, boolean payload) {
        boolean has(Direction d) {
            return (directions & (1 << d.ordinal())) != 0;
        }
    }

    /** Per command key: every form's framing rule, or null when no form of it carries a payload. */
    private final FramingRule[][] framing;
    /** Commands by key, so the per-line lookup is an array index (names that are not keys: the map). */
    private final CommandSpec[] byKey = new CommandSpec[CommandKeys.SIZE];

    ProtocolSpec(Map<String, CommandSpec> commands, List<FormSpec> errorForms, Map<Integer, ErrorSpec> errors,
                 TypeTables tables, Map<String, ContentTypeSpec> contentTypes, ChallengeSpec challenge, VolatileSpec volatility, String source) {
        this.commands = Collections.unmodifiableMap(commands);
        this.errorForms = List.copyOf(errorForms);
        this.errors = Collections.unmodifiableMap(errors);
        this.tables = tables;
        this.contentTypes = Collections.unmodifiableMap(contentTypes);
        this.challenge = challenge;
        this.volatility = volatility;
        this.source = source;
        this.framing = new FramingRule[CommandKeys.SIZE][];
        for (CommandSpec c : commands.values()) {
            index(CommandKeys.of(c.name()), c.forms());
        }
        for (Map.Entry<String, CommandSpec> e : commands.entrySet()) {
            int key = CommandKeys.of(e.getKey());
            if (key >= 0 && key != CommandKeys.ERROR) {
                byKey[key] = e.getValue();
            }
        }
        index(CommandKeys.ERROR, errorForms);
    }

    private void index(int key, List<FormSpec> forms) {
        if (key < 0 || forms.stream().noneMatch(FormSpec::hasPayload)) {
            return;
        }
        List<FramingRule> rules = new ArrayList<>();
        for (FormSpec f : forms) {
            int dirs = 0;
            for (Direction d : f.directions()) {
                dirs |= 1 << d.ordinal();
            }
            rules.add(new FramingRule(dirs, f.versions().low(), f.versions().high(), f.minTokens(), f.maxTokens(), f.hasPayload()));
        }
        framing[key] = rules.toArray(new FramingRule[0]);
    }

    public CommandSpec command(String name) {
        int key = CommandKeys.of(name);
        if (key >= 0 && key != CommandKeys.ERROR) {
            return byKey[key];
        }
        return commands.get(name);
    }

    public Map<String, CommandSpec> commands() {
        return commands;
    }

    public List<FormSpec> errorForms() {
        return errorForms;
    }

    public ErrorSpec error(int code) {
        return errors.get(code);
    }

    public Map<Integer, ErrorSpec> errors() {
        return errors;
    }

    public TypeTables tables() {
        return tables;
    }

    /** The content type declaration for a MIME type (lower-case, without parameters), or null. */
    public ContentTypeSpec contentType(String mimeType) {
        return contentTypes.get(mimeType);
    }

    public Map<String, ContentTypeSpec> contentTypes() {
        return contentTypes;
    }

    public ChallengeSpec challenge() {
        return challenge;
    }

    /** Which values a server chooses anew in every session (the {@code volatile:} table of types.yaml). */
    public VolatileSpec volatility() {
        return volatility;
    }

    /** Where the declarations were read from, for messages. */
    public String source() {
        return source;
    }

    /**
     * Whether a line is a payload form at {@code version} (0 = unknown). When the version is known but
     * no payload form of the command exists in that version for this direction, any version's forms are
     * used: a session that negotiated MSNP10 but sends MSNP11's {@code UUX} (the seed does) must still
     * frame correctly; the dissector warns about the version.
     */
    public boolean expectsPayload(int commandKey, Direction direction, int tokenCount, int version) {
        if (commandKey < 0) {
            return false;
        }
        FramingRule[] rules = framing[commandKey];
        if (rules == null) {
            return false;
        }
        int params = tokenCount - 1;
        boolean formInVersion = false;
        for (FramingRule r : rules) {
            if (r.has(direction) && (version == 0 || (version >= r.low() && version <= r.high()))) {
                formInVersion = true;
                if (r.payload() && params >= r.minTokens() && params <= r.maxTokens()) {
                    return true;
                }
            }
        }
        if (formInVersion || version == 0) {
            return false;
        }
        for (FramingRule r : rules) {
            if (r.has(direction) && r.payload() && params >= r.minTokens() && params <= r.maxTokens()) {
                return true;
            }
        }
        return false;
    }

}
