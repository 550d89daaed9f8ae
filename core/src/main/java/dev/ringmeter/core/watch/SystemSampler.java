package dev.ringmeter.core.watch;

import dev.ringmeter.EventRecorder;
import dev.ringmeter.MetricSample;
import dev.ringmeter.core.StoreStats;
import org.agrona.concurrent.EpochClock;

import java.io.IOException;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.lang.management.MemoryUsage;
import java.lang.management.OperatingSystemMXBean;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Every interval, reads the JVM, the host, the store's own state and the GPUs ({@link GpuQuery}) and records each
 * value as a custom metric sample named after its {@link SystemMetric}, GPU series tagged {@code gpu=<index>}: so they
 * are queried, windowed and kept like any custom metric. A value the platform does not offer (a negative CPU load
 * or load average) is left out of that round, as are the disk and journal series of a store without a data
 * directory and the snapshot age before the first snapshot.
 * <p>
 * Threading: one daemon thread, {@value #THREAD_NAME}, started by {@link #start()} and stopped by {@link #close()}
 * (any thread, idempotent); it records through the store's public {@code record(MetricSample)} like any producer,
 * so nothing is added to the record() path. {@link #latest()} may be called from any thread. Memory: one list of
 * the latest readings, at most {@code 14 + 5 x} {@link GpuQuery#MAX_GPUS} of them; each round allocates its readings
 * (a few hundred bytes every interval).
 */
public final class SystemSampler implements AutoCloseable {
    /** The sampler thread's name. */
    public static final String THREAD_NAME = "ringmeter-system-sampler";
    /** How long {@link #close()} waits for a round in progress to end. */
    private static final long CLOSE_TIMEOUT_MS = GpuQuery.TIMEOUT_MS + 2_000;
    private static final System.Logger LOG = System.getLogger(SystemSampler.class.getName());

    private final EventRecorder recorder;
    private final Supplier<StoreStats> stats;
    private final Path dataDirectory;
    private final long intervalMs;
    private final GpuQuery gpus;
    private final EpochClock clock;
    private final MetricSample sample = new MetricSample();
    private final MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
    private final OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
    private final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
    private final List<GarbageCollectorMXBean> collectors = ManagementFactory.getGarbageCollectorMXBeans();
    private final ScheduledExecutorService thread = Executors.newSingleThreadScheduledExecutor(r -> {
        final Thread t = new Thread(r, THREAD_NAME);
        t.setDaemon(true);
        return t;
    });
    private volatile List<SystemReading> latest = List.of();
    private volatile long rounds;
    private boolean failureLogged;

    /**
     * @param recorder      where the samples go: the store.
     * @param stats         the store's counters.
     * @param dataDirectory the store's data directory, or null for a store in memory.
     * @param intervalMs    between rounds, &gt;= 1.
     * @param gpuCommand    the {@code nvidia-smi} command (a path or a name on the PATH), or null for no GPUs.
     * @param clock         the store's clock, for the snapshot's age.
     */
    public SystemSampler(final EventRecorder recorder, final Supplier<StoreStats> stats, final Path dataDirectory,
                         final long intervalMs, final String gpuCommand, final EpochClock clock) {
        if (intervalMs < 1) {
            throw new IllegalArgumentException("intervalMs must be >= 1 but was " + intervalMs);
        }
        this.recorder = recorder;
        this.stats = stats;
        this.dataDirectory = dataDirectory;
        this.intervalMs = intervalMs;
        this.gpus = GpuQuery.find(gpuCommand);
        this.clock = clock;
    }

    /** Starts the thread; the first round is one interval later. */
    public void start() {
        thread.scheduleWithFixedDelay(this::round, intervalMs, intervalMs, TimeUnit.MILLISECONDS);
        LOG.log(System.Logger.Level.INFO, "sampling the system every " + intervalMs + " ms"
            + (gpus == null ? ", no nvidia-smi" : ", with nvidia-smi"));
    }

    private void round() {
        try {
            final List<SystemReading> readings = read();
            for (final SystemReading r : readings) {
                sample.reset().name(r.metric().metricName()).value(r.value());
                if (r.gpu() >= 0) {
                    sample.tag("gpu", Integer.toString(r.gpu()));
                }
                recorder.record(sample);
            }
            latest = List.copyOf(readings);
            rounds++;
        } catch (final InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (final RuntimeException e) {
            // a closed store or a failing journal: the next round tries again; a thrown task would stop the schedule
            if (!failureLogged) {
                failureLogged = true;
                LOG.log(System.Logger.Level.WARNING, "system sample not recorded (logged once)", e);
            }
        }
    }

    /**
     * Reads every series once.
     *
     * @return the readings.
     * @throws InterruptedException if interrupted while nvidia-smi runs.
     */
    List<SystemReading> read() throws InterruptedException {
        final List<SystemReading> r = new ArrayList<>(32);
        final MemoryUsage heap = memory.getHeapMemoryUsage();
        add(r, SystemMetric.HEAP_USED, heap.getUsed());
        add(r, SystemMetric.HEAP_MAX, heap.getMax() > 0 ? heap.getMax() : heap.getCommitted());
        add(r, SystemMetric.NON_HEAP_USED, memory.getNonHeapMemoryUsage().getUsed());
        long gcCount = 0;
        long gcTimeMs = 0;
        for (final GarbageCollectorMXBean gc : collectors) {
            gcCount += Math.max(0, gc.getCollectionCount());
            gcTimeMs += Math.max(0, gc.getCollectionTime());
        }
        add(r, SystemMetric.GC_COUNT, gcCount);
        add(r, SystemMetric.GC_TIME, gcTimeMs);
        if (os instanceof com.sun.management.OperatingSystemMXBean sun) {
            add(r, SystemMetric.CPU_PROCESS, sun.getProcessCpuLoad());
            add(r, SystemMetric.CPU_SYSTEM, sun.getCpuLoad());
        }
        add(r, SystemMetric.THREADS, threads.getThreadCount());
        add(r, SystemMetric.LOAD_1M, os.getSystemLoadAverage());
        final StoreStats s = stats.get();
        add(r, SystemMetric.RING_OCCUPANCY, s.ringOccupied());
        add(r, SystemMetric.DROPPED, s.dropped());
        if (dataDirectory != null) {
            try {
                add(r, SystemMetric.DISK_FREE, Files.getFileStore(dataDirectory).getUsableSpace());
            } catch (final IOException e) {
                LOG.log(System.Logger.Level.DEBUG, "no free space of " + dataDirectory, e);
            }
            add(r, SystemMetric.JOURNAL_BYTES, s.journalBytes());
            if (s.snapshotWrittenAtMs() > 0) {
                add(r, SystemMetric.SNAPSHOT_AGE, Math.max(0, clock.time() - s.snapshotWrittenAtMs()));
            }
        }
        if (gpus != null) {
            gpus.read(r);
        }
        return r;
    }

    private static void add(final List<SystemReading> into, final SystemMetric metric, final double value) {
        if (value >= 0 && Double.isFinite(value)) {
            into.add(new SystemReading(metric, -1, value));
        }
    }

    /** @return the readings of the latest round, empty before the first. */
    public List<SystemReading> latest() {
        return latest;
    }

    /** @return rounds recorded since {@link #start()}. */
    public long rounds() {
        return rounds;
    }

    /** @return the GPU query, or null when there is no nvidia-smi. */
    public GpuQuery gpus() {
        return gpus;
    }

    /** Stops the thread, interrupting a round in progress (and its nvidia-smi). Idempotent. */
    @Override
    public void close() {
        thread.shutdownNow();
        try {
            if (!thread.awaitTermination(CLOSE_TIMEOUT_MS, TimeUnit.MILLISECONDS)) {
                LOG.log(System.Logger.Level.WARNING, THREAD_NAME + " did not stop within " + CLOSE_TIMEOUT_MS + " ms");
            }
        } catch (final InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
