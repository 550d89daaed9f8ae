package dev.ringmeter.core.journal;

import dev.ringmeter.core.EmbeddedStore;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.Size;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import org.agrona.concurrent.CachedEpochClock;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

import static dev.ringmeter.core.journal.RecordedEvents.FIRST_CYCLE;
import static dev.ringmeter.core.journal.RecordedEvents.PER_CYCLE;
import static dev.ringmeter.core.journal.RecordedEvents.SECOND_CYCLE;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Recovery over random damage: a closed store's two journal cycle files and its snapshot.bin are cut short at random
 * offsets and have random byte ranges overwritten with random bytes; the store then either opens, and every event
 * it reports (a scan by model and task, each task naming its event's values) is one that was recorded, under its own
 * names and with its own values, and its aggregates hold no more events than were recorded; or it refuses to open
 * with a message naming the file. Each try has 60 s.
 */
class RecoveryPropertyTest {
    private static final int TOTAL = 2 * PER_CYCLE;
    private static final String[] FILES = {"journal/" + FIRST_CYCLE, "journal/" + SECOND_CYCLE, Snapshot.FILE};
    private static Path base;
    /** By file: the offset after its last written byte (the end of its last document; the snapshot's length). */
    private static long[] written;

    /**
     * One damage: a file (0 and 1 the cycles, 2 the snapshot), whether it is cut there or overwritten, where (a
     * fraction of its written bytes), how many bytes are overwritten, and the seed of their values.
     */
    record Damage(int file, boolean cut, double at, int length, long seed) {
    }

    @BeforeContainer
    static void recordTheBase() throws Exception {
        base = Files.createTempDirectory("recovery-property");
        final CachedEpochClock clock = new CachedEpochClock();
        try (EmbeddedStore store = EmbeddedStore.open(RecordedEvents.config(base, clock))) {
            RecordedEvents.record(store, clock, "t-", 0, TOTAL);
        }
        written = new long[FILES.length];
        written[0] = last(RecordedEvents.documents(base.resolve("journal"), FIRST_CYCLE));
        written[1] = last(RecordedEvents.documents(base.resolve("journal"), SECOND_CYCLE));
        written[2] = Files.size(base.resolve(Snapshot.FILE));
    }

    private static long last(final List<long[]> docs) {
        return docs.get(docs.size() - 1)[1] + 16;
    }

    @AfterContainer
    static void deleteTheBase() throws IOException {
        delete(base);
    }

    @Provide
    Arbitrary<Damage> damage() {
        return Combinators.combine(Arbitraries.integers().between(0, FILES.length - 1),
                Arbitraries.of(true, false),
                Arbitraries.doubles().between(0, 1), Arbitraries.integers().between(1, 200),
                Arbitraries.longs())
            .as(Damage::new);
    }

    @Property(tries = 40)
    void reportsOnlyRecordedEventsUnderTheirOwnNamesOrRefusesNamingTheFile(
        @ForAll @Size(min = 1, max = 3) final List<@net.jqwik.api.From("damage") Damage> damages) throws Exception {
        final Path dir = Files.createTempDirectory("recovery-try");
        try {
            copy(base, dir);
            for (final Damage d : damages) {
                apply(dir, d);
            }
            assertTimeoutPreemptively(Duration.ofSeconds(60), () -> openAndCheck(dir, damages));
        } finally {
            delete(dir);
        }
    }

    private static void openAndCheck(final Path dir, final List<Damage> damages) throws Exception {
        final CachedEpochClock clock = new CachedEpochClock();
        clock.update(RecordedEvents.timeOf(TOTAL - 1) + 1_000);
        final EmbeddedStore store;
        try {
            store = EmbeddedStore.open(RecordedEvents.config(dir, clock));
        } catch (final RuntimeException e) {
            final String message = String.valueOf(e.getMessage());
            assertTrue(message.contains(".cq4") || message.contains(Snapshot.FILE), "after " + damages
                + " the store refused to open without naming the file: " + e);
            return;
        }
        try (store) {
            RecordedEvents.assertGenuine(store);
            assertTrue(RecordedEvents.count(store) <= TOTAL, "after " + damages + " the aggregates hold "
                + RecordedEvents.count(store) + " events of " + TOTAL);
            for (final String model : store.aggregates().models()) {
                assertTrue(model.matches("m[0-2]"), "after " + damages + ", a model no one recorded: " + model);
            }
        }
    }

    private static void apply(final Path dir, final Damage d) throws IOException {
        final Path file = dir.resolve(FILES[d.file()]);
        final long at = (long)(d.at() * written[d.file()]);
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            if (d.cut()) {
                f.setLength(Math.min(f.length(), at));
            } else if (at < f.length()) {
                final byte[] bytes = new byte[(int)Math.min(d.length(), f.length() - at)];
                new Random(d.seed()).nextBytes(bytes);
                f.seek(at);
                f.write(bytes);
            }
        }
    }

    private static void copy(final Path from, final Path to) throws IOException {
        try (Stream<Path> paths = Files.walk(from)) {
            for (final Path p : (Iterable<Path>)paths::iterator) {
                final Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else if (!p.getFileName().toString().equals(DataDirectoryLock.FILE)) {
                    Files.copy(p, target);
                }
            }
        }
    }

    private static void delete(final Path dir) throws IOException {
        if (dir == null || !Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            for (final Path p : (Iterable<Path>)paths.sorted(Comparator.reverseOrder())::iterator) {
                Files.delete(p);
            }
        }
    }
}
