package dev.ringmeter.bench.core;

import dev.ringmeter.Event;
import dev.ringmeter.Status;
import dev.ringmeter.core.EmbeddedStore;
import dev.ringmeter.core.StoreConfig;
import dev.ringmeter.core.journal.JournalScan;
import dev.ringmeter.core.journal.Snapshot;
import dev.ringmeter.core.query.WindowStats;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueBuilder;
import net.openhft.chronicle.wire.DocumentContext;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * Restart time and journal replay and scan rates with N journaled events, beside a raw Chronicle tailer reading
 * the same journal in the same round. With {@code -XX:ActiveProcessorCount=1} the replay decodes and applies on one
 * thread; otherwise it applies on a second one.
 * <p>
 * Run: {@code java $(ringmeter.jvm.options) -Xmx4g -cp bench/target/benchmarks.jar dev.ringmeter.bench.core.RestartReport
 * [events]} (default 10,000,000; about 1.3 GB of journal in a temporary directory, deleted at the end).
 */
public final class RestartReport {
    private RestartReport() {
    }

    public static void main(final String[] args) throws Exception {
        final int events = args.length > 0 ? Integer.parseInt(args[0]) : 10_000_000;
        final Path data = Files.createTempDirectory("ringmeter-restart");
        try {
            final StoreConfig config = new StoreConfig().dataDirectory(data).ringSize(65536).shutdownHook(false)
                .fullRingPolicy(StoreConfig.FullRingPolicy.BLOCK).journalBlockBytes(64L << 20);
            final long fillNs = System.nanoTime();
            try (EmbeddedStore store = EmbeddedStore.open(config)) {
                final SplittableRandom random = new SplittableRandom(5);
                final Event e = new Event();
                final String[] models = new String[10];
                for (int m = 0; m < models.length; m++) {
                    models[m] = "model-" + m;
                }
                final long start = System.currentTimeMillis() - 3_600_000L;
                for (int i = 0; i < events; i++) {
                    store.record(e.reset().model(models[i % 10]).timestampMs(start + i * 3_600_000L / events)
                        .latencyNs(random.nextLong(50_000_000L, 5_000_000_000L)).promptTokens(random.nextInt(100, 4000))
                        .completionTokens(random.nextInt(10, 1000)).pipeline("rag").step(i % 2 == 0 ? "a" : "b")
                        .status(random.nextInt(100) == 0 ? Status.ERROR : Status.OK));
                }
                store.flush(120, TimeUnit.SECONDS);
            }
            final double fillS = (System.nanoTime() - fillNs) / 1e9;
            System.out.printf("filled %,d events (journal %,d MB) in %.1f s: %,.0f events/s recorded, journaled and "
                + "aggregated%n", events, directoryBytes(data.resolve("journal")) >> 20, fillS, events / fillS);

            for (int round = 0; round < 2; round++) {
                // beside each replay: on a shared machine the load changes between rounds
                final double rawS = rawRead(data.resolve("journal"), events * 100L);
                final long withNs = System.nanoTime();
                final EmbeddedStore.Recovery withSnapshot;
                try (EmbeddedStore store = EmbeddedStore.open(config)) {
                    withSnapshot = store.recovery();
                }
                final double withS = (System.nanoTime() - withNs) / 1e9;
                Files.copy(data.resolve(Snapshot.FILE), data.resolve("snapshot.keep"));
                Files.delete(data.resolve(Snapshot.FILE));
                final long withoutNs = System.nanoTime();
                final EmbeddedStore.Recovery full;
                final Map<String, WindowStats> scan;
                final double scanS;
                try (EmbeddedStore store = EmbeddedStore.open(config)) {
                    full = store.recovery();
                    final long scanNs = System.nanoTime();
                    scan = new JournalScan(store).groupBy(JournalScan.GroupBy.STEP).run();
                    scanS = (System.nanoTime() - scanNs) / 1e9;
                }
                final double withoutS = (System.nanoTime() - withoutNs) / 1e9 - scanS;
                Files.move(data.resolve("snapshot.keep"), data.resolve(Snapshot.FILE),
                    java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                System.out.printf("round %d: restart with snapshot %.3f s (open to ready %d ms, %d records replayed); "
                        + "without snapshot %.3f s (%,d records replayed: %,.0f records/s); raw Chronicle read of "
                        + "the same bytes %.3f s (%,.0f records/s): replay/raw = %.2f%n", round, withS, withSnapshot.millis(),
                    withSnapshot.replayedRecords(), withoutS, full.replayedRecords(),
                    full.replayedRecords() / (full.millis() / 1000.0), rawS, events / rawS,
                    (full.replayedRecords() / (full.millis() / 1000.0)) / (events / rawS));
                System.out.printf("round %d: scan grouped by step over %,d events in %.3f s: %,.0f events/s "
                    + "(groups %s)%n", round, events, scanS, events / scanS, scan.keySet());
            }
        } finally {
            DurableRecordBenchmark.deleteTree(data);
        }
    }

    /** Reads every document of the journal and every 8 bytes of it: the floor of any replay. */
    private static double rawRead(final Path journal, final long expectedBytes) {
        final long ns = System.nanoTime();
        long bytesRead = 0;
        long sum = 0;
        try (SingleChronicleQueue queue = SingleChronicleQueueBuilder.binary(journal).build();
             ExcerptTailer tailer = queue.createTailer()) {
            while (true) {
                try (DocumentContext dc = tailer.readingDocument()) {
                    if (!dc.isPresent()) {
                        break;
                    }
                    final net.openhft.chronicle.bytes.Bytes<?> bytes = dc.wire().bytes();
                    while (bytes.readRemaining() >= 8) {
                        sum += bytes.readLong();
                        bytesRead += 8;
                    }
                }
            }
        }
        if (bytesRead < expectedBytes || sum == 42) {
            throw new IllegalStateException("read " + bytesRead + " bytes, expected at least " + expectedBytes);
        }
        return (System.nanoTime() - ns) / 1e9;
    }

    private static long directoryBytes(final Path dir) throws java.io.IOException {
        try (var files = Files.list(dir)) {
            return files.mapToLong(p -> p.toFile().length()).sum();
        }
    }
}
