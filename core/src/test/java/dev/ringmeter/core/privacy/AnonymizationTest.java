package dev.ringmeter.core.privacy;

import dev.ringmeter.Event;
import dev.ringmeter.Status;
import dev.ringmeter.core.EmbeddedStore;
import dev.ringmeter.core.StoreConfig;
import dev.ringmeter.core.journal.JournalScan;
import dev.ringmeter.core.query.WindowStats;
import dev.ringmeter.core.run.RunQuery;
import dev.ringmeter.core.run.RunStatus;
import dev.ringmeter.core.run.RunSummary;
import org.agrona.concurrent.CachedEpochClock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Anonymization through a real durable store: hashed, dropped and redacted values never reach a byte of the data
 * directory (journal, snapshot, every file), while the hashes do and are what scans and the run list show.
 */
@Timeout(120)
class AnonymizationTest {
    static final long T0 = 1_760_000_400_000L;
    static final byte[] KEY = "a test key of more than sixteen bytes".getBytes(StandardCharsets.UTF_8);
    static final String SPEC = "hash:run,hash:task,drop:config,hash:tag.user,drop:tag.email,redact";
    /** The raw values: none may be found in the data directory. */
    static final List<String> RAW = List.of("run-secret-alpha", "task-secret-beta", "config-secret-gamma",
        "user-secret-delta", "dropped-secret@example.org", "jane.doe@example.com", "4111 1111 1111 1111",
        "+1 415 555 0100", "run-name-secret@example.net", "5500-0000-0000-0004");

    @TempDir
    Path dir;

    private static StoreConfig config(final Path data, final CachedEpochClock clock) {
        return new StoreConfig().dataDirectory(data).clock(clock).shutdownHook(false)
            .fullRingPolicy(StoreConfig.FullRingPolicy.BLOCK).journalBlockBytes(1 << 20)
            .anonymization(Anonymization.parse(SPEC)).hashKey(KEY);
    }

    @Test
    void shouldKeepNoRawValueInAnyFileOfTheDataDirectoryAndShowTheHashes() throws Exception {
        final Path data = dir.resolve("data");
        final CachedEpochClock clock = new CachedEpochClock();
        clock.update(T0);
        final String runHash;
        final String taskHash;
        final String userHash;
        try (EmbeddedStore store = EmbeddedStore.open(config(data, clock))) {
            final Anonymizer a = store.config().anonymizer();
            runHash = a.hash("run-secret-alpha");
            taskHash = a.hash("task-secret-beta");
            userHash = a.hash("user-secret-delta");
            final RunSummary created = store.runs().create("run-secret-alpha", "for run-name-secret@example.net",
                null, null, -1);
            assertEquals(runHash, created.id(), "a run is kept under its hashed id");
            final Event e = new Event();
            for (int i = 0; i < 200; i++) {
                clock.update(T0 + i * 10L);
                e.reset().model("gpt").timestampMs(T0 + i * 10L).latencyNs(1_000_000L).run("run-secret-alpha")
                    .task("task-secret-beta").config("config-secret-gamma").tag("user", "user-secret-delta")
                    .tag("email", "dropped-secret@example.org").tag("note", "call +1 415 555 0100")
                    .status(i % 2 == 0 ? Status.OK : Status.ERROR);
                if (i % 2 == 1) {
                    e.errorType("card 4111 1111 1111 1111 refused for jane.doe@example.com");
                }
                assertTrue(store.record(e));
            }
            assertTrue(store.flush(30, TimeUnit.SECONDS));
            store.runs().finish("run-secret-alpha", RunStatus.FAILED, "card 5500-0000-0000-0004 declined");

            final Map<String, WindowStats> byRun = new JournalScan(store).between(0, T0 + 10_000)
                .groupBy(JournalScan.GroupBy.RUN).run();
            assertEquals(Map.of(runHash, 200L), Map.of(byRun.keySet().iterator().next(),
                byRun.values().iterator().next().count()), "group-by shows the hash");
            assertEquals(200, new JournalScan(store).between(0, T0 + 10_000).where(
                dev.ringmeter.core.dictionary.Dimension.RUN, "run-secret-alpha").run().get("all").count(),
                "a filter on the raw value finds its hash");
            final Map<String, WindowStats> byUser = new JournalScan(store).between(0, T0 + 10_000)
                .groupByTag("user").run();
            assertTrue(byUser.containsKey(userHash), "tag values hashed: " + byUser.keySet());
            final Map<String, WindowStats> byConfig = new JournalScan(store).between(0, T0 + 10_000)
                .groupBy(JournalScan.GroupBy.CONFIG).run();
            assertEquals(List.of(""), new ArrayList<>(byConfig.keySet()), "config dropped");
            final Map<String, WindowStats> byError = new JournalScan(store).between(0, T0 + 10_000)
                .groupBy(JournalScan.GroupBy.ERROR_TYPE).run();
            assertTrue(byError.containsKey("card [card] refused for [email]"), "error type redacted: "
                + byError.keySet());
            final Map<String, WindowStats> byNote = new JournalScan(store).between(0, T0 + 10_000)
                .groupByTag("note").run();
            assertTrue(byNote.containsKey("call [phone]"), "free-text tag value redacted: " + byNote.keySet());
            final Map<String, WindowStats> byEmail = new JournalScan(store).between(0, T0 + 10_000)
                .groupByTag("email").run();
            assertEquals(List.of(""), new ArrayList<>(byEmail.keySet()), "a dropped tag is not on the event");
        }
        assertNoRawValue(data);
        assertTrue(anyFileHolds(data, runHash) && anyFileHolds(data, taskHash) && anyFileHolds(data, userHash),
            "the hashes are stored");

        try (EmbeddedStore store = EmbeddedStore.open(config(data, clock))) {
            final List<RunSummary> runs = store.runs().list(RunQuery.all()).runs();
            assertEquals(List.of(runHash), runs.stream().map(RunSummary::id).toList(), "the run list shows hashes");
            assertEquals("for [email]", runs.get(0).name());
            assertEquals("card [card] declined", runs.get(0).reason());
            assertEquals(runHash, store.runs().get("run-secret-alpha").id(), "found by its raw id");
            assertEquals(runHash, store.runs().get(runHash).id(), "and by its hash");
            assertEquals(200, store.aggregates().window(null, 0, T0 + 10_000, new WindowStats()).count());
        }
        assertNoRawValue(data);
    }

