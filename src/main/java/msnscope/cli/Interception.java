package msnscope.cli;

import msnscope.intercept.Durations;
import msnscope.intercept.Hook;
import msnscope.intercept.Interceptor;
import msnscope.intercept.Interceptors;
import msnscope.intercept.Rules;
import msnscope.intercept.RulesException;
import msnscope.search.FrameFilter;
import msnscope.search.QuerySyntaxException;
import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Option;
import org.apache.commons.cli.Options;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code --rules}, {@code --hook}, {@code --hook-filter}, {@code --hook-timeout}: what changes frames on the
 * fly, for {@code proxy} and for {@code bench-proxy} (which measures what it costs).
 */
final class Interception {


    private Interception() {
    }

    static void addOptions(Options o) {
        o.addOption(Option.builder().longOpt("rules").hasArg().argName("FILE")
                .desc("change frames on the fly by the rules in FILE (YAML: match, then reply, drop, delay, replace, inject "
                        + "or close; reloaded when it changes)").build());
        o.addOption(Option.builder().longOpt("hook").hasArg().argName("COMMAND")
                .desc("start COMMAND once and ask it about each frame over JSON Lines (forward, drop, replace, inject)").build());
        o.addOption(Option.builder().longOpt("hook-filter").hasArg().argName("QUERY")
                .desc("only frames matching QUERY go to the hook (default: every frame)").build());
        o.addOption(Option.builder().longOpt("hook-timeout").hasArg().argName("DURATION")
                .desc("how long a frame waits for the hook's answer before it is forwarded unchanged: 500ms, 2s (default 1s)").build());
    }

    /**
     * The rules and the hook the options name, chained (rules first); null when there are none. Rule reloads
     * and skipped rules are said on {@code notices}.
     */
    static Interceptor from(CommandLine line, java.util.function.Consumer<String> notices) throws UsageException {
        if (!line.hasOption("hook") && (line.hasOption("hook-filter") || line.hasOption("hook-timeout"))) {
            throw new UsageException("--hook-filter and --hook-timeout go with --hook COMMAND");
        }
        List<Interceptor> chain = new ArrayList<>();
        try {
            if (line.hasOption("rules")) {
                Path file = Path.of(line.getOptionValue("rules"));
                if (!Files.isRegularFile(file)) {
                    throw new UsageException("--rules " + file + ": no such file");
                }
                chain.add(Rules.load(file, notices));
            }
            if (line.hasOption("hook")) {
                FrameFilter filter = null;
                if (line.hasOption("hook-filter")) {
                    filter = FrameFilter.parse(line.getOptionValue("hook-filter"));
                }
                long millis = Hook.DEFAULT_TIMEOUT.toMillis();
                if (line.hasOption("hook-timeout")) {
                    String t = line.getOptionValue("hook-timeout");
                    millis = Durations.millis(t.matches("\\d{1,7}") ? t + "ms" : t);
                    if (millis < 0) {
                        throw new UsageException("--hook-timeout takes a duration like 500ms or 2s (at most 1 hour), not '" + t + "'");
                    }
                }
                chain.add(Hook.start(line.getOptionValue("hook"), filter, Duration.ofMillis(millis)));
            }
        } catch (RulesException e) {
            close(chain);
            throw new UsageException(e.getMessage());
        } catch (QuerySyntaxException e) {
            close(chain);
            throw new UsageException("--hook-filter: " + e.getMessage());
        } catch (IOException e) {
            close(chain);
            throw new UsageException("--hook: " + e.getMessage());
        } catch (UsageException e) {
            close(chain);
            throw e;
        }
        return Interceptors.of(chain);
    }

    private static void close(List<Interceptor> chain) {
        chain.forEach(Interceptor::close);
    }
}
