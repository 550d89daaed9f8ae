package dev.ringmeter.core.journal;

import dev.ringmeter.core.EmbeddedStore;
import dev.ringmeter.core.StoreConfig;
import dev.ringmeter.core.dictionary.Dimension;
import dev.ringmeter.core.test.ChildJvm;
import org.agrona.concurrent.CachedEpochClock;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.TreeSet;
import java.util.stream.Stream;

import static dev.ringmeter.core.journal.RecordedEvents.FIRST_CYCLE;
import static dev.ringmeter.core.journal.RecordedEvents.PER_CYCLE;
import static dev.ringmeter.core.journal.RecordedEvents.SECOND_CYCLE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Chronicle's own structures in a cycle file overwritten with junk (its index arrays, the index of those arrays, the
 * header's write position), where the checksums of the documents do not look: Chronicle takes an address it reads
 * there as an offset into the file and maps ever more of it, so a store that trusted them died of an
 * OutOfMemoryError at open. The store opens in a child JVM with a small heap (a heap exhausted there cannot spoil
 * this JVM); it must open with every event of the cycles, the damaged cycle rewritten from its documents and the
 * damaged file moved aside, and nothing else.
 */
@Tag("slow")
@Timeout(180)
class DamagedIndexTest {
    private static final int TOTAL = 2 * PER_CYCLE;
    /** Chronicle's binary wire: an array of 64-bit values (capacity, used, then the values). */
    private static final int I64_ARRAY = 0x8D;
    /** An address 64 TiB into a file of a few hundred KiB. */
    private static final long FAR = 1L << 46;

    @TempDir
    Path dir;

    /** How a case damages the journal: given the journal directory. */
    interface Damage {
        void apply(Path journal) throws Exception;
    }

