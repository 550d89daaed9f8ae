package dev.ringmeter.server.cli;

import dev.ringmeter.server.ServerConfig;
import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.io.PrintWriter;
import java.util.Arrays;
import java.util.Set;

/**
 * {@code ringmeter [command] [options]}: the server jar's one command line. A command is one class annotated with
 * picocli's {@code @Command}, named in {@code subcommands} below; it shares {@link Target} as a mixin to work on a
 * data directory or a server, and fails with a {@link CliException}. With no command, or options first,
 * {@code serve} runs, so {@code java -jar ringmeter-server.jar --port 9090} starts the server as it always did.
 * <p>
 * Exit codes: {@link #EXIT_OK}, {@link #EXIT_FAILED} (the command ran and something is wrong: damage found, rows
 * refused, an error from the server), {@link #EXIT_USAGE} (bad options), {@link #EXIT_UNREACHABLE} (the server or
 * the data directory cannot be reached).
 * <p>
 * Threading: {@link #execute} runs one command on the calling thread.
 */
@Command(name = "ringmeter", mixinStandardHelpOptions = true, versionProvider = RingmeterCommand.Version.class,
    description = "Ringmeter: a time-series store for the performance of LLM calls.",
    subcommands = {ServeCommand.class, QueryCommand.class, ImportCommand.class, CheckCommand.class, ReportCommand.class,
        ExportCommand.class, MockLlmCommand.class, BenchLlmCommand.class, CommandLine.HelpCommand.class},
    footer = {"", "With no command, serve runs: 'ringmeter --port 9090' is 'ringmeter serve --port 9090'.",
        "Exit codes: 0 ok, 1 something is wrong (damage, refused rows, a server error), 2 bad options,"
            + " 3 the server or the data directory cannot be reached.", "See docs/cli.md."})
public final class RingmeterCommand {
    public static final int EXIT_OK = 0;
    public static final int EXIT_FAILED = 1;
    public static final int EXIT_USAGE = 2;
    public static final int EXIT_UNREACHABLE = 3;
    /** What {@code serve} returns once a signal stopped it: the JVM is already exiting, with its own status. */
    public static final int STOPPED_BY_SIGNAL = Integer.MIN_VALUE;

    private static final Set<String> TOP_LEVEL = Set.of("-h", "--help", "-V", "--version");

    /** The version in the jar's manifest. */
    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            final String version = RingmeterCommand.class.getPackage().getImplementationVersion();
            return new String[] {"ringmeter " + (version == null ? "(development build)" : version)};
        }
    }

    private RingmeterCommand() {
    }

    /**
     * @return the command line of every command, with the exit codes and error printing set.
     */
    static CommandLine commandLine() {
        final CommandLine cl = new CommandLine(RingmeterCommand.class);
        cl.setExecutionExceptionHandler((e, line, parsed) -> {
            if (e instanceof CliException) {
                line.getErr().println("ringmeter " + line.getCommandName() + ": " + e.getMessage());
                return ((CliException)e).exitCode();
            }
            throw e;
        });
        cl.setExitCodeExceptionMapper(e -> e instanceof CommandLine.ParameterException ? EXIT_USAGE : EXIT_FAILED);
        cl.setUsageHelpLongOptionsMaxWidth(28);
        cl.setUsageHelpWidth(110);
        cl.setExpandAtFiles(false);   // an argument starting with @ is a value, as it always was
        return cl;
    }

    /**
     * Runs a command line.
     *
     * @param args the arguments; with no command first, {@code serve}'s.
     * @return the exit code, or {@link #STOPPED_BY_SIGNAL}.
     */
    public static int execute(final String[] args) {
        final CommandLine cl = commandLine();
        if (args.length > 0 && TOP_LEVEL.contains(args[0])) {
            final int code = cl.execute(args);
            if (!args[0].equals("-V") && !args[0].equals("--version")) {
                final PrintWriter out = cl.getOut();
                out.println();
                out.print("Options of serve, the default command:\n" + ServerConfig.usage()
                    .substring(ServerConfig.usage().indexOf('\n') + 1));
                out.flush();
            }
            return code;
        }
        if (args.length > 0 && cl.getSubcommands().containsKey(args[0]) && !args[0].equals(ServeCommand.NAME)) {
            Target.quietLogs();
        }
        if (args.length == 0 || !cl.getSubcommands().containsKey(args[0])) {
            final String[] serve = new String[args.length + 1];
            serve[0] = ServeCommand.NAME;
            System.arraycopy(args, 0, serve, 1, args.length);
            return cl.execute(serve);
        }
        return cl.execute(Arrays.copyOf(args, args.length));
    }
}
