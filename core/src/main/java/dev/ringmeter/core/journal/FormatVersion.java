package dev.ringmeter.core.journal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The versions of what a store writes, in one place: the journal's record version, the snapshot's version and the
 * format of the data directory as a whole, which {@code <data>/FORMAT} states in one human-readable line,
 * {@code ringmeter-data 2}.
 * <pre>
 *  data format 1  no FORMAT file: journal records of version 1 or 2 (no document checksum), snapshots 2 or 3
 *  data format 2  FORMAT "ringmeter-data 2": journal records of version 3 (every document ends in a checksum
 *                 record); records of versions 1 and 2 and snapshots of version 2 still read
 *  data format 3  FORMAT "ringmeter-data 3": journal records of version 4 (events carry provider, tool, agent,
 *                 cached, cache-write and reasoning tokens), snapshots of version 4 (the new dimensions in the
 *                 dictionary, the new sums in buckets and recent events, and the in-memory comparisons after
 *                 the aggregates; from a version-3 snapshot the comparisons are complete only from its time).
 *                 Snapshots of version 5 hold the price book (entries, their changes, recomputes) in place of
 *                 the price table; the journal gains PRICE_ENTRY and RECOMPUTE records (new kinds, so the record
 *                 version stays 4) and the bit of an event's cache byte that says the store priced it; version-5
 *                 snapshots also hold the runs after the totals, and the journal RUN records (kind 6); an
 *                 event need not name a model (a tool call, agent or pipeline step: model id 0); version-5
 *                 snapshots hold the tiers and totals of pipelines, pipeline steps, tools and agents, and quality
 *                 sums in the totals (pipeline and step pinned); everything older still read
 *  data format 4  FORMAT "ringmeter-data 4": snapshots of version 6 hold the watch state after the runs (the
 *                 anomaly log, then the alert rules, silences, alert states, history and undelivered notices);
 *                 the journal gains ALERT (kind 10) and ANOMALY (kind 11) records (new kinds, so the record
 *                 version stays 4; code of format 3 would stop at them, hence the new format)
 *                 and SAMPLED (kind 12): an event kept of 1 in N by sampling, its EVENT record followed by its
 *                 weight N, so a scan counts it N times (docs/privacy.md); snapshots of version 7 add to each
 *                 model's (and subject's) totals the time per output token and its latest provider and operation
 * </pre>
 * At open ({@link #openOrUpgrade}, before the journal is touched): a directory of a format newer than this code
 * knows is refused with a message naming the format and what to do; a FORMAT file that does not read as one is
 * refused; an older format is read as it is and, once the store has recovered, {@link #write} upgrades the file
 * (the readers still read everything the older format wrote); a fresh directory gets the current format.
 * <p>
 * A change to what is written bumps the version it touches here (and {@link #DATA} with it, a new row above), keeps
 * a reader of the old layout, and adds a fixture written by the previous code to {@code LegacyDataTest}.
 * <p>
 * Threading: called on the thread that opens the store, under its data directory lock.
 */
public final class FormatVersion {
    /** The data directory's format written by this code. */
    public static final int DATA = 4;
    /** The format of a data directory without a FORMAT file: everything written before the file was. */
    public static final int DATA_WITHOUT_FILE = 1;
    /** The journal record version written: version 4 events carry provider, tool, agent and token parts. */
    public static final byte JOURNAL_RECORD = 4;
    /** The first journal record version whose documents end in a checksum record. */
    public static final byte JOURNAL_RECORD_CHECKED = 3;
    /** The oldest journal record version read. */
    public static final byte JOURNAL_RECORD_OLDEST = 1;
    /**
     * The snapshot version written: version 7 holds the time per output token and the latest provider and
     * operation in each model's totals, version 6 holds the watch state, version 5 the price book, version 4 the
     * in-memory comparisons.
     */
    public static final int SNAPSHOT = 7;
    /** The first snapshot version whose totals hold the time per output token, provider and operation. */
    public static final int SNAPSHOT_TOTALS_LABELS = 7;
    /** The first snapshot version that holds the watch state (anomalies, alert rules and their state). */
    public static final int SNAPSHOT_WATCH = 6;
    /** The first snapshot version that holds the in-memory comparisons; version 3 is read without them. */
    public static final int SNAPSHOT_COMPARISONS = 4;
    /** The oldest snapshot version read. */
    public static final int SNAPSHOT_OLDEST = 2;
    /** The file that states the data directory's format. */
    public static final String FILE = "FORMAT";

    private static final String WORD = "ringmeter-data";
    /** A FORMAT file is one short line; more than this is not one. */
    private static final int MAX_FILE_BYTES = 256;
    private static final Pattern LINE = Pattern.compile(WORD + " ([0-9]{1,9})");

    private FormatVersion() {
    }

    /**
     * Reads the data directory's format, refusing a newer or unreadable one.
     *
     * @param dataDirectory the store's, existing.
     * @param journalDirectory the journal's directory in it.
     * @return the directory's format: {@link #DATA} for a fresh directory, {@link #DATA_WITHOUT_FILE} for one with
     * data and no FORMAT file.
     * @throws IllegalStateException naming the file, the format found and what to do, if this code cannot read it.
     */
    public static int openOrUpgrade(final Path dataDirectory, final Path journalDirectory) {
        final Path file = dataDirectory.resolve(FILE);
        final String text;
        try (java.io.InputStream in = Files.newInputStream(file)) {
            text = new String(in.readNBytes(MAX_FILE_BYTES), StandardCharsets.ISO_8859_1);
        } catch (final NoSuchFileException e) {
            return holdsData(dataDirectory, journalDirectory) ? DATA_WITHOUT_FILE : DATA;
        } catch (final IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
        final Matcher m = LINE.matcher(text.strip());
        if (!m.matches()) {
            final String shown = text.length() > 40 ? text.substring(0, 40) + "..." : text;
            throw new IllegalStateException("the data directory's format file " + file + " should read \"" + WORD
                + " <version>\" but reads \"" + shown.strip().replaceAll("\\p{Cntrl}", "?") + "\": it was damaged, or "
                + dataDirectory + " is not a Ringmeter data directory. If it is one, written by this version or an "
                + "older one, replace the file's content with the line \"" + WORD + " " + DATA + "\"");
        }
        final int version = Integer.parseInt(m.group(1));
        if (version > DATA) {
            throw new IllegalStateException("the data directory " + dataDirectory + " was written by a newer Ringmeter"
                + " (data format " + version + "; this version reads formats " + DATA_WITHOUT_FILE + " to " + DATA
                + "): open it with the version that wrote it or a newer one");
        }
        if (version < DATA_WITHOUT_FILE) {
            throw new IllegalStateException("the data directory's format file " + file + " states format " + version
                + ", which no Ringmeter wrote: replace its content with the line \"" + WORD + " " + DATA + "\"");
        }
        return version;
    }

    /**
     * States the current format in the data directory, atomically, if it states another (an upgrade) or none.
     *
     * @param dataDirectory the store's.
     * @param found         what {@link #openOrUpgrade} returned.
     */
    public static void write(final Path dataDirectory, final int found) {
        final Path file = dataDirectory.resolve(FILE);
        if (found == DATA && Files.exists(file)) {
            return;
        }
        final Path tmp = dataDirectory.resolve(FILE + ".tmp");
        try {
            Files.writeString(tmp, WORD + " " + DATA + "\n", StandardCharsets.UTF_8);
            try (FileChannel channel = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                channel.force(true);
            }
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (final IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
        if (found != DATA) {
            System.getLogger(FormatVersion.class.getName()).log(System.Logger.Level.INFO, "upgraded the data directory "
                + dataDirectory + " from format " + found + " to " + DATA + " (" + file + ")");
        }
    }

    private static boolean holdsData(final Path dataDirectory, final Path journalDirectory) {
        if (Files.exists(dataDirectory.resolve(Snapshot.FILE))) {
            return true;
        }
        final String[] names = journalDirectory.toFile().list((dir, name) -> name.endsWith(".cq4"));
        return names != null && names.length > 0;
    }
}
