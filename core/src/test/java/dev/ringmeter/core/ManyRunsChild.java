package dev.ringmeter.core;

import dev.ringmeter.Event;
import dev.ringmeter.core.dictionary.Dimension;
import dev.ringmeter.core.journal.JournalScan;
import dev.ringmeter.core.query.WindowStats;
import org.agrona.concurrent.CachedEpochClock;

import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * The child JVM of {@link ManyRunsTest}: records one event per distinct run id, spread evenly over a day of store
 * clock, into a durable store; prints the heap used after a full GC with the store open, then checks a group-by
 * run over the last hour (of one shard tag, so the groups stay few) and prints what it found.
 * <p>
 * Arguments: the data directory and the number of runs.
 */
public final class ManyRunsChild {
    static final long T0 = 1_767_225_600_000L;
    static final long DAY_MS = 86_400_000L;
    static final int SHARDS = 1_000;

    private ManyRunsChild() {
    }

    public static void main(final String[] args) throws Exception {
        final Path data = Path.of(args[0]);
        final int runs = Integer.parseInt(args[1]);
        final CachedEpochClock clock = new CachedEpochClock();
        clock.update(T0);
        final StoreConfig config = new StoreConfig().dataDirectory(data).clock(clock).shutdownHook(false)
            .fullRingPolicy(StoreConfig.FullRingPolicy.BLOCK).snapshotIntervalMs(3_600_000L)
            .journalRetentionMs(2 * 3_600_000L)
            // the limits a 256 MB heap derives (about 9,000 live runs) are below the 70,000 runs this load keeps live
            // within the idle window: set them, as a server taking this load would
            .cardinalityLimit(Dimension.RUN, 100_000).cardinalityLimit(Dimension.TAG_VALUE, SHARDS + 10);
        final long startNs = System.nanoTime();
        try (EmbeddedStore store = EmbeddedStore.open(config)) {
            final Event e = new Event();
            for (int i = 0; i < runs; i++) {
                final long t = T0 + i * DAY_MS / runs;
                clock.update(t);
                e.reset().model("m").run("run-" + i).tag("shard", "s" + i % SHARDS).timestampMs(t).latencyMs(1 + i % 100);
                if (!store.record(e)) {
                    throw new IllegalStateException("event " + i + " not accepted");
                }
            }
            if (!store.flush(60, TimeUnit.SECONDS)) {
                throw new IllegalStateException("not flushed");
            }
            final long ingestMs = (System.nanoTime() - startNs) / 1_000_000;
            for (int i = 0; i < 3; i++) {
                System.gc();
            }
            final long heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
            System.out.println("INGEST_MS=" + ingestMs + " EVENTS=" + store.stats().aggregatedEvents()
                + " LIVE_RUNS=" + store.dictionary().size(Dimension.RUN) + " HEAP_AFTER_GC=" + heap);

            final long end = T0 + DAY_MS;
            final long from = end - 3_600_000L;
            final Set<String> expected = new HashSet<>();
            for (int i = 0; i < runs; i++) {
                final long t = T0 + i * DAY_MS / runs;
                if (t >= from && t < end && i % SHARDS == 7) {
                    expected.add("run-" + i);
                }
            }
            final Map<String, WindowStats> groups = new JournalScan(store).between(from, end)
                .whereTag("shard", "s7").groupBy(JournalScan.GroupBy.RUN).run();
            boolean ok = groups.keySet().equals(expected);
            for (final WindowStats g : groups.values()) {
                ok &= g.count() == 1;
            }
            System.out.println("SCAN_GROUPS=" + groups.size() + " EXPECTED=" + expected.size() + " SCAN_OK=" + ok);
        }
    }
}
