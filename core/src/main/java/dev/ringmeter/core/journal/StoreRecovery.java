package dev.ringmeter.core.journal;

import dev.ringmeter.core.EmbeddedStore;
import dev.ringmeter.core.StoreConfig;
import dev.ringmeter.core.aggregate.Aggregates;
import dev.ringmeter.core.dictionary.Dictionary;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * What a store starts from. Without a data directory, an empty dictionary and aggregates ({@link #empty}). With one
 * ({@link #recover}): opens the {@link Journal}, loads the latest {@link Snapshot} into a new dictionary and
 * aggregates (if it is unusable, logs why and starts from empty ones, so that the whole journal is replayed),
 * replays the journal after the snapshot's position, and deletes the cycle files retention no longer needs.
 * <p>
 * Threading: runs on the thread that opens the store, before its consumers start; their threads are started after
 * it returns, which makes the recovered state visible to them.
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
        final Journal journal = new Journal(Journal.journalDirectory(dataDirectory), config);
        try {
            return recover(dataDirectory, config, journal, startNs);
        } catch (final RuntimeException | Error e) {
            journal.close();
            throw e;
        }
    }

    private static Recovered recover(final Path dataDirectory, final StoreConfig config, final Journal journal,
                                     final long startNs) {
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
        if (loaded.found() && loaded.journalIndex() > journal.lastIndex()) {
            LOG.log(System.Logger.Level.WARNING, "the snapshot is newer than the journal (journal files lost?); "
                + "starting from the snapshot");
        }
        final Aggregates target = a;
        final long[] replayed = journal.replay(loaded.found() ? loaded.journalIndex() : -1,
            target::recover, d);
        d.settle();
        final long snapshotJournalIndex = loaded.found() ? loaded.journalIndex() : -1;
        final EmbeddedStore.Recovery recovery = new EmbeddedStore.Recovery(loaded.found(), replayed[0],
            (System.nanoTime() - startNs) / 1_000_000);
        LOG.log(System.Logger.Level.INFO, "recovered " + dataDirectory + ": snapshot " + (loaded.found()
            ? "loaded" : "absent") + ", " + replayed[0] + " journal records replayed in "
            + recovery.millis() + " ms");
        journal.deleteExpiredCycles(snapshotJournalIndex);
        return new Recovered(journal, d, a, recovery, replayed[1], snapshotJournalIndex, loaded.writtenAtMs());
    }

    private static Dictionary newDictionary(final StoreConfig config) {
        return new Dictionary(config);
    }
}
