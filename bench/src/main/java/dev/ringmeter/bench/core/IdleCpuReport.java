package dev.ringmeter.bench.core;

import dev.ringmeter.Event;
import dev.ringmeter.core.EmbeddedStore;
import dev.ringmeter.core.StoreConfig;

import java.lang.management.ManagementFactory;
import java.lang.management.ThreadInfo;
import java.lang.management.ThreadMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * The CPU the store's own threads use while a service records {@code rate} events per second: the cost of
 * embedding Ringmeter at a typical load. Measures the CPU time of the threads named {@code ringmeter-*} with
 * {@link ThreadMXBean}, for an in-memory and a durable store, each with the default wait strategy.
 * <p>
 * Run: {@code java $(ringmeter.jvm.options) -cp bench/target/benchmarks.jar dev.ringmeter.bench.core.IdleCpuReport
 * [rate] [seconds] [parkNanos]} (defaults 1000, 20 and the store's default).
 */
public final class IdleCpuReport {
    private IdleCpuReport() {
    }

    public static void main(final String[] args) throws Exception {
        final int rate = args.length > 0 ? Integer.parseInt(args[0]) : 1000;
        final int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 20;
        final long parkNanos = args.length > 2 ? Long.parseLong(args[2]) : new StoreConfig().parkNanos();
        run("in-memory", new StoreConfig().parkNanos(parkNanos), rate, seconds);
        final Path data = Files.createTempDirectory("ringmeter-cpu");
        try {
            run("durable", new StoreConfig().dataDirectory(data).shutdownHook(false).parkNanos(parkNanos), rate,
                seconds);
        } finally {
            DurableRecordBenchmark.deleteTree(data);
        }
    }

    private static void run(final String name, final StoreConfig config, final int rate, final int seconds)
        throws InterruptedException {
        final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        try (EmbeddedStore store = EmbeddedStore.open(config)) {
            final Event e = new Event();
            final long periodNs = TimeUnit.SECONDS.toNanos(1) / rate;
            // warm up for a second, then measure
            long next = System.nanoTime();
            final long warmEnd = next + TimeUnit.SECONDS.toNanos(1);
            while (System.nanoTime() < warmEnd) {
                store.record(e.reset().model("gpt-4o").latencyNs(1_234_567L).promptTokens(812).completionTokens(245));
                next += periodNs;
                LockSupport.parkNanos(next - System.nanoTime());
            }
            final long cpuBefore = storeCpuNs(threads);
            final long wallBefore = System.nanoTime();
            final long end = wallBefore + TimeUnit.SECONDS.toNanos(seconds);
            long recorded = 0;
            while (System.nanoTime() < end) {
                store.record(e.reset().model("gpt-4o").latencyNs(1_234_567L).promptTokens(812).completionTokens(245));
                recorded++;
                next += periodNs;
                LockSupport.parkNanos(next - System.nanoTime());
            }
            final long cpu = storeCpuNs(threads) - cpuBefore;
            final long wall = System.nanoTime() - wallBefore;
            System.out.printf("parkNanos=%,d %s store, %,d events/s for %d s (%,d events): store threads used %.3f %% of one "
                + "core (%.1f us of CPU per event)%n", config.parkNanos(), name, rate, seconds, recorded, 100.0 * cpu / wall,
                cpu / 1000.0 / recorded);
        }
    }

    private static long storeCpuNs(final ThreadMXBean threads) {
        long total = 0;
        for (final ThreadInfo info : threads.getThreadInfo(threads.getAllThreadIds())) {
            if (info != null && info.getThreadName().startsWith("ringmeter-")) {
                total += Math.max(0, threads.getThreadCpuTime(info.getThreadId()));
            }
        }
        return total;
    }
}
