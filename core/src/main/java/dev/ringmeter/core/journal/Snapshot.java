package dev.ringmeter.core.journal;

import dev.ringmeter.core.StoreConfig;
import dev.ringmeter.core.aggregate.Aggregates;
import dev.ringmeter.core.aggregate.AggregatesImage;
import dev.ringmeter.core.dictionary.Dictionary;
import dev.ringmeter.core.dictionary.Dimension;

import java.io.BufferedOutputStream;
import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.zip.CRC32;
import java.util.zip.CheckedOutputStream;

/**
 * The snapshot of a store's in-memory state, {@code <data>/snapshot.bin}: the dictionary, the price table, every
 * aggregate and the cumulative totals, with the index of the last journal document the aggregates include. A
 * restart loads it and replays only the journal after that document. (The dictionary and the price table may
 * already hold entries of later documents; replaying those is idempotent, see {@code PriceTable}.)
 * <pre>
 *  magic:8 "RMSNAP01" | version:4 | configuration fingerprint | journalIndex:8 | writtenAtMs:8
 *  | dictionary | aggregates (prices, counters, tiers, totals: see AggregatesCodec)
 *  | comparisons (version 4 on: see CombinationsCodec) | crc32 of everything before:8
 * </pre>
 * Written atomically: to a temporary file, fsynced, renamed over the old snapshot, and the directory fsynced, so
 * a crash leaves either the old snapshot or the new one, never a mix. A snapshot whose checksum, version or
 * configuration does not match is ignored (logged) and the journal is replayed from its start.
 * <p>
 * Threading: {@link #write} writes an image of the aggregates the writer captured, on the snapshot thread while
 * ingestion goes on (or on the closing thread); {@link #load} runs before the store starts.
 */
public final class Snapshot {
    public static final String FILE = "snapshot.bin";
    private static final long MAGIC = 0x524D534E41503031L;
    /**
     * Version 6: the anomaly log follows the runs ({@code AnomalyLog#write}). Version 5: the runs follow the aggregates (see {@code AggregatesCodec}). Version 4: the dictionary holds the provider, tool and agent dimensions, buckets the token parts and the
     * quality scores' sums of squares, recent events their new fields (see {@code FormatVersion}). Version 3: the
     * dictionary holds the ids in use only (id, live, name), recent events keep the names of
     * released dimensions as strings, and tiers are followed by the buckets held ahead of the clock. Version 2 (a
     * count and the names of ids 1..count per dimension, recent events with ids, no held buckets) is still read.
     * Version 2 added the cumulative totals; an older snapshot is refused and the journal replayed.
     */
    private static final int VERSION = FormatVersion.SNAPSHOT;
    private static final int VERSION_2 = FormatVersion.SNAPSHOT_OLDEST;

    /**
     * What a load found.
     *
     * @param found        whether a usable snapshot was loaded.
     * @param journalIndex index of the last journal document the snapshot includes, -1 for none.
     * @param writtenAtMs  when it was written.
     */
    public record Loaded(boolean found, long journalIndex, long writtenAtMs) {
        public static final Loaded NONE = new Loaded(false, -1, 0);
    }

    private Snapshot() {
    }

    public static void write(final Path dataDirectory, final StoreConfig config, final Dictionary dictionary,
                      final AggregatesImage aggregates, final long journalIndex) throws IOException {
        final Path tmp = dataDirectory.resolve(FILE + ".tmp");
        try (FileOutputStream file = new FileOutputStream(tmp.toFile());
             CheckedOutputStream checked = new CheckedOutputStream(new BufferedOutputStream(file, 1 << 16),
                 new CRC32());
             DataOutputStream out = new DataOutputStream(checked)) {
            out.writeLong(MAGIC);
            out.writeInt(VERSION);
            writeFingerprint(out, config);
            out.writeLong(journalIndex);
            out.writeLong(config.clock().time());
            dictionary.write(out);
            aggregates.write(out);
            out.flush();
            out.writeLong(checked.getChecksum().getValue());
            out.flush();
            file.getFD().sync();
        }
        Files.move(tmp, dataDirectory.resolve(FILE), StandardCopyOption.ATOMIC_MOVE,
            StandardCopyOption.REPLACE_EXISTING);
        try (FileChannel dir = FileChannel.open(dataDirectory, StandardOpenOption.READ)) {
            dir.force(true);
        }
    }

