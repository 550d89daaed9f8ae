package dev.ringmeter.core.journal;

import dev.ringmeter.core.EmbeddedStore;
import org.agrona.concurrent.CachedEpochClock;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.TreeSet;
import java.util.stream.Stream;

import static dev.ringmeter.core.journal.RecordedEvents.FIRST_CYCLE;
import static dev.ringmeter.core.journal.RecordedEvents.PER_CYCLE;
import static dev.ringmeter.core.journal.RecordedEvents.SECOND_CYCLE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A closed store's journal cycle file is damaged (cut short at several offsets, bytes overwritten in the middle, a
 * header zeroed or overwritten, bytes after the last document that a writer stopped mid-document cannot have left,
 * an older cycle damaged): the store opens, every event before the damage is in its journal under
 * its own names with its own values and nothing else is, the damaged file is in journal-damaged/, and new events are
 * journaled where a restart replays them, with the snapshot and without it.
 */
@Timeout(120)
class JournalSalvageTest {
    private static final int TOTAL = 2 * PER_CYCLE;
    private static final int NEW = 5;

    @TempDir
    Path dir;

    private final CachedEpochClock clock = new CachedEpochClock();

    /** How a case damages a file, given its documents' {header offset, end offset}. */
    interface Damage {
        void apply(RandomAccessFile file, List<long[]> docs) throws Exception;
    }

    static Stream<Arguments> damages() {
        return Stream.of(
            Arguments.of("the last cycle cut inside document 10", SECOND_CYCLE, 10,
                (Damage)(f, docs) -> f.setLength(docs.get(10)[0] + 40)),
            Arguments.of("the last cycle cut just after document 10's header", SECOND_CYCLE, 10,
                (Damage)(f, docs) -> f.setLength(docs.get(10)[0] + 4)),
            Arguments.of("the last cycle cut at document 15's header", SECOND_CYCLE, 15,
                (Damage)(f, docs) -> f.setLength(docs.get(15)[0])),
            Arguments.of("the last cycle cut inside its last document", SECOND_CYCLE, PER_CYCLE - 1,
                (Damage)(f, docs) -> f.setLength(docs.get(PER_CYCLE - 1)[1] - 3)),
            Arguments.of("the last cycle cut inside Chronicle's index, before any document", SECOND_CYCLE, 0,
                (Damage)(f, docs) -> f.setLength(docs.get(0)[0] / 2)),
            Arguments.of("the last cycle cut inside Chronicle's first header", SECOND_CYCLE, 0,
                (Damage)(f, docs) -> f.setLength(100)),
            Arguments.of("bytes overwritten in the middle of the last cycle", SECOND_CYCLE, 10,
                (Damage)(f, docs) -> overwrite(f, docs.get(10)[0] + 30, 16, (byte)0x5A)),
            Arguments.of("a header zeroed in the middle of the last cycle", SECOND_CYCLE, 10,
                (Damage)(f, docs) -> overwrite(f, docs.get(10)[0], 4, (byte)0)),
            Arguments.of("the last cycle's first header zeroed", SECOND_CYCLE, 0,
                (Damage)(f, docs) -> overwrite(f, 0, 4, (byte)0)),
            Arguments.of("a header zeroed before the last document of the last cycle", SECOND_CYCLE, PER_CYCLE - 2,
                (Damage)(f, docs) -> overwrite(f, docs.get(PER_CYCLE - 2)[0], 4, (byte)0)),
            Arguments.of("a junk header in the middle of the last cycle", SECOND_CYCLE, 10,
                (Damage)(f, docs) -> writeInt(f, docs.get(10)[0], 0x40)),
            Arguments.of("bytes after the last cycle's documents, then a whole document", SECOND_CYCLE, PER_CYCLE,
                (Damage)(f, docs) -> {
                    final long end = afterLast(docs);
                    overwrite(f, end + 4, 24, (byte)0x5A);
                    copy(f, docs.get(5)[0], docs.get(5)[1], end + 64);
                }),
            Arguments.of("bytes after the last cycle's documents, further than a document reaches", SECOND_CYCLE,
                PER_CYCLE, (Damage)(f, docs) -> {
                    final long end = afterLast(docs);
                    overwrite(f, end + 4, 24, (byte)0x5A);
                    overwrite(f, end + 4 + RecordedEvents.BLOCK_BYTES / 4 + 64, 8, (byte)0x5A);
                }),
            Arguments.of("the bytes of an unfinished document after an older cycle's documents", FIRST_CYCLE,
                PER_CYCLE, (Damage)(f, docs) -> {
                    final long end = afterLast(docs);
                    overwrite(f, end, 8, (byte)0);   // no end-of-data marker: a document was being written
                    overwrite(f, end + 4, 24, (byte)0x5A);
                }),
            Arguments.of("an older cycle cut inside document 10", FIRST_CYCLE, 10,
                (Damage)(f, docs) -> f.setLength(docs.get(10)[0] + 40)),
            Arguments.of("bytes overwritten in the middle of an older cycle", FIRST_CYCLE, 7,
                (Damage)(f, docs) -> overwrite(f, docs.get(7)[0] + 60, 8, (byte)0x33)));
    }

