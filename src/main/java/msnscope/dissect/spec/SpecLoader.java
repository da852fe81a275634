package msnscope.dissect.spec;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import msnscope.wire.Direction;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.FileSystem;
import java.nio.file.FileSystemNotFoundException;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * Reads and checks {@code dissectors/}. Every mistake is reported as a {@link SpecException} naming the
 * file and the entry, so a user who edits a file learns exactly what to fix.
 *
 * <p>Where the files come from, first match wins: an explicit folder; {@code ./dissectors}; the
 * {@code dissectors} folder beside the jar's {@code target/} (a clone's own copy); the copy built into
 * the jar.
 */
public final class SpecLoader {

    private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
    private static volatile ProtocolSpec builtIn;

    private SpecLoader() {
    }

    /** The spec from {@code explicitDir} if given, else from the first default location that exists. */
    public static ProtocolSpec load(Path explicitDir) {
        if (explicitDir != null) {
            if (!Files.isRegularFile(explicitDir.resolve("errors.yaml"))) {
                throw new SpecException(explicitDir + ": not a dissectors folder (no errors.yaml)");
            }
            return loadDir(explicitDir);
        }
        Path cwd = Path.of("dissectors");
        if (Files.isRegularFile(cwd.resolve("errors.yaml"))) {
            return loadDir(cwd);
        }
        Path besideJar = besideJar();
        if (besideJar != null) {
            return loadDir(besideJar);
        }
        return builtIn();
    }

    /** The copy built into the jar (or the classpath in tests); loaded once. */
    public static ProtocolSpec builtIn() {
        ProtocolSpec spec = builtIn;
        if (spec == null) {
            synchronized (SpecLoader.class) {
                if (builtIn == null) {
                    builtIn = loadClasspath();
                }
                spec = builtIn;
            }
        }
        return spec;
    }

    private static Path besideJar() {
        try {
            URL location = SpecLoader.class.getProtectionDomain().getCodeSource().getLocation();
            Path jar = Path.of(location.toURI());
            Path candidate = jar.getParent() == null || jar.getParent().getParent() == null ? null
                    : jar.getParent().getParent().resolve("dissectors");
            return candidate != null && Files.isRegularFile(candidate.resolve("errors.yaml")) ? candidate : null;
        } catch (URISyntaxException | RuntimeException e) {
            return null;
        }
    }

    private static ProtocolSpec loadClasspath() {
        URL marker = SpecLoader.class.getResource("/dissectors/errors.yaml");
        if (marker == null) {
            throw new SpecException("no dissectors/ built into the jar; rebuild with mvn package");
        }
        try {
            URI uri = marker.toURI();
            if ("jar".equals(uri.getScheme())) {
                FileSystem fs;
                try {
                    fs = FileSystems.getFileSystem(uri);
                } catch (FileSystemNotFoundException e) {
                    fs = FileSystems.newFileSystem(uri, Map.of());
                }
                return loadDir(fs.getPath("/dissectors"));
            }
            return loadDir(Path.of(uri).getParent());
        } catch (URISyntaxException | IOException e) {
            throw new SpecException("cannot read the built-in dissectors: " + e.getMessage(), e);
        }
    }

