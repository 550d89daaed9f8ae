package dev.ringmeter.core.journal;

import dev.ringmeter.core.EmbeddedStore;
import dev.ringmeter.core.StoreConfig;
import dev.ringmeter.core.aggregate.Aggregates;
import dev.ringmeter.core.aggregate.AggregatesImage;
import dev.ringmeter.core.cost.CostRecompute;
import dev.ringmeter.core.cost.RecomputeRequest;
import dev.ringmeter.core.dictionary.Dictionary;
import dev.ringmeter.core.ingest.EventSlot;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * What a store starts from. Without a data directory, an empty dictionary and aggregates ({@link #empty}). With one
 * ({@link #recover}): checks the directory's {@link FormatVersion}, salvages damaged cycle files and clears the
 * unfinished document a stopped writer left at the end of the last one ({@link JournalSalvage}: the one check of
 * each document's checksum at open; the replay trusts it), opens the
 * {@link Journal}, loads the latest {@link Snapshot} into a new dictionary and
 * aggregates (if it is unusable, logs why and starts from empty ones, so that the whole journal is replayed),
 * replays the journal after the snapshot's position (or after the last document kept of a salvaged cycle the
 * snapshot's position was in, then writing a snapshot at the new position), deletes the cycle files retention no
 * longer needs, and states the current format in the directory.
 * <p>
 * Threading: runs on the thread that opens the store, before its consumers start; their threads are started after
 * it returns, which makes the recovered state visible to them. The replay applies records on a thread of its own
 * ({@link Journal#replay}), joined before the replay returns.
 */
public final class StoreRecovery {
    private static final System.Logger LOG = System.getLogger(StoreRecovery.class.getName());

    /**
     * The state a store starts from.
     *
     * @param journal              opened on the data directory, or null without one.
     * @param dictionary           the store's strings, recovered.
     * @param aggregates           the store's aggregates, recovered.
     * @param recovery             how the store recovered, for {@link EmbeddedStore#recovery()}.
     * @param journalIndex         index of the last journal document in the aggregates, -1 for none.
     * @param snapshotJournalIndex index of the last journal document the loaded snapshot includes, -1 for none.
     * @param snapshotWrittenAtMs  when the loaded snapshot was written, epoch ms, 0 for none.
     */
    public record Recovered(Journal journal, Dictionary dictionary, Aggregates aggregates,
                            EmbeddedStore.Recovery recovery, long journalIndex, long snapshotJournalIndex,
                            long snapshotWrittenAtMs) {
    }

    private StoreRecovery() {
    }

    /**
     * @param config the store's, concluded.
     * @return the state of a store with nothing to recover: no journal, an empty dictionary and aggregates.
     */
    public static Recovered empty(final StoreConfig config) {
        final Dictionary dictionary = newDictionary(config);
        return new Recovered(null, dictionary, new Aggregates(config, dictionary),
            new EmbeddedStore.Recovery(false, 0, 0), -1, -1, 0);
    }

    /**
     * Opens the journal of a data directory (creating both if absent) and recovers the state it holds. If recovery
     * fails, the journal is closed again.
     *
     * @param dataDirectory the store's.
     * @param config        the store's, concluded.
     * @return the recovered state, with the open journal.
     * @throws UncheckedIOException if a directory cannot be created.
     */
    public static Recovered recover(final Path dataDirectory, final StoreConfig config) {
        final long startNs = System.nanoTime();
        try {
            Files.createDirectories(dataDirectory);
        } catch (final IOException e) {
            throw new UncheckedIOException("cannot create the data directory " + dataDirectory, e);
        }
        final Path journalDirectory = Journal.journalDirectory(dataDirectory);
        final int format = FormatVersion.openOrUpgrade(dataDirectory, journalDirectory);
        final List<JournalSalvage.Salvaged> salvaged = new ArrayList<>();
        final List<JournalSalvage.CycleWalk> walks = JournalSalvage.walkAll(journalDirectory, config);
        final int lastKept = lastKept(walks);
        for (int i = 0; i < walks.size(); i++) {
            if (walks.get(i).damage() != null) {
                salvaged.add(JournalSalvage.salvage(walks.get(i), i >= lastKept, dataDirectory, config));
            } else if (walks.get(i).unfinished() != null) {
                JournalSalvage.clearUnfinished(walks.get(i), config.journalSync());
            }
        }
        try {
            return recover(dataDirectory, config, journalDirectory, walks, lastKept, salvaged, format, startNs);
        } catch (final UndecodableJournalException | UncheckedIOException e) {
            throw e;
        } catch (final RuntimeException e) {
            throw new IllegalStateException("cannot read the journal in " + journalDirectory + " (" + e + "): a"
                + " cycle file (*.cq4) there is damaged in a way the check at open did not find. Move the damaged file"
                + " out of the directory (its events are then lost) and open the store again.", e);
        }
    }

    private static Recovered recover(final Path dataDirectory, final StoreConfig config, final Path journalDirectory,
                                     final List<JournalSalvage.CycleWalk> walks, final int lastKept,
                                     final List<JournalSalvage.Salvaged> salvaged, final int format,
                                     final long startNs) {
        Journal journal = new Journal(journalDirectory, config);
        try {
            final List<JournalSalvage.CycleWalk> misindexed = misindexed(journal, walks);
            if (!misindexed.isEmpty()) {
                journal.close();
                for (final JournalSalvage.CycleWalk walk : misindexed) {
                    final boolean last = lastKept >= 0 && walk.file().equals(walks.get(lastKept).file());
                    salvaged.add(JournalSalvage.salvage(walk, last, dataDirectory, config));
                }
                journal = new Journal(journalDirectory, config);
            }
            final Recovered recovered = recover(dataDirectory, config, journal, salvaged, startNs);
            FormatVersion.write(dataDirectory, format);
            return recovered;
        } catch (final RuntimeException | Error e) {
            journal.close();
            throw e;
        }
    }

    /**
     * @return the position of the last cycle file that keeps documents (a salvaged one with none is moved, an
     * unfinished one removed), or -1.
     */
    private static int lastKept(final List<JournalSalvage.CycleWalk> walks) {
        for (int i = walks.size() - 1; i >= 0; i--) {
            if (walks.get(i).damage() == null && !walks.get(i).unfinishedFile() || walks.get(i).documents() > 0) {
                return i;
            }
        }
        return -1;
    }

    /** @return the walks of whole cycle files whose Chronicle index does not agree with the walk, marked damaged. */
    private static List<JournalSalvage.CycleWalk> misindexed(final Journal journal,
                                                              final List<JournalSalvage.CycleWalk> walks) {
        final List<JournalSalvage.CycleWalk> misindexed = new ArrayList<>();
        for (final JournalSalvage.CycleWalk walk : walks) {
            if (walk.damage() == null) {
                final String mismatch = journal.indexMismatch(walk);
                if (mismatch != null) {
                    misindexed.add(walk.damaged(mismatch));
                }
            }
        }
        return misindexed;
    }

    /**
     * The journal position replay starts after. A snapshot whose position lies past the documents kept of a
     * salvaged cycle holds the effect of documents now lost: it keeps it, and replay starts after the kept ones (the
     * position just before the cycle's next document), so the documents appended there next are replayed, not
     * skipped as if the snapshot held them.
     */
    private static long replayAfter(final Journal journal, final Snapshot.Loaded loaded,
                                    final List<JournalSalvage.Salvaged> salvaged) {
        long after = loaded.found() ? loaded.journalIndex() : -1;
        for (final JournalSalvage.Salvaged s : salvaged) {
            if (after >= 0 && journal.rollCycle().toCycle(after) == s.cycle()
                && journal.rollCycle().toSequenceNumber(after) >= s.keptDocuments()) {
                final long moved = journal.rollCycle().toIndex(s.cycle(), s.keptDocuments()) - 1;
                LOG.log(System.Logger.Level.WARNING, "the snapshot includes journal documents up to "
                    + Long.toHexString(after) + ", lost with the damaged cycle file: it keeps their effect, and the "
                    + "journal is replayed after " + Long.toHexString(moved) + ", the last document kept");
                after = moved;
            }
        }
        return after;
    }

    private static Recovered recover(final Path dataDirectory, final StoreConfig config, final Journal journal,
                                     final List<JournalSalvage.Salvaged> salvaged, final long startNs) {
        Dictionary d = newDictionary(config);
        Aggregates a = new Aggregates(config, d);
        Snapshot.Loaded loaded;
        try {
            loaded = Snapshot.load(dataDirectory, config, d, a);
        } catch (final IOException | RuntimeException e) {
            LOG.log(System.Logger.Level.WARNING, "ignoring the snapshot in " + dataDirectory + " ("
                + e.getMessage() + "); replaying the whole journal");
            d = newDictionary(config);
            a = new Aggregates(config, d);
            loaded = Snapshot.Loaded.NONE;
        }
        final Aggregates target = a;
        final long after = replayAfter(journal, loaded, salvaged);
        if (loaded.found() && after > journal.lastIndex()) {
            LOG.log(System.Logger.Level.WARNING, "the snapshot is newer than the journal (journal files lost?); "
                + "starting from the snapshot");
        }
        // the check at open (JournalSalvage.walkAll) verified the checksum of every document the journal holds
        final long[] replayed = replay(journal, config, d, target, after, Journal.replayInParallel(), true);
        d.settle();
        long snapshotJournalIndex = loaded.found() ? loaded.journalIndex() : -1;
        long snapshotWrittenAtMs = loaded.writtenAtMs();
        if (after != snapshotJournalIndex) {
            // the snapshot's position must be one the journal holds before the next restart: its next documents
            // take indexes the old position would skip
            final AggregatesImage image = a.newImage();
            a.capture(image);   // before the store starts: nothing changes meanwhile
            try {
                Snapshot.write(dataDirectory, config, d, image, replayed[1]);
            } catch (final IOException e) {
                throw new UncheckedIOException("cannot write the snapshot of the state recovered around a damaged "
                    + "journal file into " + dataDirectory + "; the store does not open without it", e);
            } finally {
                image.release();
            }
            snapshotJournalIndex = replayed[1];
            snapshotWrittenAtMs = config.clock().time();
        }
        final EmbeddedStore.Recovery recovery = new EmbeddedStore.Recovery(loaded.found(), replayed[0],
            (System.nanoTime() - startNs) / 1_000_000);
        LOG.log(System.Logger.Level.INFO, "recovered " + dataDirectory + ": snapshot " + (loaded.found()
            ? "loaded" : "absent") + ", " + replayed[0] + " journal records replayed in "
            + recovery.millis() + " ms");
        journal.deleteExpiredCycles(snapshotJournalIndex);
        return new Recovered(journal, d, a, recovery, replayed[1], snapshotJournalIndex, snapshotWrittenAtMs);
    }

    /**
     * Applies the journal's records after a position to a dictionary and aggregates.
     *
     * @param after    index of the last document the aggregates include, -1 for none.
     * @param parallel whether records are applied on a thread of their own while the next are decoded.
     * @return {records read, index of the last document read} ({@link Journal#replay}).
     */
    static long[] replay(final Journal journal, final StoreConfig config, final Dictionary names,
                         final Aggregates target, final long after, final boolean parallel) {
        return replay(journal, config, names, target, after, parallel, false);
    }

    /**
     * @param verified whether the check at open verified the checksum of every document the journal holds, so that
     *                 the replay does not compute them again.
     */
    private static long[] replay(final Journal journal, final StoreConfig config, final Dictionary names,
                                 final Aggregates target, final long after, final boolean parallel,
                                 final boolean verified) {
        final EventSlot change = new EventSlot();
        return journal.replay(after, record -> {
            target.recover(record);
            if (record.kind == EventSlot.KIND_RECOMPUTE) {
                replayRecompute(journal, config, names, target, record, change);
            }
        }, names, parallel, verified);
    }

    /**
     * Replays a recompute: its cost changes were sent to the aggregates through the ring, never journaled, so a
     * restart from a snapshot before it (the aggregate thread takes none while a recompute's changes are coming)
     * computes them again from the same journal, with the same result ({@link CostRecompute}).
     */
    private static void replayRecompute(final Journal journal, final StoreConfig config, final Dictionary dictionary,
                                        final Aggregates aggregates, final EventSlot record, final EventSlot change) {
        final RecomputeRequest request = record.recompute;
        request.journalIndex(record.journalIndex);
        final CostRecompute.Report report = CostRecompute.run(aggregates.prices(), request,
            (from, to, before, visitor) -> RecomputeScan.scan(journal, config, dictionary, from, to, before,
                visitor::onEvent),
            (event, deltaUsd, costCountDelta) -> {
                change.fillCostChange(event, deltaUsd, costCountDelta);
                aggregates.recover(change);
            });
        LOG.log(System.Logger.Level.INFO, "replayed the recompute of costs in journal document "
            + Long.toHexString(record.journalIndex) + ": " + report);
    }

    private static Dictionary newDictionary(final StoreConfig config) {
        return new Dictionary(config);
    }
}