    private static void overwrite(final RandomAccessFile f, final long at, final int length, final byte value)
        throws Exception {
        f.seek(at);
        final byte[] bytes = new byte[length];
        java.util.Arrays.fill(bytes, value);
        f.write(bytes);
    }

    private static void writeInt(final RandomAccessFile f, final long at, final int value) throws Exception {
        f.getChannel().write(ByteBuffer.allocate(4).order(ByteOrder.nativeOrder()).putInt(0, value), at);
    }

    private static void copy(final RandomAccessFile f, final long from, final long to, final long at)
        throws Exception {
        final ByteBuffer bytes = ByteBuffer.allocate((int)(to - from));
        f.getChannel().read(bytes, from);
        f.getChannel().write(bytes.flip(), at);
    }

    /** @return where the header after a cycle's last document is. */
    private static long afterLast(final List<long[]> docs) {
        return (docs.get(docs.size() - 1)[1] + 3) & ~3L;
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("damages")
    void shouldKeepEveryRecordBeforeTheDamageAndJournalNewEventsWhereARestartReadsThem(
        final String name, final String cycle, final int keptInCycle, final Damage damage) throws Exception {
        try (EmbeddedStore store = EmbeddedStore.open(RecordedEvents.config(dir, clock))) {
            RecordedEvents.record(store, clock, "t-", 0, TOTAL);
        }
        final Path file = dir.resolve("journal").resolve(cycle);
        final List<long[]> docs = RecordedEvents.documents(dir.resolve("journal"), cycle);
        assertEquals(PER_CYCLE, docs.size(), "one document per event");
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            damage.apply(f, docs);
        }
        final int cycleStart = cycle.equals(FIRST_CYCLE) ? 0 : PER_CYCLE;
        final TreeSet<String> kept = RecordedEvents.tasks("t-", 0, TOTAL);
        kept.removeAll(RecordedEvents.tasks("t-", cycleStart + keptInCycle, cycleStart + PER_CYCLE));

        clock.update(RecordedEvents.timeOf(TOTAL - 1) + 1_000);
        try (EmbeddedStore store = EmbeddedStore.open(RecordedEvents.config(dir, clock))) {
            assertEquals(kept, RecordedEvents.assertGenuine(store), "the journal holds every event before the damage");
            assertEquals(TOTAL, RecordedEvents.count(store), "the snapshot keeps the effect of every event");
            assertTrue(Files.exists(dir.resolve("journal-damaged").resolve(cycle)), "the damaged file moved aside");
            RecordedEvents.record(store, clock, "new-", TOTAL, TOTAL + NEW);
        }
        final TreeSet<String> expected = new TreeSet<>(kept);
        expected.addAll(RecordedEvents.tasks("new-", TOTAL, TOTAL + NEW));
        try (EmbeddedStore store = EmbeddedStore.open(RecordedEvents.config(dir, clock))) {
            assertTrue(store.recovery().snapshotLoaded());
            assertEquals(expected, RecordedEvents.assertGenuine(store), "new events journaled where a scan reads");
            assertEquals(TOTAL + NEW, RecordedEvents.count(store), "nothing counted twice or skipped");
        }
        Files.delete(dir.resolve(Snapshot.FILE));
        try (EmbeddedStore store = EmbeddedStore.open(RecordedEvents.config(dir, clock))) {
            assertEquals(expected, RecordedEvents.assertGenuine(store));
            assertEquals(expected.size(), RecordedEvents.count(store), "the journal alone replays what it holds");
        }
    }
}
