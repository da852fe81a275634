package msnscope.replay;

import msnscope.dissect.spec.ParamSpec;
import msnscope.dissect.spec.SpecException;
import msnscope.dissect.spec.SpecLoader;
import msnscope.dissect.spec.VolatileSpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** The {@code volatile:} table of dissectors/types.yaml: read as data, checked like every other declaration. */
class ReplayVolatileSpecTest {

    @Test
    void kindsComeFromTypesParameterNamesAndHeaders() {
        VolatileSpec v = SpecLoader.load(Path.of("dissectors")).volatility();
        assertEquals("cookie", v.kindOf(ParamSpec.parse("cookie")));
        assertEquals("address", v.kindOf(ParamSpec.parse("current:hostport")));
        assertEquals("session", v.kindOf(ParamSpec.parse("session")));
        assertEquals("challenge", v.kindOf(ParamSpec.parse("passport-params:kv")));
        assertEquals("ticket", v.kindOf(ParamSpec.parse("ticket:secret")));
        assertEquals("time", v.kindOfHeader("logintime"));
        assertNull(v.kindOf(ParamSpec.parse("handle")));
        assertNull(v.kindOfHeader("Content-Type"));
    }

    @Test
    void aNewKindInTheDataIsUsedWithoutRecompiling(@TempDir Path dir) throws IOException {
        Path copy = copyDissectors(dir);
        Files.writeString(copy.resolve("types.yaml"), Files.readString(copy.resolve("types.yaml")) + "  nick:      {params: [nick]}\n");
        assertEquals("nick", SpecLoader.loadDir(copy).volatility().kindOf(ParamSpec.parse("nick")));
    }

    @Test
    void aTypoInTheTableStopsWithOneLineNamingIt(@TempDir Path dir) throws IOException {
        Path copy = copyDissectors(dir);
        String types = Files.readString(copy.resolve("types.yaml"));
        Files.writeString(copy.resolve("types.yaml"), types.replace("cookie:    {types: [cookie]}", "cookie:    {types: [cookies]}"));
        SpecException e = assertThrows(SpecException.class, () -> SpecLoader.loadDir(copy));
        assertEquals("types.yaml: volatile: cookie: unknown type 'cookies'", e.getMessage());

        Files.writeString(copy.resolve("types.yaml"), types.replace("session:   {params: [session]}", "session:   {params: [sesion]}"));
        e = assertThrows(SpecException.class, () -> SpecLoader.loadDir(copy));
        assertEquals("types.yaml: volatile: session: no command has a parameter 'sesion'", e.getMessage());
    }

    private static Path copyDissectors(Path dir) throws IOException {
        Path from = Path.of("dissectors");
        Path to = dir.resolve("dissectors");
        try (Stream<Path> all = Files.walk(from)) {
            for (Path p : all.toList()) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(p, target);
                }
            }
        }
        return to;
    }
}
