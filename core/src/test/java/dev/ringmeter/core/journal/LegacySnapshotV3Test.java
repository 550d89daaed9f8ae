package dev.ringmeter.core.journal;

import dev.ringmeter.Event;
import dev.ringmeter.core.EmbeddedStore;
import dev.ringmeter.core.StoreConfig;
import dev.ringmeter.core.dictionary.Dimension;
import dev.ringmeter.core.query.Comparison;
import dev.ringmeter.core.query.Comparison.Source;
import org.agrona.concurrent.CachedEpochClock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A data directory whose snapshot is of version 3, written before the in-memory comparisons were kept (the fixture
 * legacy-snapshot-v3, made by the store of that time: 120 events from 2026-01-01T00:00:00Z, 5 s apart, gpt-a and
 * gpt-b alternating, cfg-x every third, then a close at 00:10:00). It opens from that snapshot; its comparisons know
 * they hold nothing before it, so auto answers by scan and memory says it is incomplete; the next snapshot, of
 * version 4, keeps that.
 */
@Timeout(60)
class LegacySnapshotV3Test {
    private static final long T = 1_767_225_600_000L;

    @TempDir
    Path dir;

    private final CachedEpochClock clock = new CachedEpochClock();

    private StoreConfig config() {
        return new StoreConfig().dataDirectory(dir).clock(clock).shutdownHook(false)
            .fullRingPolicy(StoreConfig.FullRingPolicy.BLOCK).journalBlockBytes(128 << 10);
    }

    private void copyFixture() throws IOException, URISyntaxException {
        LegacyDataTest.copyFixture("/legacy-snapshot-v3", dir);
    }

    private static long count(final Comparison c) {
        long n = 0;
        for (final Comparison.Group g : c.groups()) {
            n += g.stats().count();
        }
        return n;
    }

    @Test
    void opensFromAVersion3SnapshotAndItsComparisonsSayWhatTheyMiss() throws Exception {
        copyFixture();
        clock.update(T + 1_200_000);
        for (int open = 0; open < 2; open++) {   // from the version 3 snapshot, then from the version 4 one
            try (EmbeddedStore store = EmbeddedStore.open(config())) {
                assertTrue(store.recovery().snapshotLoaded());
                final Comparison auto = store.compare().by(Dimension.MODEL, Dimension.CONFIG)
                    .between(T, T + 1_200_000).run();
                assertEquals(Source.SCAN, auto.source(), "memory lacks the events before the snapshot");
                assertEquals(120 + open, count(auto));
                assertEquals(4, auto.groupCount());
                final Comparison memory = store.compare().by(Dimension.MODEL).between(T, T + 1_200_000)
                    .source(Source.MEMORY).run();
                assertTrue(memory.incomplete());
                assertEquals(open, count(memory), "only what came after the version 3 snapshot");
                if (open == 0) {
                    store.record(new Event().model("gpt-a").config("cfg-x").latencyMs(3).timestampMs(T + 1_100_000));
                    assertTrue(store.flush(10, TimeUnit.SECONDS));
                }
                final Comparison later = store.compare().by(Dimension.MODEL).between(T + 1_080_000, T + 1_200_000)
                    .run();
                assertEquals(Source.MEMORY, later.source(), "after the snapshot and its skew, memory is whole");
                assertFalse(later.incomplete());
                assertEquals(1, count(later));
            }
        }
    }
}