    /**
     * Checks the snapshot's frame alone (length, checksum, magic, version), not whether the configuration it was
     * written with matches: for {@code ringmeter check}, which reads a data directory without opening a store.
     *
     * @param dataDirectory holding the snapshot, or none.
     * @return what is wrong with {@code snapshot.bin}, or null if it is absent or whole.
     */
    public static String damage(final Path dataDirectory) {
        try {
            verified(Files.readAllBytes(dataDirectory.resolve(FILE)));
            return null;
        } catch (final NoSuchFileException e) {
            return null;
        } catch (final IOException e) {
            return e.getMessage();
        }
    }

    /** @return the snapshot's content after its magic, its version next, once its frame is checked. */
    private static DataInputStream verified(final byte[] bytes) throws IOException {
        if (bytes.length < 8 + 4 + 8) {
            throw new IOException("snapshot of " + bytes.length + " bytes is truncated");
        }
        final CRC32 crc = new CRC32();
        crc.update(bytes, 0, bytes.length - 8);
        final long stored = new DataInputStream(new ByteArrayInputStream(bytes, bytes.length - 8, 8)).readLong();
        if (crc.getValue() != stored) {
            throw new IOException("snapshot checksum mismatch");
        }
        final DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes, 0, bytes.length - 8));
        if (in.readLong() != MAGIC) {
            throw new IOException("not a snapshot");
        }
        in.mark(4);
        final int version = in.readInt();
        if (version < VERSION_2 || version > VERSION) {
            throw new IOException("a snapshot of version " + version + ", not " + VERSION_2 + " to " + VERSION);
        }
        in.reset();
        return in;
    }

    /**
     * Loads the snapshot into an empty dictionary and aggregates.
     *
     * @return what was loaded; {@link Loaded#NONE} if there is no snapshot.
     * @throws IOException if the snapshot is unreadable, corrupt or of another configuration; the dictionary and
     *                     aggregates must then be discarded.
     */
    public static Loaded load(final Path dataDirectory, final StoreConfig config, final Dictionary dictionary,
                       final Aggregates aggregates) throws IOException {
        final byte[] bytes;
        try {
            bytes = Files.readAllBytes(dataDirectory.resolve(FILE));
        } catch (final NoSuchFileException e) {
            return Loaded.NONE;
        }
        final DataInputStream in = verified(bytes);
        final int version = in.readInt();
        final ByteArrayOutputStreamWithCompare expected = new ByteArrayOutputStreamWithCompare();
        writeFingerprint(new DataOutputStream(expected), config);
        final byte[] fingerprint = new byte[expected.size()];
        in.readFully(fingerprint);
        if (!expected.matches(fingerprint)) {
            throw new IOException("snapshot was written with other tiers, histogram digits or limits");
        }
        final long journalIndex = in.readLong();
        final long writtenAtMs = in.readLong();
        if (version == VERSION_2) {
            dictionary.readVersion2(in);
        } else {
            dictionary.read(in, version >= 4 ? Dimension.VALUES.length : Dimension.SNAPSHOT_3_DIMENSIONS);
        }
        aggregates.read(in, version);
        if (version >= FormatVersion.SNAPSHOT_COMPARISONS) {
            aggregates.readComparisons(in, version);
        } else {
            aggregates.comparisonsCompleteFrom(writtenAtMs + config.maxFutureSkewMs());
        }
        if (in.available() != 0) {
            throw new IOException("snapshot has " + in.available() + " unread bytes");
        }
        return new Loaded(true, journalIndex, writtenAtMs);
    }

    private static void writeFingerprint(final DataOutputStream out, final StoreConfig config) throws IOException {
        final long[] widths = config.tierWidthsMs();
        final int[] buckets = config.tierBuckets();
        out.writeInt(widths.length);
        for (int i = 0; i < widths.length; i++) {
            out.writeLong(widths[i]);
            out.writeInt(buckets[i]);
        }
        out.writeInt(config.histogramDigits());
        out.writeInt(config.recentEventsPerModel());
        out.writeInt(config.cardinalityLimits()[Dimension.QUALITY_NAME.ordinal()]);
    }

    private static final class ByteArrayOutputStreamWithCompare extends java.io.ByteArrayOutputStream {
        boolean matches(final byte[] other) {
            return java.util.Arrays.equals(buf, 0, count, other, 0, other.length);
        }
    }
}
