package dev.ringmeter.core.journal;

import dev.ringmeter.core.EmbeddedStore;
import dev.ringmeter.core.StoreConfig;
import dev.ringmeter.core.test.ChildJvm;
import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.queue.RollCycles;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueBuilder;
import net.openhft.chronicle.wire.DocumentContext;
import org.agrona.concurrent.CachedEpochClock;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.BufferedReader;
import java.io.File;
import java.io.InputStreamReader;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static dev.ringmeter.core.journal.RecordedEvents.PER_CYCLE;
import static dev.ringmeter.core.journal.RecordedEvents.SECOND_CYCLE;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A process killed with SIGKILL while a journal document is open: Chronicle has taken the zero header after the
 * last document and written some of the document's bytes after it, but not yet its header. That is the unfinished
 * tail of the last cycle, never acknowledged, not damage: the store opens with every event recorded before it and
 * nothing else, moves no file to journal-damaged/, clears the bytes, appends where a restart reads, and the cycle
 * stays whole once a later cycle's end-of-data marker is written after it. The same bytes in an older cycle are
 * damage. Likewise what the two other moments of a write leave, built into the files: a new cycle file whose header
 * Chronicle had not finished (removed), and the last document's header set but not yet its write position.
 */
@Timeout(120)
class UnfinishedDocumentTest {
    /** Events recorded and acknowledged before the unfinished document, each alone in its document. */
    private static final int EVENTS = 2 * PER_CYCLE;
    /** An event of hour 2 of the day, in a later cycle than the second. */
    private static final int LATER = PER_CYCLE + 3_600 + 10;
    private static final String THIRD_CYCLE = "20260101-02F.cq4";

    @TempDir
    Path temp;
    private Path dir;

    private final CachedEpochClock clock = new CachedEpochClock();

    static Stream<Arguments> unfinished() {
        return Stream.of(
            Arguments.of("a few bytes of its first record", Writer.FEW),
            Arguments.of("many records, not yet the checksum", Writer.MANY),
            Arguments.of("every byte with its checksum, the header not yet set", Writer.ALL));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("unfinished")
    void shouldOpenWithEveryAcknowledgedEventAndNoDamageAfterAKillWithADocumentOpen(final String name,
                                                                                     final String what)
        throws Exception {
        dir = temp.resolve("data");
        final long header = killWhileWriting(what);
        final Path file = dir.resolve("journal").resolve(SECOND_CYCLE);
        assertEquals(0, intAt(file, header), "the open document's header is not set yet");
        assertTrue(firstNonZero(file, header) > header, "the document's bytes are there after its header");
        final StoreConfig config = RecordedEvents.config(dir, clock);
        final List<JournalSalvage.CycleWalk> walks = JournalSalvage.walkAll(dir.resolve("journal"), config);
        assertEquals(2, walks.size());
        assertNull(walks.get(1).damage(), "the end of the last cycle is not damage");
        assertEquals(header, walks.get(1).unfinished()[0], "the unfinished document is found where it starts");
        assertNotNull(JournalSalvage.walk(file, config.journalBlockBytes() / 4, RollCycles.FAST_HOURLY, false)
            .damage(), "the same bytes in an older cycle are damage");

        final TreeSet<String> expected = RecordedEvents.tasks("t-", 0, EVENTS);
        clock.update(RecordedEvents.timeOf(EVENTS - 1) + 1_000);
        try (EmbeddedStore store = EmbeddedStore.open(RecordedEvents.config(dir, clock))) {
            assertEquals(expected, RecordedEvents.assertGenuine(store), "every acknowledged event and nothing else");
            assertEquals(EVENTS, RecordedEvents.count(store));
        }
        assertFalse(Files.exists(dir.resolve(JournalSalvage.DAMAGED_DIRECTORY)), "nothing taken as damaged");
        assertEquals(-1, firstNonZero(file, header), "the unfinished document is cleared");

        clock.update(RecordedEvents.timeOf(EVENTS) + 1_000);
        try (EmbeddedStore store = EmbeddedStore.open(RecordedEvents.config(dir, clock))) {
            RecordedEvents.record(store, clock, "new-", EVENTS, EVENTS + 1);   // the same cycle, over the header
        }
        clock.update(RecordedEvents.timeOf(LATER) + 1_000);
        try (EmbeddedStore store = EmbeddedStore.open(RecordedEvents.config(dir, clock))) {
            RecordedEvents.record(store, clock, "new-", LATER, LATER + 1);   // rolls: an end-of-data marker
        }
        expected.addAll(List.of("new-" + EVENTS, "new-" + LATER));
        try (EmbeddedStore store = EmbeddedStore.open(RecordedEvents.config(dir, clock))) {
            assertEquals(expected, RecordedEvents.assertGenuine(store), "the new events where a restart reads them");
            assertEquals(EVENTS + 2, RecordedEvents.count(store));
        }
        assertFalse(Files.exists(dir.resolve(JournalSalvage.DAMAGED_DIRECTORY)), "nothing taken as damaged later");
        for (final JournalSalvage.CycleWalk walk : JournalSalvage.walkAll(dir.resolve("journal"), config)) {
            assertNull(walk.damage(), walk.file() + " is whole");
            assertNull(walk.unfinished(), walk.file() + " has no unfinished document");
        }
    }

    static Stream<Arguments> unfinishedFiles() {
        return Stream.of(
            Arguments.of("created, nothing written", false),
            Arguments.of("its header and index written, the header not yet set", true));
    }

    @ParameterizedTest(name = "a new cycle file {0}")
    @MethodSource("unfinishedFiles")
    void shouldRemoveANewCycleFileAWriterDidNotFinish(final String name, final boolean header) throws Exception {
        dir = temp.resolve("data");
        clock.update(RecordedEvents.timeOf(0));
        try (EmbeddedStore store = EmbeddedStore.open(RecordedEvents.config(dir, clock))) {
            RecordedEvents.record(store, clock, "t-", 0, EVENTS);
        }
        final Path file = dir.resolve("journal").resolve(THIRD_CYCLE);
        if (header) {
            // what Chronicle writes before it sets the first header: the header's fields and the empty index
            final Path scratch = temp.resolve("scratch");
            final long[] now = {RecordedEvents.timeOf(LATER)};
            try (SingleChronicleQueue q = SingleChronicleQueueBuilder.binary(scratch).rollCycle(RollCycles.FAST_HOURLY)
                .blockSize(RecordedEvents.BLOCK_BYTES).timeProvider(() -> now[0]).build();
                 ExcerptAppender appender = q.createAppender()) {
                try (DocumentContext dc = appender.writingDocument()) {
                    dc.rollbackOnClose();
                }
            }
            Files.copy(scratch.resolve(THIRD_CYCLE), file);
            try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "rw")) {
                f.getChannel().write(ByteBuffer.allocate(4).order(ByteOrder.nativeOrder()).putInt(0, 0x8000_0000), 0);
            }
        } else {
            Files.write(file, new byte[RecordedEvents.BLOCK_BYTES]);
        }
        final List<JournalSalvage.CycleWalk> walks = JournalSalvage.walkAll(dir.resolve("journal"),
            RecordedEvents.config(dir, clock));
        assertNull(walks.get(2).damage(), "a cycle file being created is not damage");
        assertTrue(walks.get(2).unfinishedFile());