    /** Reads every file of a dissectors folder. */
    public static ProtocolSpec loadDir(Path dir) {
        Map<String, List<FormSpec>> forms = new LinkedHashMap<>();
        Map<String, String> meanings = new LinkedHashMap<>();
        Path typesFile = dir.resolve("types.yaml");
        JsonNode typesRoot = read(typesFile);
        TypeTables tables = readTypes(typesRoot, typesFile);
        List<Path> commandFiles = new ArrayList<>();
        Path commandsDir = dir.resolve("commands");
        if (Files.isDirectory(commandsDir)) {
            try (Stream<Path> files = Files.list(commandsDir)) {
                files.filter(p -> p.getFileName().toString().endsWith(".yaml")).sorted().forEach(commandFiles::add);
            } catch (IOException e) {
                throw new SpecException(commandsDir + ": " + e.getMessage(), e);
            }
        }
        for (Path file : commandFiles) {
            JsonNode root = read(file);
            for (JsonNode c : root.path("commands")) {
                String name = text(c, "cmd", file + ": a command without 'cmd'");
                String where = file.getFileName() + ": " + name;
                if (!name.matches("[A-Z]{3}")) {
                    throw new SpecException(where + ": a command is three upper-case letters");
                }
                meanings.putIfAbsent(name, c.path("meaning").asText(null));
                List<FormSpec> list = forms.computeIfAbsent(name, k -> new ArrayList<>());
                int i = 0;
                for (JsonNode f : c.path("forms")) {
                    list.add(form(name, f, c, tables, where + " form " + (++i)));
                }
                if (i == 0) {
                    throw new SpecException(where + ": no forms");
                }
            }
        }
        Map<String, CommandSpec> commands = new LinkedHashMap<>();
        forms.forEach((name, fs) -> commands.put(name, new CommandSpec(name, meanings.get(name), List.copyOf(fs))));

        JsonNode errorsRoot = read(dir.resolve("errors.yaml"));
        List<FormSpec> errorForms = new ArrayList<>();
        int i = 0;
        for (JsonNode f : errorsRoot.path("forms")) {
            errorForms.add(form("ERR", f, errorsRoot, tables, "errors.yaml form " + (++i)));
        }
        Map<Integer, ErrorSpec> errors = new LinkedHashMap<>();
        for (JsonNode e : errorsRoot.path("errors")) {
            int code = e.path("code").asInt(-1);
            if (code < 100 || code > 999) {
                throw new SpecException("errors.yaml: bad error code " + e.path("code"));
            }
            errors.put(code, new ErrorSpec(code, e.path("name").asText(null), e.path("meaning").asText(""),
                    e.path("disconnects").asBoolean(false)));
        }
        Map<String, ContentTypeSpec> contentTypes = readContentTypes(dir.resolve("payloads.yaml"));
        ChallengeSpec challenge = readChallenge(dir.resolve("challenge.yaml"));
        VolatileSpec volatility = readVolatile(typesRoot.path("volatile"), commands);
        return new ProtocolSpec(commands, errorForms, errors, tables, contentTypes, challenge, volatility, dir.toString());
    }

    private static FormSpec form(String cmd, JsonNode f, JsonNode command, TypeTables tables, String where) {
        try {
            Set<Direction> dirs = directions(f.path("dir").asText(""), where);
            Set<FormSpec.Role> servers = servers(f.has("servers") ? f.get("servers") : command.get("servers"));
            JsonNode v = f.has("versions") ? f.get("versions") : command.get("versions");
            VersionRange versions = v == null || v.isNull() ? VersionRange.ALL : VersionRange.parse(v.asText());
            List<ParamSpec> params = new ArrayList<>();
            if (!f.has("params")) {
                throw new SpecException(where + ": no 'params' (write params: [] for none)");
            }
            for (JsonNode p : f.get("params")) {
                ParamSpec spec = ParamSpec.parse(p.asText());
                if (spec.table() != null && !tables.has(spec.table())) {
                    throw new SpecException(where + ": parameter '" + spec.name() + "' names table '" + spec.table()
                            + "', which types.yaml does not have");
                }
                params.add(spec);
            }
            List<String> replies = null;
            if (f.has("replies")) {
                replies = new ArrayList<>();
                for (JsonNode r : f.get("replies")) {
                    replies.add(r.asText());
                }
            }
            boolean fifo = "fifo".equals(f.path("pairing").asText("trid"));
            String payload = f.path("payload").asText(null);
            String payloadRoot = f.path("payload-root").asText(null);
            FormSpec probe = new FormSpec(cmd, dirs, servers, versions, params, replies, fifo, payload, payloadRoot, null, null, null, where);
            if (payload != null && !probe.hasPayload()) {
                throw new SpecException(where + ": 'payload' given but no parameter of type length");
            }
            if (payload != null && !PAYLOAD_KINDS.contains(payload)) {
                throw new SpecException(where + ": payload must be one of " + PAYLOAD_KINDS + ", not '" + payload + "'");
            }
            ReferralSpec referral = null;
            if (f.has("referral")) {
                JsonNode r = f.get("referral");
                List<String> also = new ArrayList<>();
                r.path("also").forEach(a -> also.add(a.asText()));
                referral = new ReferralSpec(r.path("kind").asText(), r.path("address").asText(null),
                        r.path("cookie").asText(null), r.path("session").asText(null), List.copyOf(also));
                for (String name : names(referral)) {
                    if (probe.param(name) == null) {
                        throw new SpecException(where + ": referral names '" + name + "', which is not a parameter");
                    }
                }
            }
            SummaryTemplate summary = f.has("summary") ? SummaryTemplate.parse(f.get("summary").asText()) : null;
            if (summary != null) {
                for (String name : summary.names()) {
                    if (probe.param(name) == null && !DERIVED_SUMMARY_NAMES.contains(name)) {
                        throw new SpecException(where + ": summary names '{" + name + "}', which is not a parameter");
                    }
                }
            }
            return new FormSpec(cmd, dirs, servers, versions, List.copyOf(params), replies == null ? null : List.copyOf(replies),
                    fifo, payload, payloadRoot, referral, summary, f.path("meaning").asText(null), where);
        } catch (IllegalArgumentException e) {
            throw new SpecException(where + ": " + e.getMessage(), e);
        }
    }

