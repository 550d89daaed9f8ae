package dev.ringmeter.core.journal;

import dev.ringmeter.Event;
import dev.ringmeter.core.EmbeddedStore;
import dev.ringmeter.core.StoreConfig;
import dev.ringmeter.core.query.WindowStats;
import dev.ringmeter.core.test.ChildJvm;
import org.agrona.concurrent.CachedEpochClock;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A real child JVM started without any {@code -D} option (only the opens and exports Chronicle needs) opens a
 * durable store: its output carries no Chronicle banner, and the store journals and snapshots as usual. A property
 * the user sets keeps the user's value.
 */
@Tag("slow")
@Timeout(120)
class ChroniclePropertiesTest {
    /** The stable part of the line Chronicle's announcer logs at start. */
    private static final String BANNER = "Leave your e-mail";
    /** The stable part of the line it adds while analytics are on. */
    private static final String ANALYTICS = "reports usage statistics";
    private static final long T0 = 1_760_000_400_000L;
    private static final int EVENTS = 1_000;

    @TempDir
    Path dir;

    @Test
    void shouldOpenADurableStoreWithoutChronicleBannerWhenNoPropertyIsSet() throws Exception {
        final Path data = dir.resolve("data");
        final String output = runChild(data, List.of());

        assertFalse(output.contains(BANNER), output);
        assertFalse(output.contains(ANALYTICS), output);
        assertTrue(output.contains("RECORDED " + EVENTS), output);
        assertTrue(output.contains("CLOSED"), output);
        final CachedEpochClock clock = new CachedEpochClock();
        clock.update(T0 + 60_000);
        try (EmbeddedStore reopened = EmbeddedStore.open(new StoreConfig().dataDirectory(data).clock(clock)
            .shutdownHook(false).journalBlockBytes(1 << 20))) {
            assertTrue(reopened.recovery().snapshotLoaded(), "the child's close wrote a snapshot");
            assertEquals(EVENTS, reopened.aggregates().window("gpt-4o", T0, T0 + 60_000, new WindowStats()).count());
        }
    }

    @Test
    void shouldKeepTheValuesOfPropertiesTheUserSet() throws Exception {
        final List<String> options = new ArrayList<>();
        for (final String name : ChronicleProperties.NAMES) {
            options.add("-D" + name + "=false");
        }
        final String output = runChild(dir.resolve("data"), options);

        assertTrue(output.contains(BANNER), "the user turned the banner on: " + output);
        assertTrue(output.contains(ANALYTICS), "and analytics: " + output);
        assertTrue(output.contains("CLOSED"), output);
    }

    /** Runs {@link Child} to its end; returns its standard output and error. */
    private String runChild(final Path data, final List<String> options) throws Exception {
        final List<String> jvmOptions = new ArrayList<>(ChildJvm.moduleOptions());   // no -D of this JVM's
        jvmOptions.addAll(options);
        return ChildJvm.runToEnd(ChildJvm.command(jvmOptions, Child.class, data.toString()),
            dir.resolve("child-" + options.size() + ".out"), 60);
    }

    /**
     * The child process: opens a durable store on its argument, records {@value #EVENTS} events, flushes, prints
     * {@code RECORDED n}, closes the store and prints {@code CLOSED}.
     */
    public static final class Child {
        private Child() {
        }

        public static void main(final String[] args) throws Exception {
            final CachedEpochClock clock = new CachedEpochClock();
            clock.update(T0);
            final EmbeddedStore store = EmbeddedStore.open(new StoreConfig().dataDirectory(Path.of(args[0]))
                .clock(clock).shutdownHook(false).fullRingPolicy(StoreConfig.FullRingPolicy.BLOCK)
                .journalBlockBytes(1 << 20));
            final Event event = new Event();
            for (int i = 0; i < EVENTS; i++) {
                store.record(event.reset().model("gpt-4o").timestampMs(T0 + i).latencyNs(1_000_000L + i));
            }
            if (!store.flush(30, TimeUnit.SECONDS)) {
                System.out.println("FLUSH FAILED");
                System.exit(2);
            }
            System.out.println("RECORDED " + EVENTS);
            store.close();
            System.out.println("CLOSED");
        }
    }
}