    @Test
    void shouldHashTheSameValueTheSameWayUnderOneKeyOnly() {
        final Anonymization hashRun = Anonymization.parse("hash:run");
        final Anonymizer a = new Anonymizer(hashRun, KEY, 256);
        final Anonymizer b = new Anonymizer(hashRun, KEY, 256);
        final Anonymizer other = new Anonymizer(hashRun, "another key of sixteen bytes".getBytes(
            StandardCharsets.UTF_8), 256);
        final String h = a.field(dev.ringmeter.core.dictionary.Dimension.RUN, "r1");
        assertEquals(h, b.field(dev.ringmeter.core.dictionary.Dimension.RUN, "r1"));
        assertEquals(h, a.hash("r1"), "cached and computed alike");
        assertNotEquals(h, other.hash("r1"));
        assertNotEquals(h, a.hash("r2"));
        assertTrue(h.matches("h:[A-Za-z0-9_-]{16}"), h);
        assertEquals("t", a.field(dev.ringmeter.core.dictionary.Dimension.TASK, "t"), "a field not named is kept");
    }

    @Test
    void shouldRefuseToOpenWhenHashingHasNoKey() {
        final StoreConfig config = new StoreConfig().shutdownHook(false).anonymization(Anonymization.parse("hash:run"));
        if (System.getenv("RINGMETER_HASH_KEY") == null) {
            final IllegalArgumentException e = assertThrows(IllegalArgumentException.class, config::conclude);
            assertTrue(e.getMessage().contains("RINGMETER_HASH_KEY"), e.getMessage());
        }
        final IllegalArgumentException shortKey = assertThrows(IllegalArgumentException.class,
            () -> new StoreConfig().anonymization(Anonymization.parse("hash:run")).hashKey(new byte[8]).conclude());
        assertTrue(shortKey.getMessage().contains("8 bytes"), shortKey.getMessage());
        assertThrows(IllegalArgumentException.class, () -> Anonymization.parse("hash:model"));
    }

    private static void assertNoRawValue(final Path data) throws IOException {
        final List<Path> files;
        try (Stream<Path> walk = Files.walk(data)) {
            files = walk.filter(Files::isRegularFile).toList();
        }
        assertFalse(files.isEmpty());
        for (final Path f : files) {
            final String bytes = new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1);
            for (final String raw : RAW) {
                assertFalse(bytes.contains(raw), f + " holds '" + raw + "'");
            }
        }
    }

    private static boolean anyFileHolds(final Path data, final String value) throws IOException {
        try (Stream<Path> walk = Files.walk(data)) {
            for (final Path f : walk.filter(Files::isRegularFile).toList()) {
                if (new String(Files.readAllBytes(f), StandardCharsets.ISO_8859_1).contains(value)) {
                    return true;
                }
            }
        }
        return false;
    }
}