    static Stream<Arguments> damages() {
        return Stream.of(
            Arguments.of("junk over an older cycle's index of index arrays, the last cycle cut before its documents",
                (Damage)j -> {
                    overwriteValues(j.resolve(FIRST_CYCLE), eventName("index2index"), 1, junk(64));
                    cutBeforeDocuments(j.resolve(SECOND_CYCLE));
                }, RecordedEvents.tasks("t-", 0, PER_CYCLE), List.of(FIRST_CYCLE, SECOND_CYCLE)),
            Arguments.of("junk over an older cycle's index array, the last cycle cut before its documents",
                (Damage)j -> {
                    overwriteValues(j.resolve(FIRST_CYCLE), eventName("index"), 1, junk(64));
                    cutBeforeDocuments(j.resolve(SECOND_CYCLE));
                }, RecordedEvents.tasks("t-", 0, PER_CYCLE), List.of(FIRST_CYCLE, SECOND_CYCLE)),
            Arguments.of("junk over the first entry of the last cycle's index of index arrays",
                (Damage)j -> overwriteValues(j.resolve(SECOND_CYCLE), eventName("index2index"), 0, junk(1)),
                RecordedEvents.tasks("t-", 0, TOTAL), List.of(SECOND_CYCLE)),
            Arguments.of("junk over the first entries of the last cycle's index array",
                (Damage)j -> overwriteValues(j.resolve(SECOND_CYCLE), eventName("index"), 0, junk(8)),
                RecordedEvents.tasks("t-", 0, TOTAL), List.of(SECOND_CYCLE)),
            Arguments.of("junk over the last cycle's write position",
                (Damage)j -> overwriteValues(j.resolve(SECOND_CYCLE), fieldName("writePosition"), 0,
                    new long[] {FAR, (FAR << 32) + PER_CYCLE - 1}),
                RecordedEvents.tasks("t-", 0, TOTAL), List.of(SECOND_CYCLE)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("damages")
    void shouldOpenWithEveryEventOfTheCyclesAndNotExhaustTheHeap(final String name, final Damage damage,
                                                                 final TreeSet<String> kept,
                                                                 final List<String> movedAside) throws Exception {
        final CachedEpochClock clock = new CachedEpochClock();
        try (EmbeddedStore store = EmbeddedStore.open(RecordedEvents.config(dir, clock))) {
            RecordedEvents.record(store, clock, "t-", 0, TOTAL);
        }
        damage.apply(dir.resolve("journal"));

        final List<String> options = new ArrayList<>(ChildJvm.inheritedOptions());
        options.add("-Xmx256m");
        final String output = ChildJvm.runToEnd(ChildJvm.command(options, Child.class, dir.toString()),
            dir.resolve("child.out"), 120);
        assertFalse(output.contains("OutOfMemoryError"), output);
        assertTrue(output.contains("OPENED " + kept + " COUNT " + TOTAL), "the store opens with the events of the "
            + "cycles' documents, and the snapshot keeps the effect of every event: " + output);
        for (final String file : movedAside) {
            assertTrue(Files.exists(dir.resolve(JournalSalvage.DAMAGED_DIRECTORY).resolve(file)), file
                + " moved aside: " + output);
        }
    }

    /**
     * The check takes Chronicle's index of a whole journal as whole: 1,100 documents in one cycle (five entries of
     * its index array, Chronicle indexing every 256th), written and closed, then opened again and appended to, open
     * with no file moved aside.
     */
    @org.junit.jupiter.api.Test
    void shouldTakeTheIndexOfAWholeJournalAsWhole() throws Exception {
        final CachedEpochClock clock = new CachedEpochClock();
        final int documents = 1_100;
        try (EmbeddedStore store = EmbeddedStore.open(RecordedEvents.config(dir, clock))) {
            RecordedEvents.record(store, clock, "t-", PER_CYCLE, PER_CYCLE + documents / 2);
        }
        try (EmbeddedStore store = EmbeddedStore.open(RecordedEvents.config(dir, clock))) {
            RecordedEvents.record(store, clock, "t-", PER_CYCLE + documents / 2, PER_CYCLE + documents);
        }
        try (EmbeddedStore store = EmbeddedStore.open(RecordedEvents.config(dir, clock))) {
            assertEquals(documents, RecordedEvents.assertGenuine(store).size());
        }
        assertFalse(Files.exists(dir.resolve(JournalSalvage.DAMAGED_DIRECTORY)), "no cycle file taken as damaged");
    }

    /**
     * Overwrites values of the first of Chronicle's arrays of 64-bit values after a marker: an event name
     * ("index2index": the addresses of the index arrays; "index": the addresses of every so many documents) or a
     * field of its header ("writePosition": the last document's address, and that address with its sequence).
     */
    static void overwriteValues(final Path file, final byte[] marker, final int from, final long[] values)
        throws Exception {
        final byte[] bytes = Files.readAllBytes(file);
        int at = find(bytes, marker, 0) + marker.length;
        while ((bytes[at] & 0xFF) != I64_ARRAY) {
            at++;
        }
        final ByteBuffer junk = ByteBuffer.allocate(values.length * 8).order(ByteOrder.LITTLE_ENDIAN);
        for (final long v : values) {
            junk.putLong(v);
        }
        write(file, at + 1 + 16 + from * 8L, junk.array());
    }

    /** @return junk addresses, 64 TiB or more past the end of the file. */
    private static long[] junk(final int count) {
        final Random random = new Random(42);
        final long[] values = new long[count];
        for (int i = 0; i < count; i++) {
            values[i] = FAR + ((long)random.nextInt(1 << 20) << 3);
        }
        return values;
    }

    /** Cuts a cycle file inside Chronicle's index, before its first document. */
    private static void cutBeforeDocuments(final Path file) throws Exception {
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            f.setLength(find(Files.readAllBytes(file), eventName("index"), 0) + 100);
        }
    }

    private static void write(final Path file, final long at, final byte[] junk) throws Exception {
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
            f.seek(at);
            f.write(junk);
        }
    }

    /** Chronicle's binary wire writes an event name as 0xB9, its length, its text. */
    private static byte[] eventName(final String name) {
        return prefixed(new byte[] {(byte)0xB9, (byte)name.length()}, name);
    }

    /** And a field name as 0xC0 plus its length, then its text. */
    static byte[] fieldName(final String name) {
        return prefixed(new byte[] {(byte)(0xC0 + name.length())}, name);
    }

    private static byte[] prefixed(final byte[] prefix, final String name) {
        final byte[] text = name.getBytes(StandardCharsets.US_ASCII);
        final byte[] bytes = new byte[prefix.length + text.length];
        System.arraycopy(prefix, 0, bytes, 0, prefix.length);
        System.arraycopy(text, 0, bytes, prefix.length, text.length);
        return bytes;
    }

    private static int find(final byte[] bytes, final byte[] what, final int from) {
        outer:
        for (int i = from; i + what.length <= bytes.length; i++) {
            for (int k = 0; k < what.length; k++) {
                if (bytes[i + k] != what[k]) {
                    continue outer;
                }
            }
            return i;
        }
        throw new AssertionError("not in the file: " + new String(what, StandardCharsets.ISO_8859_1));
    }

    /** The child: opens the damaged store and prints the tasks its journal holds and the events it counts. */
    public static final class Child {
        private Child() {
        }

        public static void main(final String[] args) throws Exception {
            final CachedEpochClock clock = new CachedEpochClock();
            clock.update(RecordedEvents.timeOf(TOTAL - 1) + 1_000);
            final StoreConfig config = RecordedEvents.config(Path.of(args[0]), clock)
                .cardinalityLimit(Dimension.MODEL, 3);   // the small heap's budget alone would allow one model
            try (EmbeddedStore store = EmbeddedStore.open(config)) {
                final TreeSet<String> tasks = RecordedEvents.assertGenuine(store);
                System.out.println("OPENED " + tasks + " COUNT " + RecordedEvents.count(store));
            } catch (final RuntimeException e) {
                System.out.println("REFUSED " + e.getMessage());
            }
        }
    }
}