    /** Payload kinds a form may declare. */
    public static final Set<String> PAYLOAD_KINDS = Set.of("mime", "routing", "xml", "text", "qry-answer", "binary");

    /** Names a summary may use besides parameters: filled in by the dissector. */
    public static final Set<String> DERIVED_SUMMARY_NAMES = Set.of("payload", "answers", "error");

    private static List<String> names(ReferralSpec r) {
        List<String> names = new ArrayList<>();
        if (r.address() != null) {
            names.add(r.address());
        }
        if (r.cookie() != null) {
            names.add(r.cookie());
        }
        if (r.session() != null) {
            names.add(r.session());
        }
        names.addAll(r.also());
        return names;
    }

    private static Set<Direction> directions(String dir, String where) {
        return switch (dir) {
            case "C2S" -> EnumSet.of(Direction.C2S);
            case "S2C" -> EnumSet.of(Direction.S2C);
            case "both" -> EnumSet.allOf(Direction.class);
            default -> throw new SpecException(where + ": dir must be C2S, S2C or both, not '" + dir + "'");
        };
    }

    private static Set<FormSpec.Role> servers(JsonNode node) {
        if (node == null || node.isNull()) {
            return EnumSet.allOf(FormSpec.Role.class);
        }
        Set<FormSpec.Role> roles = EnumSet.noneOf(FormSpec.Role.class);
        for (JsonNode s : node) {
            try {
                roles.add(FormSpec.Role.valueOf(s.asText()));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("unknown server '" + s.asText() + "' (DS, NS or SB)");
            }
        }
        return roles;
    }

    private static TypeTables readTypes(JsonNode root, Path file) {
        Map<String, Map<String, String>> enums = new LinkedHashMap<>();
        root.path("enums").fields().forEachRemaining(e -> {
            Map<String, String> table = new LinkedHashMap<>();
            e.getValue().fields().forEachRemaining(v -> table.put(v.getKey(), v.getValue().asText()));
            enums.put(e.getKey(), table);
        });
        Map<String, Map<Long, String>> bitmasks = new LinkedHashMap<>();
        Map<String, Map<Integer, String>> nibbles = new LinkedHashMap<>();
        root.path("bitmasks").fields().forEachRemaining(e -> {
            Map<Long, String> bits = new LinkedHashMap<>();
            Map<Integer, String> versions = new LinkedHashMap<>();
            e.getValue().fields().forEachRemaining(v -> {
                if (v.getKey().equals("versions")) {
                    v.getValue().fields().forEachRemaining(n -> versions.put((int) parseNumber(n.getKey(), file), n.getValue().asText()));
                } else if (v.getKey().equals("bits")) {
                    v.getValue().fields().forEachRemaining(n -> bits.put(parseNumber(n.getKey(), file), n.getValue().asText()));
                } else {
                    bits.put(parseNumber(v.getKey(), file), v.getValue().asText());
                }
            });
            bitmasks.put(e.getKey(), bits);
            if (!versions.isEmpty()) {
                nibbles.put(e.getKey(), versions);
            }
        });
        return new TypeTables(enums, bitmasks, nibbles);
    }

    private static long parseNumber(String text, Path file) {
        String t = text.trim().toLowerCase();
        try {
            return t.startsWith("0x") ? Long.parseLong(t.substring(2), 16) : Long.parseLong(t);
        } catch (NumberFormatException e) {
            throw new SpecException(file.getFileName() + ": '" + text + "' is not a number (write 16 or 0x10)");
        }
    }

