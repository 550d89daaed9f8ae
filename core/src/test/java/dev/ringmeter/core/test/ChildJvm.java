package dev.ringmeter.core.test;

import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

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
}
