package dev.ringmeter.core;

import dev.ringmeter.core.query.WindowStats;
import dev.ringmeter.core.test.ChildJvm;
import org.agrona.concurrent.CachedEpochClock;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A real child JVM records and acknowledges events and is killed with SIGKILL mid-stream; a new store on the same
 * directory must hold every acknowledged event and nothing the child did not record, with the analytics of an
 * uninterrupted run over the same prefix.
 */
@Tag("slow")
@Timeout(180)
class CrashRecoveryTest {
    static final long T0 = 1_760_000_400_000L;
    private static final int TOTAL = 200_000;
    private static final int ACK_EVERY = 500;

    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(ints = {500, 20_000, 90_000})
    void shouldRecoverEveryAcknowledgedEventAfterKill(final int killAfterAck) throws Exception {
        final Path data = dir.resolve("data");
        final Process child = new ProcessBuilder(ChildJvm.command(CrashChild.class, data.toString(),
            Integer.toString(TOTAL), Integer.toString(ACK_EVERY)))
            .redirectError(new File(dir.toFile(), "child.err")).start();
        long lastAck = 0;
        try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(),
            StandardCharsets.UTF_8))) {
            String line;
            boolean killed = false;
            while ((line = out.readLine()) != null) {
                if (!line.startsWith("ACK ")) {
                    throw new AssertionError("child said: " + line);
                }
                lastAck = Long.parseLong(line.substring(4));
                if (lastAck >= killAfterAck && !killed) {
                    // SIGKILL on Unix: no shutdown hook, no snapshot, no close. Through the handle, which leaves the
                    // pipe open: it still holds what the child printed before it died, read on to its end.
                    child.toHandle().destroyForcibly();
                    killed = true;
                }
            }
        } finally {
            child.destroyForcibly();
            assertTrue(child.waitFor(30, TimeUnit.SECONDS), "the child is gone");
        }
        assertTrue(lastAck >= killAfterAck && lastAck < TOTAL, "the child was killed mid-stream after ACK " + lastAck);

        final CachedEpochClock clock = new CachedEpochClock();
        clock.update(T0 + 2_000_000L);
        try (EmbeddedStore recovered = EmbeddedStore.open(new StoreConfig().dataDirectory(data).clock(clock)
            .shutdownHook(false).journalBlockBytes(1 << 20))) {
            final long count = recovered.aggregates().window(null, 0, T0 + 2_000_000L, new WindowStats()).count();
            assertTrue(count >= lastAck, "recovered " + count + " of " + lastAck + " acknowledged");
            // after its last ACK the child recorded at most one more group before it would have acknowledged it
            assertTrue(count <= lastAck + ACK_EVERY, "recovered " + count + ", but the child recorded at most "
                + (lastAck + ACK_EVERY));
            // the uninterrupted run over the same prefix: every recovered event is the one the child recorded
            final CachedEpochClock referenceClock = new CachedEpochClock();
            try (EmbeddedStore reference = EmbeddedStore.open(new StoreConfig().clock(referenceClock)
                .fullRingPolicy(StoreConfig.FullRingPolicy.BLOCK))) {
                DurableStoreTest.record(reference, referenceClock, 0, (int)count);
                assertTrue(reference.flush(30, TimeUnit.SECONDS));
                assertEquals(count, reference.aggregates().window(null, 0, T0 + 2_000_000L, new WindowStats()).count());
                DurableStoreTest.assertSameAnalytics(reference, recovered, T0 + count * 10L + 1);
            }
        }
    }
}