    private static Map<String, ContentTypeSpec> readContentTypes(Path file) {
        Map<String, ContentTypeSpec> types = new LinkedHashMap<>();
        if (!Files.exists(file)) {
            return types;
        }
        for (JsonNode c : read(file).path("content-types")) {
            String type = c.path("type").asText("").toLowerCase();
            List<String> secrets = new ArrayList<>();
            c.path("secret-headers").forEach(s -> secrets.add(s.asText()));
            Map<String, String> addresses = new LinkedHashMap<>();
            c.path("address-headers").fields().forEachRemaining(a -> addresses.put(a.getKey(), a.getValue().asText()));
            String decode = c.path("decode").asText("fields");
            if (!msnscope.dissect.payload.BodyDecoders.names().contains(decode)) {
                throw new SpecException(file.getFileName() + ": " + type + ": decode must be one of "
                        + msnscope.dissect.payload.BodyDecoders.names() + ", not '" + decode + "'");
            }
            types.put(type, new ContentTypeSpec(type, c.path("meaning").asText(""), decode,
                    List.copyOf(secrets), Map.copyOf(addresses)));
        }
        return types;
    }

    /**
     * {@code volatile: {kind: {types: [...], params: [...], headers: [...]}}}; a type that does not exist or
     * a parameter no form has is a mistake (a typo would silently make a real difference look volatile-free).
     */
    private static VolatileSpec readVolatile(JsonNode node, Map<String, CommandSpec> commands) {
        Map<ParamType, String> byType = new LinkedHashMap<>();
        Map<String, String> byParam = new LinkedHashMap<>();
        Map<String, String> byHeader = new LinkedHashMap<>();
        node.fields().forEachRemaining(e -> {
            String kind = e.getKey();
            String where = "types.yaml: volatile: " + kind;
            for (JsonNode t : e.getValue().path("types")) {
                ParamType type = ParamType.byName(t.asText());
                if (type == null) {
                    throw new SpecException(where + ": unknown type '" + t.asText() + "'");
                }
                byType.put(type, kind);
            }
            for (JsonNode p : e.getValue().path("params")) {
                String name = p.asText();
                boolean known = commands.values().stream().flatMap(c -> c.forms().stream()).anyMatch(f -> f.param(name) != null);
                if (!known) {
                    throw new SpecException(where + ": no command has a parameter '" + name + "'");
                }
                byParam.put(name, kind);
            }
            for (JsonNode h : e.getValue().path("headers")) {
                byHeader.put(h.asText().trim().toLowerCase(java.util.Locale.ROOT), kind);
            }
        });
        return new VolatileSpec(Map.copyOf(byType), Map.copyOf(byParam), Map.copyOf(byHeader));
    }

    private static ChallengeSpec readChallenge(Path file) {
        List<ChallengeSpec.Algorithm> algorithms = new ArrayList<>();
        List<ChallengeSpec.Product> products = new ArrayList<>();
        if (Files.exists(file)) {
            JsonNode root = read(file);
            for (JsonNode a : root.path("algorithms")) {
                algorithms.add(new ChallengeSpec.Algorithm(VersionRange.parse(a.path("versions").asText()), a.path("algorithm").asText()));
            }
            for (JsonNode p : root.path("products")) {
                products.add(new ChallengeSpec.Product(p.path("id").asText(), p.path("key").asText(), p.path("up-to").asInt(VersionRange.MAX)));
            }
        }
        return new ChallengeSpec(List.copyOf(algorithms), List.copyOf(products));
    }

    private static JsonNode read(Path file) {
        try (InputStream in = Files.newInputStream(file)) {
            JsonNode node = YAML.readTree(in);
            return node == null ? YAML.createObjectNode() : node;
        } catch (IOException e) {
            String msg = e.getMessage() == null ? e.toString() : e.getMessage().lines().findFirst().orElse("");
            throw new SpecException(file + ": " + msg, e);
        }
    }

    private static String text(JsonNode node, String field, String error) {
        JsonNode v = node.get(field);
        if (v == null || v.isNull()) {
            throw new SpecException(error);
        }
        return v.asText();
    }
}
