package dev.ringmeter.core.watch;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Reads the GPUs with {@code nvidia-smi --query-gpu=index,utilization.gpu,memory.used,memory.total,temperature.gpu,
 * power.draw --format=csv,noheader,nounits}: one line per GPU, memory in MiB. A value of {@code [N/A]} (or any value
 * that is not a number) is skipped; a line without six fields or without an integer index is skipped whole. Each is
 * counted ({@link #skipped()}) and the first is logged. A command that is not there reads no GPU and says nothing;
 * one that fails or outlives {@link #TIMEOUT_MS} is counted in {@link #failures()} and logged once.
 * <p>
 * Threading: one thread calls {@link #read}; the counters may be read from any thread. Memory: at most
 * {@link #MAX_OUTPUT_BYTES} of output per read, {@link #MAX_GPUS} GPUs.
 */
public final class GpuQuery {
    /** The arguments after the command. */
    public static final List<String> ARGUMENTS = List.of("--query-gpu=index,utilization.gpu,memory.used,"
        + "memory.total,temperature.gpu,power.draw", "--format=csv,noheader,nounits");
    /** How long one run of the command may take before it is killed. */
    public static final long TIMEOUT_MS = 3_000;
    /** GPUs read at most; lines past it are skipped. */
    public static final int MAX_GPUS = 64;
    /** Output read at most per run. */
    public static final int MAX_OUTPUT_BYTES = 64 << 10;

    private static final System.Logger LOG = System.getLogger(GpuQuery.class.getName());
    private static final SystemMetric[] COLUMNS = {SystemMetric.GPU_UTILIZATION, SystemMetric.GPU_MEMORY_USED,
        SystemMetric.GPU_MEMORY_TOTAL, SystemMetric.GPU_TEMPERATURE, SystemMetric.GPU_POWER};
    private static final double BYTES_PER_MIB = 1024.0 * 1024.0;

    private final String executable;
    private volatile long skipped;
    private volatile long failures;
    private boolean skipLogged;
    private boolean failureLogged;

    private GpuQuery(final String executable) {
        this.executable = executable;
    }

    /**
     * @param command the command: a path, or a name looked up on the PATH; null or empty for none.
     * @return a query, or null when the command is not there (no GPU series, no error).
     */
    public static GpuQuery find(final String command) {
        final String executable = resolve(command, System.getenv("PATH"));
        return executable == null ? null : new GpuQuery(executable);
    }

    static String resolve(final String command, final String path) {
        if (command == null || command.isEmpty()) {
            return null;
        }
        if (command.indexOf(File.separatorChar) >= 0) {
            return Files.isExecutable(Path.of(command)) ? command : null;
        }
        if (path == null) {
            return null;
        }
        for (final String dir : path.split(File.pathSeparator)) {
            final Path p = Path.of(dir.isEmpty() ? "." : dir, command);
            if (Files.isRegularFile(p) && Files.isExecutable(p)) {
                return p.toString();
            }
        }
        return null;
    }

    /**
     * Runs the command once and adds a reading per GPU and value.
     *
     * @param into the readings, appended to.
     * @throws InterruptedException if interrupted while the command runs (it is killed).
     */
    public void read(final List<SystemReading> into) throws InterruptedException {
        final String out;
        try {
            out = run();
        } catch (final IOException e) {
            fail(executable + " failed: " + e.getMessage());
            return;
        }
        if (out != null) {
            parse(out, into);
        }
    }

    private String run() throws IOException, InterruptedException {
        final Path output = Files.createTempFile("ringmeter-gpu", ".csv");
        try {
            final java.util.ArrayList<String> command = new java.util.ArrayList<>(1 + ARGUMENTS.size());
            command.add(executable);
            command.addAll(ARGUMENTS);
            final Process p = new ProcessBuilder(command).redirectErrorStream(false)
                .redirectError(ProcessBuilder.Redirect.DISCARD).redirectOutput(output.toFile()).start();
            try {
                if (!p.waitFor(TIMEOUT_MS, TimeUnit.MILLISECONDS)) {
                    fail(executable + " did not answer within " + TIMEOUT_MS + " ms");
                    return null;
                }
                if (p.exitValue() != 0) {
                    fail(executable + " exited with " + p.exitValue());
                    return null;
                }
            } finally {
                p.destroyForcibly();
            }
            try (InputStream in = Files.newInputStream(output)) {
                return new String(in.readNBytes(MAX_OUTPUT_BYTES), StandardCharsets.UTF_8);
            }
        } finally {
            Files.deleteIfExists(output);
        }
    }

    /**
     * @param out  the command's output.
     * @param into the readings, appended to.
     */
    void parse(final String out, final List<SystemReading> into) {
        int gpus = 0;
        for (final String line : out.split("\r?\n")) {
            if (line.isBlank()) {
                continue;
            }
            final String[] fields = line.split(",", -1);
            final int index = index(fields);
            if (index < 0 || gpus == MAX_GPUS) {
                skip("skipped a line of " + executable + " it could not read: '" + line + "'");
                continue;
            }
            gpus++;
            for (int i = 0; i < COLUMNS.length; i++) {
                final double v = number(fields[i + 1].trim());
                if (Double.isNaN(v)) {
                    skip("skipped a value of " + executable + " that is not a number: '" + fields[i + 1].trim()
                        + "' in '" + line + "'");
                    continue;
                }
                final boolean mib = COLUMNS[i] == SystemMetric.GPU_MEMORY_USED
                    || COLUMNS[i] == SystemMetric.GPU_MEMORY_TOTAL;
                into.add(new SystemReading(COLUMNS[i], index, mib ? v * BYTES_PER_MIB : v));
            }
        }
    }

    private static int index(final String[] fields) {
        if (fields.length != COLUMNS.length + 1) {
            return -1;
        }
        try {
            final int i = Integer.parseInt(fields[0].trim());
            return i >= 0 ? i : -1;
        } catch (final NumberFormatException e) {
            return -1;
        }
    }

    private static double number(final String s) {
        try {
            final double v = Double.parseDouble(s);
            return Double.isFinite(v) ? v : Double.NaN;
        } catch (final NumberFormatException e) {
            return Double.NaN;
        }
    }

    private void skip(final String message) {
        skipped++;
        if (!skipLogged) {
            skipLogged = true;
            LOG.log(System.Logger.Level.WARNING, message + " (logged once; see skipped())");
        }
    }

    private void fail(final String message) {
        failures++;
        if (!failureLogged) {
            failureLogged = true;
            LOG.log(System.Logger.Level.WARNING, message + " (logged once; see failures())");
        }
    }

    /** @return lines and values skipped since this query was made. */
    public long skipped() {
        return skipped;
    }

    /** @return runs of the command that failed or timed out. */
    public long failures() {
        return failures;
    }
}
