package dev.ringmeter.core.test;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The command line of a child JVM for tests that need a real process (to kill it, or to see what it logs): this
 * JVM's {@code java}, the test class path, and the options every process that runs Ringmeter needs, taken from the
 * ones this JVM was started with (the module opens and exports Chronicle Queue requires, and its {@code -D}
 * properties). Shared by the core and server tests through the core's test-jar.
 */
public final class ChildJvm {
    private ChildJvm() {
    }

    /**
     * @return the options of this JVM a child needs: every {@code --add-opens}/{@code --add-exports} and the
     * Chronicle properties ({@code -Dchronicle.*}, {@code -Ddisable.*}), in the order they were given.
     */
    public static List<String> inheritedOptions() {
        return options(true);
    }

    /**
     * @return the module opens and exports of this JVM alone ({@code --add-opens}/{@code --add-exports}), without
     * any {@code -D} property: what a user who starts {@code java -jar} without options gets from the manifest.
     */
    public static List<String> moduleOptions() {
        return options(false);
    }

    private static List<String> options(final boolean withProperties) {
        final List<String> options = new ArrayList<>();
        for (final String arg : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (arg.startsWith("--add-")
                || withProperties && (arg.startsWith("-Dchronicle") || arg.startsWith("-Ddisable"))) {
                options.add(arg);
            }
        }
        return options;
    }

    /**
     * @param mainClass to run.
     * @param args      its arguments.
     * @return a command that runs it with {@link #inheritedOptions()}.
     */
    public static List<String> command(final Class<?> mainClass, final String... args) {
        return command(inheritedOptions(), mainClass, args);
    }

    /**
     * @param jvmOptions the child's JVM options.
     * @param mainClass  to run.
     * @param args       its arguments.
     * @return a command that runs it on the test class path.
     */
    public static List<String> command(final List<String> jvmOptions, final Class<?> mainClass,
                                       final String... args) {
        final List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(jvmOptions);
        command.add("-cp");
        command.add(System.getProperty("surefire.test.class.path", System.getProperty("java.class.path")));
        command.add(mainClass.getName());
        command.addAll(Arrays.asList(args));
        return command;
    }

    /**
     * Runs a child to its end and returns what it printed.
     *
     * @param command        from {@link #command}.
     * @param output         file for its standard output and error.
     * @param timeoutSeconds how long it may run.
     * @return its output.
     * @throws AssertionError if it does not end in time (it is then killed) or exits other than 0.
     */
    public static String runToEnd(final List<String> command, final Path output, final long timeoutSeconds)
        throws IOException, InterruptedException {
        final Process child = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile())
            .start();
        try {
            if (!child.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                throw new AssertionError("the child did not end within " + timeoutSeconds + " s: "
                    + Files.readString(output, StandardCharsets.UTF_8));
            }
        } finally {
            child.destroyForcibly();
        }
        final String text = Files.readString(output, StandardCharsets.UTF_8);
        if (child.exitValue() != 0) {
            throw new AssertionError("the child exited with " + child.exitValue() + ": " + text);
        }
        return text;
    }
}
