package dev.ringmeter.core.dictionary;

import dev.ringmeter.Event;
import dev.ringmeter.core.EmbeddedStore;
import dev.ringmeter.core.StoreConfig;
import org.agrona.concurrent.CachedEpochClock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The dictionary's names survive a snapshot whatever their length within the limit: a name of 30,000 three-byte
 * characters (90,000 bytes of UTF-8) once made every snapshot fail, as {@code writeUTF} stops at 65,535 bytes.
 */
@Timeout(60)
class DictionarySnapshotTest {
    private static final long T0 = 1_760_000_400_000L;

    @TempDir
    Path dir;

    @Test
    void shouldKeepANameOfManyMultiByteCharactersAcrossASnapshot() throws Exception {
        final String model = "€".repeat(30_000);
        assertTrue(model.getBytes(StandardCharsets.UTF_8).length > 65_535);
        final CachedEpochClock clock = new CachedEpochClock();
        clock.update(T0);
        final StoreConfig config = new StoreConfig().dataDirectory(dir.resolve("data")).clock(clock)
            .shutdownHook(false).maxStringLength(65_536).journalBlockBytes(1 << 20)
            // strings this long make the heap budget's worst case per model large: set the two models this needs
            .cardinalityLimit(Dimension.MODEL, 2);
        try (EmbeddedStore store = EmbeddedStore.open(config)) {
            assertTrue(store.record(new Event().model(model).latencyMs(5).timestampMs(T0)));
            assertTrue(store.record(new Event().model("short").latencyMs(7).timestampMs(T0)));
            assertTrue(store.flush(10, TimeUnit.SECONDS));
        }
        try (EmbeddedStore reopened = EmbeddedStore.open(config)) {
            assertTrue(reopened.recovery().snapshotLoaded(), "the snapshot written at close is whole");
            assertEquals(0, reopened.recovery().replayedRecords(), "nothing left to replay");
            assertEquals(List.of(model, "short"), reopened.aggregates().models());
            assertEquals(1, reopened.aggregates().window(model, T0, T0 + 1_000,
                reopened.aggregates().newWindowStats()).count());
        }
    }
}
