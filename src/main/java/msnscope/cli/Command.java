package msnscope.cli;

import org.apache.commons.cli.CommandLine;
import org.apache.commons.cli.Options;

import java.io.PrintStream;

/** One subcommand of {@code msnscope}. */
interface Command {

    String name();

    /** Usage line after the command name, e.g. {@code FILE... [--format text|jsonl|transcript]}. */
    String usage();

    String description();

    Options options();

    /** Runs it; returns the exit code. Throws {@link UsageException} for user mistakes. */
    int run(CommandLine line, PrintStream out, PrintStream err) throws Exception;
}
