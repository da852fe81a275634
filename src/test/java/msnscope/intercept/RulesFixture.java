package msnscope.intercept;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** A rules file written to disk and loaded as the proxy loads it, with the lines it tells collected. */
final class RulesFixture {

    final Path file;
    final List<String> notices = new CopyOnWriteArrayList<>();

    RulesFixture(Path dir) {
        this.file = dir.resolve("rules.yaml");
    }

    RulesFixture write(String yaml) {
        try {
            Files.writeString(file, yaml, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return this;
    }

    /** Loaded without the watcher thread: the test reloads when it means to. */
    Rules load() throws RulesException {
        return Rules.load(file, notices::add, false);
    }

    /** The one line a bad file is refused with. */
    String error(String yaml) {
        write(yaml);
        try (Rules r = load()) {
            throw new AssertionError("loaded " + r.describe() + " from:\n" + yaml);
        } catch (RulesException e) {
            return e.getMessage();
        }
    }

    static String text(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }
}
