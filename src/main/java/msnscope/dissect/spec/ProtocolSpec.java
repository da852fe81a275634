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
    private final String source;
    /** Per command key: the payload forms, or null when the command never carries a payload. */
    private final FormSpec[][] payloadForms;

    ProtocolSpec(Map<String, CommandSpec> commands, List<FormSpec> errorForms, Map<Integer, ErrorSpec> errors,
                 TypeTables tables, Map<String, ContentTypeSpec> contentTypes, ChallengeSpec challenge, String source) {
        this.commands = Collections.unmodifiableMap(commands);
        this.errorForms = List.copyOf(errorForms);
        this.errors = Collections.unmodifiableMap(errors);
        this.tables = tables;
        this.contentTypes = Collections.unmodifiableMap(contentTypes);
        this.challenge = challenge;
        this.source = source;
        this.payloadForms = new FormSpec[CommandKeys.SIZE][];
        for (CommandSpec c : commands.values()) {
            index(CommandKeys.of(c.name()), c.forms());
        }
        index(CommandKeys.ERROR, errorForms);
    }

    private void index(int key, List<FormSpec> forms) {
        List<FormSpec> withPayload = new ArrayList<>();
        for (FormSpec f : forms) {
            if (f.hasPayload()) {
                withPayload.add(f);
            }
        }
        if (key >= 0 && !withPayload.isEmpty()) {
            payloadForms[key] = withPayload.toArray(new FormSpec[0]);
        }
    }

    public CommandSpec command(String name) {
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
        FormSpec[] forms = payloadForms[commandKey];
        if (forms == null) {
            return false;
        }
        int params = tokenCount - 1;
        boolean directionKnownInVersion = false;
        for (FormSpec f : forms) {
            if (f.directions().contains(direction) && (version == 0 || f.versions().contains(version))) {
                directionKnownInVersion = true;
                if (params >= f.minTokens() && params <= f.maxTokens()) {
                    return true;
                }
            }
        }
        if (directionKnownInVersion || version == 0) {
            return false;
        }
        if (hasAnyFormInVersion(commandKey, direction, version)) {
            return false;
        }
        for (FormSpec f : forms) {
            if (f.directions().contains(direction) && params >= f.minTokens() && params <= f.maxTokens()) {
                return true;
            }
        }
        return false;
    }

    /** True when the command has a form (with or without payload) in this direction and version. */
    private boolean hasAnyFormInVersion(int commandKey, Direction direction, int version) {
        List<FormSpec> forms;
        if (commandKey == CommandKeys.ERROR) {
            forms = errorForms;
        } else {
            CommandSpec c = commands.get(nameOf(commandKey));
            if (c == null) {
                return false;
            }
            forms = c.forms();
        }
        for (FormSpec f : forms) {
            if (f.directions().contains(direction) && f.versions().contains(version)) {
                return true;
            }
        }
        return false;
    }

    private static String nameOf(int key) {
        char a = (char) ('A' + key / 676);
        char b = (char) ('A' + (key / 26) % 26);
        char c = (char) ('A' + key % 26);
        return new String(new char[]{a, b, c});
    }
}
