package dev.ringmeter.core.privacy;

import dev.ringmeter.core.EmbeddedStore;
import dev.ringmeter.core.StoreConfig;
import dev.ringmeter.core.journal.JournalScan;
import dev.ringmeter.core.query.WindowStats;
import dev.ringmeter.core.test.ChildJvm;
import org.agrona.concurrent.CachedEpochClock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static dev.ringmeter.core.privacy.SampledCrashChild.AFTER_ERRORS;
import static dev.ringmeter.core.privacy.SampledCrashChild.AFTER_OK;
import static dev.ringmeter.core.privacy.SampledCrashChild.BEFORE;
import static dev.ringmeter.core.privacy.SampledCrashChild.SNAPSHOT_AT;
import static dev.ringmeter.core.privacy.SampledCrashChild.T0;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What a crash does to sampled-out events (docs/reliability.md): a child JVM sampling 1 in 10 acknowledges events
 * before and after a snapshot and is killed with SIGKILL. Reopened, the aggregates hold every event the snapshot
 * holds, and after it only the journaled ones (1 in 10 ok events and every error); a scan of the journal still
 * estimates the events after the snapshot from the kept ones' weights.
 */
@Timeout(180)
class SampledCrashTest {
    @TempDir
    Path dir;

    @Test
    void shouldKeepSampledOutEventsOnlyUpToTheLastSnapshotAfterAKill() throws Exception {
        final Path data = dir.resolve("data");
        final Process child = new ProcessBuilder(ChildJvm.command(SampledCrashChild.class, data.toString()))
            .redirectError(new File(dir.toFile(), "child.err")).start();
        final List<String> said = new ArrayList<>();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(),
            StandardCharsets.UTF_8))) {
            String line;
            while ((line = out.readLine()) != null) {
                said.add(line);
                if (line.equals("ACK")) {
                    child.toHandle().destroyForcibly();   // SIGKILL: no close, no last snapshot
                }
            }
        } finally {
            child.destroyForcibly();
            assertTrue(child.waitFor(30, TimeUnit.SECONDS), "the child is gone");
        }
        assertEquals(List.of("SNAP", "ACK"), said, "the child acknowledged every event before it was killed");

        final CachedEpochClock clock = new CachedEpochClock();
        clock.update(SNAPSHOT_AT + 10_000);
        try (EmbeddedStore store = EmbeddedStore.open(new StoreConfig().dataDirectory(data).clock(clock)
            .shutdownHook(false).journalBlockBytes(1 << 20).sampling(Sampling.parse("10")))) {
            assertTrue(store.recovery().snapshotLoaded());
            final long count = store.aggregates().window(null, 0, T0 + 100_000, new WindowStats()).count();
            assertEquals(BEFORE + 1 + AFTER_OK / 10 + AFTER_ERRORS, count, "every event of the snapshot, and after it "
                + "the journaled ones only: the sampled-out events acknowledged after the snapshot are lost");
            final WindowStats after = new JournalScan(store).between(SNAPSHOT_AT + 1, T0 + 100_000).run().get("all");
            assertEquals(AFTER_OK / 10 + AFTER_ERRORS, after.count());
            assertEquals(AFTER_OK + AFTER_ERRORS, after.estimatedCount(), "the journal's weights estimate them");
        }
    }
}
