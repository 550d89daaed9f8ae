package dev.ringmeter.core.journal;

import dev.ringmeter.core.StoreConfig;
import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.bytes.MappedBytes;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.queue.RollCycle;
import net.openhft.chronicle.queue.RollCycles;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueBuilder;
import net.openhft.chronicle.wire.DocumentContext;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * Finds damaged journal cycle files when a store opens, and salvages them, before Chronicle appends to them: a file
 * cut short, or with bytes overwritten, can make Chronicle throw as it opens it, stop a tailer early (replay and
 * scans then miss what follows) or append where no tailer looks (new events then vanish at the next restart).
 * <p>
 * {@link #walk} reads a cycle file on its own, without Chronicle, as Chronicle lays it out: documents one after the
 * other from offset 0, each a 4-byte header (bit 31: not complete, bit 30: metadata, the rest: the length) at a
 * 4-byte boundary, Chronicle's own metadata first; nothing but zeros after the last document (or after the
 * end-of-data marker of a cycle rolled over, both bits set, and its text "EOF"). Each data document must pass
 * {@link JournalDescriptor#damage}: its checksum record. The first thing found out of place makes the file damaged,
 * and the documents before it are its readable part.
 * <p>
 * One thing out of place is not damage: the document a process was writing when it died, at the end of the last
 * cycle. Chronicle writes a document in place: under its write lock it takes the first zero header after the last
 * document, writes the document's bytes after that header while the header stays zero, and only then sets the
 * header to the length ({@code AbstractWire.enterHeader}, {@code updateHeader}); a rollback zeroes the header and
 * then the bytes ({@code StoreAppender.doRollback}). (Chronicle versions before it wrote a not-complete header, of
 * no length yet, first.) A writer killed before the header was set, or during a rollback, leaves a zero (or
 * not-complete) header followed by some of a document's bytes: never acknowledged, as a document is acknowledged
 * only once its header is set. The walk takes such bytes as that unfinished document when they are at the end of
 * the last cycle file, within a document's largest size of the header and with no checksummed whole document
 * among them; {@link #clearUnfinished} then zeroes them, as Chronicle's rollback would have, so that appends and
 * the end-of-data marker after them leave nothing behind. Anywhere else, or followed by a whole document (a header
 * zeroed or overwritten), such bytes are damage. Likewise a last cycle file whose own first header is zero or not
 * complete and that holds no checksummed document is one a writer was creating when it died (Chronicle writes its
 * header and empty index arrays and sets the first header last, {@code createIndexThenUpdateHeader}; no document is
 * written before): {@link #clearUnfinished} removes it. A file whose documents are whole has Chronicle's
 * header and index arrays checked against them ({@link CycleIndexCheck}: an address there that damage made absurd
 * would have Chronicle map the file until the heap is exhausted); one that fails is damaged with every document
 * readable, unless it is the last and they describe it as it was before its last document: Chronicle records a
 * document (the write position, the index) just after setting its header ({@code updateHeaderAndIndex}), so a
 * writer killed in between leaves them one document behind, which Chronicle itself catches up with.
 * {@link Journal#indexMismatch} then checks, for the files that pass, that Chronicle reads them so.
 * <p>
 * {@link #salvage} rewrites a damaged file's readable part, document by document, into a fresh file of the same
 * cycle (written by a queue of its own in {@code <data>/journal-salvage} whose clock stands in that cycle, since
 * Chronicle's cycles follow time and one cannot be started at will), moves the damaged file to
 * {@code <data>/journal-damaged/} and the fresh one in its place, and logs a warning naming both. The kept documents
 * keep their indexes (they are the cycle's first), so positions before the damage mean what they meant; appends to
 * the current cycle go on after them. A file with no readable document is only moved aside.
 * <p>
 * Threading: called on the thread that opens the store, before the journal it checks is opened (or after it is
 * closed again), under the data directory lock.
 */
final class JournalSalvage {
    private static final System.Logger LOG = System.getLogger(JournalSalvage.class.getName());
    /** Where damaged cycle files are moved to, in the data directory. */
    static final String DAMAGED_DIRECTORY = "journal-damaged";
    private static final String SCRATCH_DIRECTORY = "journal-salvage";
    private static final int NOT_COMPLETE = 0x8000_0000;
    private static final int META_DATA = 0x4000_0000;
    private static final int LENGTH_MASK = 0x3FFF_FFFF;
    private static final int END_OF_DATA = NOT_COMPLETE | META_DATA;
    /** What Chronicle writes after an end-of-data header: "EOF" as a field name of its binary wire. */
    private static final int END_OF_DATA_TEXT = 4;

    /**
     * What a walk found in one cycle file.
     *
     * @param file      the cycle file.
     * @param positions the header offsets of its readable data documents, in order.
     * @param lengths   their lengths, without the header.
     * @param damage    what is wrong with it and where, or null if nothing.
     * @param unfinished the offsets of the unfinished document a stopped writer left at its end, from its header
     *                   to the byte after its last non-zero one ({0, ...}: the file is one it was creating); null
     *                   if none.
     */
    record CycleWalk(Path file, long[] positions, int[] lengths, String damage, long[] unfinished) {
        int documents() {
            return positions.length;
        }

        CycleWalk damaged(final String what) {
            return new CycleWalk(file, positions, lengths, what, unfinished);
        }

        /** @return whether it is a cycle file a stopped writer was creating, with no document. */
        boolean unfinishedFile() {
            return unfinished != null && unfinished[0] == 0;
        }
    }

    /**
     * A salvaged file.
     *
     * @param cycle         its cycle.
     * @param keptDocuments its readable documents, now the first of the rewritten file.
     */
    record Salvaged(int cycle, int keptDocuments) {
    }

    private JournalSalvage() {
    }

    /**
     * @param journalDirectory the journal's.
     * @param config           the store's: its block size bounds a half-written document.
     * @return a walk of every cycle file, oldest first.
     */
    static List<CycleWalk> walkAll(final Path journalDirectory, final StoreConfig config) {
        final File[] files = journalDirectory.toFile().listFiles((dir, name) -> name.endsWith(Journal.SUFFIX));
        final List<CycleWalk> walks = new ArrayList<>();
        if (files != null) {
            Arrays.sort(files);
            final RollCycle rollCycle = RollCycles.valueOf(config.journalRollCycle());
            for (int i = 0; i < files.length; i++) {
                walks.add(walk(files[i].toPath(), config.journalBlockBytes() / 4, rollCycle, i == files.length - 1));
            }
        }
        return walks;
    }

    /**
     * Walks one cycle file, reading it only; a file whose documents are whole then has Chronicle's index of them
     * checked ({@link CycleIndexCheck}), and one whose index does not agree is damaged (its documents readable).
     *
     * @param file             a cycle file.
     * @param maxDocumentBytes the longest document Chronicle writes (a quarter of a block).
     * @param rollCycle        the journal's.
     * @param last             whether it is the journal's last cycle file, the only one a writer can have stopped in.
     * @return its readable documents, what is wrong with it, if anything, and its unfinished document, if any.
     */
    static CycleWalk walk(final Path file, final long maxDocumentBytes, final RollCycle rollCycle,
                          final boolean last) {
        final long length = file.toFile().length();
        final List<long[]> docs = new ArrayList<>();
        final List<Long> metadata = new ArrayList<>();
        final long[] unfinished = {-1, -1};
        String damage;
        if (length < 8) {
            damage = last && zeros(file) ? null : "it has " + length + " bytes, too few for Chronicle's header";
            unfinished[0] = 0;   // a file just created
            unfinished[1] = length;
        } else {
            try (MappedBytes bytes = MappedBytes.readOnly(file.toFile())) {
                damage = walk(bytes, length, maxDocumentBytes, last, docs, metadata, unfinished);
                if (damage == null && unfinished[0] != 0) {
                    final long[] data = docs.stream().mapToLong(d -> d[0]).toArray();
                    final long[] meta = metadata.stream().mapToLong(Long::longValue).toArray();
                    damage = CycleIndexCheck.damage(bytes, new CycleIndexCheck.Documents(meta, data), rollCycle);
                    if (damage != null && last && data.length > 0 && CycleIndexCheck.damage(bytes,
                        new CycleIndexCheck.Documents(meta, Arrays.copyOf(data, data.length - 1)), rollCycle) == null) {
                        damage = null;   // its index is one document behind: not yet recorded when the writer died
                    }
                }
            } catch (final IOException | RuntimeException e) {
                damage = "it cannot be read (" + e + ")";
            }
        }
        final long[] positions = new long[docs.size()];
        final int[] lengths = new int[docs.size()];
        for (int i = 0; i < positions.length; i++) {
            positions[i] = docs.get(i)[0];
            lengths[i] = (int)docs.get(i)[1];
        }
        return new CycleWalk(file, positions, lengths, damage,
            damage == null && unfinished[0] >= 0 ? unfinished : null);
    }

    private static String walk(final MappedBytes bytes, final long length, final long maxDocumentBytes,
                               final boolean last, final List<long[]> docs, final List<Long> metadata,
                               final long[] unfinished) {
        long p = 0;
        while (true) {
            if (p + 4 > length) {
                return "it is cut short at offset " + p + ", where a header should follow";
            }
            final int header = bytes.readInt(p);
            if (header == END_OF_DATA) {
                return p == 0 ? "it has no Chronicle header" : zerosFrom(bytes, p + 4 + END_OF_DATA_TEXT, length, p);
            }
            if (header == 0 || header == NOT_COMPLETE) {
                if (p == 0) {
                    return unfinishedFile(bytes, length, last, unfinished) ? null
                        : header == 0 ? "it has no Chronicle header" : "its Chronicle header was never completed";
                }
                return end(bytes, p, length, maxDocumentBytes, last, unfinished);
            }
            if ((header & NOT_COMPLETE) != 0) {
                return "a header at offset " + p + " is unreadable (0x" + Integer.toHexString(header) + ")";
            }
            final long size = header & LENGTH_MASK;
            if (p + 4 + size > length) {
                return "the document at offset " + p + " (" + size + " bytes) is cut short by the end of the file";
            }
            if ((header & META_DATA) == 0) {
                if (p == 0) {
                    return "it does not start with Chronicle's header";
                }
                final String wrong = JournalDescriptor.damage(bytes, p + 4, p + 4 + size);
                if (wrong != null) {
                    return "the document at offset " + p + " is damaged: " + wrong;
                }
                docs.add(new long[] {p, size});
            } else {
                metadata.add(p);
            }
            p = (p + 4 + size + 3) & ~3L;
        }
    }

    /**
     * The end of a file's documents, at a header that is zero or not complete: nothing but zeros from there on, or,
     * at the end of the last cycle, the unfinished document a stopped writer left, whose offsets it then gives.
     *
     * @param end        the header's offset.
     * @param unfinished set to the unfinished document's first offset and the one after its last non-zero byte.
     * @return null if so, else what is out of place.
     */
    private static String end(final MappedBytes bytes, final long end, final long length,
                              final long maxDocumentBytes, final boolean last, final long[] unfinished) {
        final long first = firstNonZero(bytes, end, length);
        if (first < 0) {
            return null;
        }
        final String outOfPlace = "it holds bytes at offset " + first + ", after the end of its documents at offset "
            + end + " (a header overwritten?)";
        if (!last) {
            return outOfPlace;   // a writer appends to the last cycle only: bytes here were never being written
        }
        final long reach = Math.min(length, end + 4 + maxDocumentBytes);
        final long beyond = firstNonZero(bytes, reach, length);
        if (beyond >= 0) {
            return "it holds bytes at offset " + beyond + ", further after the end of its documents at offset " + end
                + " than a document reaches (a header overwritten?)";
        }
        final long whole = wholeDocument(bytes, end + 4, reach);
        if (whole >= 0) {
            return "a whole document at offset " + whole + " follows the end of its documents at offset " + end
                + " (a header overwritten?)";
        }
        unfinished[0] = end;
        unfinished[1] = lastNonZero(bytes, first, reach) + 1;
        return null;
    }

    /**
     * @return whether a file whose first header is zero or not complete is the last cycle file a stopped writer was
     * creating: no checksummed document in it (sets its offsets, from 0, if so).
     */
    private static boolean unfinishedFile(final MappedBytes bytes, final long length, final boolean last,
                                          final long[] unfinished) {
        if (!last) {
            return false;
        }
        final long after = lastNonZero(bytes, 0, length) + 1;
        if (wholeDocument(bytes, 4, after) >= 0) {
            return false;
        }
        unfinished[0] = 0;
        unfinished[1] = after;
        return true;
    }

    /** @return the offset of the header of the first checksummed whole data document in a range, or -1 if none. */
    private static long wholeDocument(final MappedBytes bytes, final long from, final long to) {
        for (long q = from; q + 4 <= to; q += 4) {
            final int header = bytes.readInt(q);
            final long size = header & LENGTH_MASK;
            if ((header & (NOT_COMPLETE | META_DATA)) == 0 && size > 0 && q + 4 + size <= to
                && checksummed(bytes, q + 4, q + 4 + size)) {
                return q;
            }
        }
        return -1;
    }

    /** @return the offset of the last non-zero byte in a range, or from - 1 if none. */
    private static long lastNonZero(final MappedBytes bytes, final long from, final long to) {
        long p = to;
        while (p - 8 >= from && bytes.readLong(p - 8) == 0) {
            p -= 8;
        }
        while (p > from && bytes.readByte(p - 1) == 0) {
            p--;
        }
        return p - 1;
    }

    /**
     * @return whether a document's bytes pass {@link JournalDescriptor#damage} by their checksum record: an older
     * document passes without one, and the bytes of an unfinished document hold many runs that would.
     */
    private static boolean checksummed(final MappedBytes bytes, final long start, final long end) {
        return bytes.readByte(start) >= FormatVersion.JOURNAL_RECORD_CHECKED
            && JournalDescriptor.damage(bytes, start, end) == null;
    }

    /** @return whether every byte of a short file is zero. */
    private static boolean zeros(final Path file) {
        try {
            for (final byte b : Files.readAllBytes(file)) {
                if (b != 0) {
                    return false;
                }
            }
            return true;
        } catch (final IOException e) {
            return false;
        }
    }

    /** @return null if every byte from an offset on is zero, else where the first is not. */
    private static String zerosFrom(final MappedBytes bytes, final long from, final long length, final long end) {
        final long p = firstNonZero(bytes, from, length);
        return p < 0 ? null : "it holds bytes at offset " + p + ", after the end of its documents at offset " + end
            + " (a header overwritten?)";
    }

    /** @return the offset of the first byte from an offset on that is not zero, or -1 if none. */
    private static long firstNonZero(final MappedBytes bytes, final long from, final long length) {
        long p = from;
        for (; p + 8 <= length; p += 8) {
            if (bytes.readLong(p) != 0) {
                break;
            }
        }
        for (; p < length; p++) {
            if (bytes.readByte(p) != 0) {
                return p;
            }
        }
        return -1;
    }

    /**
     * Zeroes the unfinished document a walk found at the end of the last cycle file, as Chronicle's rollback would
     * have, and logs it (it was never acknowledged: nothing is lost). Left in place, its bytes would outlast the
     * documents appended over their start and follow the end-of-data marker once the cycle rolls over, where they
     * are damage. A cycle file the writer was creating, with no document, is removed (Chronicle would wait for its
     * header, then rename it aside).
     *
     * @param walk of the last cycle file, with an unfinished document or itself unfinished.
     * @param sync whether to force the cleared bytes to the disk.
     * @throws UncheckedIOException if the file cannot be written.
     */
    static void clearUnfinished(final CycleWalk walk, final boolean sync) {
        final long from = walk.unfinished()[0];
        final long to = walk.unfinished()[1];
        if (walk.unfinishedFile()) {
            try {
                Files.delete(walk.file());
            } catch (final IOException e) {
                throw new UncheckedIOException("cannot remove the unfinished journal file " + walk.file(), e);
            }
            LOG.log(System.Logger.Level.INFO, "the journal file " + walk.file() + " was being created by a process"
                + " that stopped before it finished Chronicle's header (" + (to == 0 ? "nothing written" : to + " bytes")
                + ", no document); removed");
            return;
        }
        try (FileChannel channel = FileChannel.open(walk.file(), StandardOpenOption.WRITE)) {
            final ByteBuffer zeros = ByteBuffer.allocate((int)Math.min(to - from, 64 << 10));
            for (long p = from; p < to; ) {
                zeros.clear().limit((int)Math.min(zeros.capacity(), to - p));
                p += channel.write(zeros, p);
            }
            if (sync) {
                channel.force(false);
            }
        } catch (final IOException e) {
            throw new UncheckedIOException("cannot clear the unfinished document at the end of the journal file "
                + walk.file(), e);
        }
        LOG.log(System.Logger.Level.INFO, "the journal file " + walk.file() + " ended in a document its writer did"
            + " not finish (" + (to - from) + " bytes from offset " + from + ", left by a process that stopped while"
            + " writing it, never acknowledged); cleared");
    }

    /**
     * Rewrites a damaged cycle file's readable documents into a fresh file in its place, and moves it aside.
     *
     * @param walk          of the damaged file.
     * @param last          whether it is the journal's last cycle file (no end-of-data marker then).
     * @param dataDirectory the store's.
     * @param config        the store's.
     * @return the file's cycle and the documents kept.
     * @throws UncheckedIOException if the files cannot be written or moved.
     */
    static Salvaged salvage(final CycleWalk walk, final boolean last, final Path dataDirectory,
                            final StoreConfig config) {
        final RollCycle rollCycle = RollCycles.valueOf(config.journalRollCycle());
        final Path file = walk.file();
        final String name = file.getFileName().toString();
        final int cycle = Journal.cycleOf(rollCycle, name);
        final Path scratch = dataDirectory.resolve(SCRATCH_DIRECTORY);
        final Path damaged = dataDirectory.resolve(DAMAGED_DIRECTORY);
        try {
            deleteTree(scratch);
            Files.createDirectories(scratch);
            Files.createDirectories(damaged);
            long keptBytes = 0;
            if (walk.documents() > 0) {
                final long[] nowMs = {cycle * (long)rollCycle.lengthInMillis()};
                try (MappedBytes source = MappedBytes.readOnly(file.toFile());
                     SingleChronicleQueue queue = SingleChronicleQueueBuilder.binary(scratch).rollCycle(rollCycle)
                         .blockSize(config.journalBlockBytes()).timeProvider(() -> nowMs[0]).build();
                     ExcerptAppender appender = queue.createAppender()) {
                    for (int i = 0; i < walk.documents(); i++) {
                        try (DocumentContext dc = appender.writingDocument()) {
                            final Bytes<?> target = dc.wire().bytes();
                            target.write(source, walk.positions()[i] + 4, walk.lengths()[i]);
                        }
                        keptBytes += walk.lengths()[i];
                    }
                    if (!last) {
                        // a cycle before the last ends in an end-of-data marker, or a tailer does not move on: rolling
                        // to the next cycle (a metadata document there, left behind in the scratch queue) writes it
                        nowMs[0] += rollCycle.lengthInMillis();
                        try (DocumentContext dc = appender.writingDocument(true)) {
                            dc.wire().bytes().writeByte((byte)0);
                        }
                    }
                }
                if (!Files.exists(scratch.resolve(name))) {
                    throw new IOException("the rewritten cycle is not named " + name);
                }
            }
            final Path aside = freeName(damaged, name);
            Files.move(file, aside, StandardCopyOption.ATOMIC_MOVE);
            if (walk.documents() > 0) {
                Files.move(scratch.resolve(name), file, StandardCopyOption.ATOMIC_MOVE);
            }
            deleteTree(scratch);
            LOG.log(System.Logger.Level.WARNING, "the journal file " + file + " is damaged: " + walk.damage() + ". "
                + (walk.documents() > 0 ? "Its first " + walk.documents() + " documents (" + keptBytes + " bytes), all"
                + " that could be read, are kept in a rewritten " + name : "None of its documents could be read")
                + "; what followed the damage is lost. The damaged file was moved to " + aside);
            return new Salvaged(cycle, walk.documents());
        } catch (final IOException e) {
            throw new UncheckedIOException("cannot salvage the damaged journal file " + file + " (" + walk.damage()
                + ")", e);
        }
    }

    private static Path freeName(final Path directory, final String name) {
        Path p = directory.resolve(name);
        for (int i = 1; Files.exists(p); i++) {
            p = directory.resolve(name + "." + i);
        }
        return p;
    }

    private static void deleteTree(final Path directory) throws IOException {
        if (!Files.exists(directory)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(directory)) {
            for (final Path p : (Iterable<Path>)paths.sorted(Comparator.reverseOrder())::iterator) {
                Files.delete(p);
            }
        }
    }
}
