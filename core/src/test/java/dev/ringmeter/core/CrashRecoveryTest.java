package dev.ringmeter.core;

import dev.ringmeter.core.query.WindowStats;
import org.agrona.concurrent.CachedEpochClock;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A real child JVM records and acknowledges events and is killed with SIGKILL mid-stream; a new store on the same
 * directory must hold every acknowledged event, with the analytics of an uninterrupted run over the same prefix.
 */
@Tag("slow")
@Timeout(180)
class CrashRecoveryTest {
    static final long T0 = 1_760_000_400_000L;

    @TempDir
    Path dir;

    @ParameterizedTest
    @ValueSource(ints = {500, 20_000, 90_000})
    void shouldRecoverEveryAcknowledgedEventAfterKill(final int killAfterAck) throws Exception {
        final Path data = dir.resolve("data");
        final Process child = startChild(data, 200_000, 500);
        long acknowledged = 0;
        try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(),
            StandardCharsets.UTF_8))) {
            String line;
            while ((line = out.readLine()) != null) {
                if (line.startsWith("ACK ")) {
                    acknowledged = Long.parseLong(line.substring(4));
                    if (acknowledged >= killAfterAck) {
                        break;
                    }
                } else {
                    throw new AssertionError("child said: " + line);
                }
            }
        } finally {
            child.destroyForcibly();   // SIGKILL on Unix: no shutdown hook, no snapshot, no close
            child.waitFor(30, TimeUnit.SECONDS);
        }
        assertTrue(acknowledged >= killAfterAck, "the child acknowledged " + acknowledged);

        final CachedEpochClock clock = new CachedEpochClock();
        clock.update(T0 + 2_000_000L);
        try (EmbeddedStore recovered = EmbeddedStore.open(new StoreConfig().dataDirectory(data).clock(clock)
            .shutdownHook(false).journalBlockBytes(1 << 20))) {
            final long count = recovered.aggregates().window(null, 0, T0 + 2_000_000L, new WindowStats()).count();
            assertTrue(count >= acknowledged, "recovered " + count + " of " + acknowledged + " acknowledged");
            assertTrue(count <= 200_000);
            // the uninterrupted run over the same prefix
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

    private static Process startChild(final Path data, final int total, final int ackEvery) throws Exception {
        final List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        for (final String arg : ManagementFactory.getRuntimeMXBean().getInputArguments()) {
            if (arg.startsWith("--add-") || arg.startsWith("-Dchronicle") || arg.startsWith("-Ddisable")) {
                command.add(arg);
            }
        }
        command.add("-cp");
        command.add(System.getProperty("surefire.test.class.path", System.getProperty("java.class.path")));
        command.add(CrashChild.class.getName());
        command.add(data.toString());
        command.add(Integer.toString(total));
        command.add(Integer.toString(ackEvery));
        return new ProcessBuilder(command).redirectError(new File(data.getParent().toFile(), "child.err"))
            .start();
    }
}
