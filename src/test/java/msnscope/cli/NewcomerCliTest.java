package msnscope.cli;

import msnscope.support.Captures;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** What a newcomer trips on first: the launcher, the sessions table's words, a batch delete with a typo. */
class NewcomerCliTest {

    @TempDir
    Path dir;

    private String imported() {
        String data = dir.resolve("store").toString();
        CliRunner r = CliRunner.run("import", Captures.DIR.resolve("escargot-msnp12.pcap").toString(), "--data", data);
        assertEquals(0, r.code(), r.err());
        return data;
    }

    @Test
    void theSessionsTableCallsItsFrameCountFrames() throws IOException {
        String data = imported();
        List<String> table = CliRunner.run("sessions", "--data", data).out().lines().toList();
        List<String> header = List.of(table.get(0).split("\\s+"));
        assertTrue(header.contains("FRAMES") && !header.contains("COMMANDS"), table.get(0));
        String json = CliRunner.run("sessions", "--format", "jsonl", "--data", data).out().lines().findFirst().orElseThrow();
        int frames = msnscope.export.FrameJson.MAPPER.readTree(json).get("frames").asInt();
        assertEquals(Integer.toString(frames), table.get(1).split("\\s+")[header.indexOf("FRAMES")], table.toString());
    }

    @Test
    void deleteWithAnUnknownIdNamesItAndDeletesNothing() {
        String data = imported();
        CliRunner r = CliRunner.run("delete", "s99", "s1", "s98", "--data", data);
        assertEquals(2, r.code());
        assertEquals("msnscope delete: no sessions s99, s98 in " + data + "; nothing deleted (see msnscope sessions)\n", r.err());
        assertEquals("", r.out());
        assertEquals(3, CliRunner.run("sessions", "--data", data).out().lines().count(), "s1 and s2 are still there");
        CliRunner connection = CliRunner.run("delete", "s1", "s2/c1", "--data", data);
        assertEquals("msnscope delete: delete takes whole sessions (s3), not connections (s2/c1); nothing deleted\n", connection.err());
        assertEquals(3, CliRunner.run("sessions", "--data", data).out().lines().count());
    }

    /** Runs the launcher as a shell runs it, with {@code env} added. */
    private static CliRunner launch(Path launcher, Map<String, String> env, String... args) throws Exception {
        List<String> command = new java.util.ArrayList<>(List.of(launcher.toString()));
        command.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(command).directory(launcher.getParent().toFile());
        pb.environment().remove("MSNSCOPE_JAR");
        pb.environment().remove("JAVA_OPTS");
        pb.environment().putAll(env);
        Process p = pb.start();
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        return new CliRunner(p.exitValue(), new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8),
                new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8));
    }

    @Test
    void theLauncherRunsTheCloneJarThroughASymlinkFromAnywhere() throws Exception {
        // A clone: the launcher at its root, a jar under target/; a java that shows what it was given.
        Path clone = Files.createDirectories(dir.resolve("clone"));
        Path launcher = Files.copy(Path.of("msnscope"), clone.resolve("msnscope"));
        Path java = Files.createDirectories(dir.resolve("jdk/bin")).resolve("java");
        Files.writeString(java, "#!/bin/sh\necho \"$@\"\n");
        Files.setPosixFilePermissions(java, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path onPath = Files.createDirectories(dir.resolve("bin"));
        Path link = Files.createSymbolicLink(onPath.resolve("msnscope"), launcher);
        Map<String, String> env = Map.of("JAVA_HOME", dir.resolve("jdk").toString(), "JAVA_OPTS", "-Xmx1g");

        CliRunner missing = launch(link, env, "--version");
        Path jar = clone.toRealPath().resolve("target/msnscope.jar");
        assertEquals(2, missing.code());
        assertEquals("msnscope: " + jar + " is not built yet; build it with: (cd '" + clone.toRealPath()
                + "' && mvn -q -B package -DskipTests)\n", missing.err());

        Files.createDirectories(jar.getParent());
        Files.write(jar, new byte[0]);
        CliRunner ran = launch(link, env, "search", "text:\"got it\"");
        assertEquals(0, ran.code(), ran.err());
        assertEquals("-Xmx1g -jar " + jar + " search text:\"got it\"\n", ran.out());
    }
}