        clock.update(RecordedEvents.timeOf(LATER) + 1_000);
        try (EmbeddedStore store = EmbeddedStore.open(RecordedEvents.config(dir, clock))) {
            assertEquals(RecordedEvents.tasks("t-", 0, EVENTS), RecordedEvents.assertGenuine(store));
            assertFalse(Files.exists(file), "the unfinished file is removed");
            RecordedEvents.record(store, clock, "new-", LATER, LATER + 1);
        }
        assertFalse(Files.exists(dir.resolve(JournalSalvage.DAMAGED_DIRECTORY)), "nothing taken as damaged");
        try (EmbeddedStore store = EmbeddedStore.open(RecordedEvents.config(dir, clock))) {
            final TreeSet<String> expected = RecordedEvents.tasks("t-", 0, EVENTS);
            expected.add("new-" + LATER);
            assertEquals(expected, RecordedEvents.assertGenuine(store), "the cycle is written anew where it was");
        }
    }

    /**
     * Chronicle sets a document's header, then records it: the write position (the last document), then that
     * position with its sequence, then the index. A writer killed in between leaves them, or only the second value,
     * one document behind, which is not damage in the last cycle; two behind is.
     */
    @ParameterizedTest(name = "the write position {0} and its sequence {1} documents behind")
    @org.junit.jupiter.params.provider.CsvSource({"1, 1", "0, 1", "2, 2"})
    void shouldTakeAWritePositionOneDocumentBehindAsAKilledWriters(final int behind, final int sequenceBehind)
        throws Exception {
        dir = temp.resolve("data");
        clock.update(RecordedEvents.timeOf(0));
        try (EmbeddedStore store = EmbeddedStore.open(RecordedEvents.config(dir, clock))) {
            RecordedEvents.record(store, clock, "t-", 0, EVENTS);
        }
        final Path file = dir.resolve("journal").resolve(SECOND_CYCLE);
        final List<long[]> docs = RecordedEvents.documents(dir.resolve("journal"), SECOND_CYCLE);
        final int n = docs.size() - 1 - behind;
        final int s = docs.size() - 1 - sequenceBehind;
        DamagedIndexTest.overwriteValues(file, DamagedIndexTest.fieldName("writePosition"), 0,
            new long[] {docs.get(n)[0], (docs.get(s)[0] << 32) + s});
        final List<JournalSalvage.CycleWalk> walks = JournalSalvage.walkAll(dir.resolve("journal"),
            RecordedEvents.config(dir, clock));
        assertEquals(behind < 2, walks.get(1).damage() == null, "damage: " + walks.get(1).damage());

        clock.update(RecordedEvents.timeOf(EVENTS) + 1_000);
        try (EmbeddedStore store = EmbeddedStore.open(RecordedEvents.config(dir, clock))) {
            assertEquals(RecordedEvents.tasks("t-", 0, EVENTS), RecordedEvents.assertGenuine(store));
            RecordedEvents.record(store, clock, "new-", EVENTS, EVENTS + 1);
        }
        assertEquals(behind > 1, Files.exists(dir.resolve(JournalSalvage.DAMAGED_DIRECTORY)), "taken as damaged");
        try (EmbeddedStore store = EmbeddedStore.open(RecordedEvents.config(dir, clock))) {
            final TreeSet<String> expected = RecordedEvents.tasks("t-", 0, EVENTS);
            expected.add("new-" + EVENTS);
            assertEquals(expected, RecordedEvents.assertGenuine(store), "appended after the last document");
        }
    }

    /** Runs the writer until its document is open, kills it with SIGKILL and returns the document's offset. */
    private long killWhileWriting(final String what) throws Exception {
        final Process child = new ProcessBuilder(ChildJvm.command(Writer.class, dir.toString(), what))
            .redirectError(new File(temp.toFile(), "writer.err")).start();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(),
            StandardCharsets.UTF_8))) {
            final String line = out.readLine();
            assertNotNull(line, "the writer ended before its document was open: "
                + Files.readString(temp.resolve("writer.err")));
            assertTrue(line.startsWith("OPEN "), "the writer said " + line);
            child.toHandle().destroyForcibly();   // SIGKILL, the document open
            assertTrue(child.waitFor(30, TimeUnit.SECONDS), "the writer is gone");
            return Long.parseLong(line.substring(5));
        } finally {
            child.destroyForcibly();
        }
    }

    private static int intAt(final Path file, final long offset) throws Exception {
        try (RandomAccessFile f = new RandomAccessFile(file.toFile(), "r")) {
            final ByteBuffer b = ByteBuffer.allocate(4).order(ByteOrder.nativeOrder());
            f.getChannel().read(b, offset);
            return b.getInt(0);
        }
    }

    /** @return the offset of the first non-zero byte from an offset on, or -1. */
    private static long firstNonZero(final Path file, final long from) throws Exception {
        final byte[] bytes = Files.readAllBytes(file);
        for (int i = (int)from; i < bytes.length; i++) {
            if (bytes[i] != 0) {
                return i;
            }
        }
        return -1;
    }

    /**
     * The process the test kills: records {@link #EVENTS} events through a store, each acknowledged, closes it,
     * then opens a journal document through Chronicle's appender of the same journal and writes into it records as
     * the journal handler writes them (copies of the last document's), says {@code OPEN <offset of its header>} and
     * waits to be killed. What it writes: {@link #FEW} bytes, {@link #MANY} records without the checksum, or
     * {@link #ALL} of the last document's bytes.
     */
    public static final class Writer {
        static final String FEW = "few";
        static final String MANY = "many";
        static final String ALL = "all";

        private Writer() {
        }

        public static void main(final String[] args) throws Exception {
            final Path dir = Path.of(args[0]);
            final CachedEpochClock clock = new CachedEpochClock();
            try (EmbeddedStore store = EmbeddedStore.open(RecordedEvents.config(dir, clock))) {
                RecordedEvents.record(store, clock, "t-", 0, EVENTS);
            }
            final StoreConfig config = RecordedEvents.config(dir, clock);
            final Journal journal = new Journal(Journal.journalDirectory(dir), config);
            final Bytes<?> last = Bytes.allocateElasticOnHeap();
            try (ExcerptTailer tailer = journal.queue().createTailer()) {
                while (true) {
                    try (DocumentContext dc = tailer.readingDocument()) {
                        if (!dc.isPresent()) {
                            break;
                        }
                        last.clear().write(dc.wire().bytes());
                    }
                }
            }
            final long records = last.readRemaining() - JournalDescriptor.CHECK_LENGTH;
            final ExcerptAppender appender = journal.queue().createAppender();
            final DocumentContext dc = appender.writingDocument();
            final Bytes<?> bytes = dc.wire().bytes();
            final long header = bytes.writePosition() - 4;
            switch (args[1]) {
                case FEW -> bytes.write(last, 0L, 7L);
                case MANY -> {
                    while (bytes.writePosition() - header + records < config.journalBlockBytes() / 8) {
                        bytes.write(last, 0, records);
                    }
                }
                case ALL -> bytes.write(last, 0, last.readRemaining());
                default -> throw new IllegalArgumentException(args[1]);
            }
            System.out.println("OPEN " + header);
            System.out.flush();
            Thread.sleep(TimeUnit.MINUTES.toMillis(2));
            System.exit(1);   // not killed: the test has given up
        }
    }
}
