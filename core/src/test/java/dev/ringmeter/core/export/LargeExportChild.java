package dev.ringmeter.core.export;

import dev.ringmeter.Event;
import dev.ringmeter.core.EmbeddedStore;
import dev.ringmeter.core.StoreConfig;
import org.agrona.concurrent.CachedEpochClock;

import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * The child JVM of {@link LargeExportTest}: records a number of events into a durable store, then exports them all
 * as NDJSON to an output that keeps only the last line and counts the rows, and prints what it found.
 * <p>
 * Arguments: the data directory and the number of events.
 */
public final class LargeExportChild {
    private LargeExportChild() {
    }

    public static void main(final String[] args) throws Exception {
        final int events = Integer.parseInt(args[1]);
        final CachedEpochClock clock = new CachedEpochClock();
        clock.update(ExportFixture.T0);
        final StoreConfig config = new StoreConfig().dataDirectory(Path.of(args[0])).clock(clock)
            .shutdownHook(false).fullRingPolicy(StoreConfig.FullRingPolicy.BLOCK).snapshotIntervalMs(3_600_000L);
        try (EmbeddedStore store = EmbeddedStore.open(config)) {
            final Event e = new Event();
            for (int i = 0; i < events; i++) {
                final long t = ExportFixture.T0 + i;
                clock.update(t);
                // one model: a 64 MB heap's budget admits one (the store's own limits, not the export's)
                e.reset().model("m").run("run-" + i % 100).config("prompt-v" + i % 10)
                    .tag("shard", "s" + i % 10).timestampMs(t).latencyMs(1 + i % 100).promptTokens(i % 1_000);
                if (!store.record(e)) {
                    throw new IllegalStateException("event " + i + " not accepted");
                }
            }
            if (!store.flush(60, TimeUnit.SECONDS)) {
                throw new IllegalStateException("not flushed");
            }
            final LastLine out = new LastLine();
            final long startNs = System.nanoTime();
            final ExportSummary summary = store.export(new ExportRequest(ExportFixture.T0, ExportFixture.T0 + events)
                .format(ExportFormat.NDJSON), out);
            final long ms = (System.nanoTime() - startNs) / 1_000_000;
            System.out.println("ROWS=" + summary.rows() + " LINES=" + out.lines + " COMPLETE=" + summary.complete()
                + " EXPORT_MS=" + ms + " MAX_HEAP=" + Runtime.getRuntime().maxMemory()
                + " GC_COUNT=" + ManagementFactory.getGarbageCollectorMXBeans().stream()
                    .mapToLong(b -> b.getCollectionCount()).sum());
            System.out.println("LAST=" + out.last());
        }
    }

    /** Counts lines and keeps the last one (up to 4 KB): memory that does not grow with the export. */
    private static final class LastLine extends OutputStream {
        private final byte[] line = new byte[4_096];
        private final byte[] last = new byte[4_096];
        private int length;
        private int lastLength;
        private long lines;

        @Override
        public void write(final int b) {
            if (b == '\n') {
                System.arraycopy(line, 0, last, 0, length);
                lastLength = length;
                length = 0;
                lines++;
            } else if (length < line.length) {
                line[length++] = (byte)b;
            }
        }

        @Override
        public void write(final byte[] b, final int off, final int len) {
            for (int i = off; i < off + len; i++) {
                write(b[i]);
            }
        }

        String last() {
            return new String(last, 0, lastLength, StandardCharsets.UTF_8);
        }
    }
}
