package dev.ringmeter.core.journal;

import dev.ringmeter.core.StoreConfig;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Verifies a data directory without opening a store and without changing a byte of it: the FORMAT file
 * ({@link FormatVersion#openOrUpgrade}, whose refusal is the finding), the snapshot's frame ({@link Snapshot#damage})
 * and every journal cycle file as a store that opens it would ({@link JournalSalvage#walkAll}: each document's
 * checksum and Chronicle's header and index arrays, {@link CycleIndexCheck}). What a store would salvage at open is
 * a problem here; the unfinished document a killed writer left at the end of the last cycle is not (a store clears
 * it at open, and it was never acknowledged), and is reported as a note.
 * <p>
 * Threading: one call on one thread, holding the data directory lock ({@link DataDirectoryLock}) so no store
 * writes the files meanwhile. Memory: a walk keeps two numbers per journal document of one cycle file at a time.
 */
public final class DataDirectoryCheck {
    /**
     * One thing found.
     *
     * @param file    the file it concerns.
     * @param problem whether it is damage (true) or only worth knowing (false).
     * @param what    what is wrong or worth knowing, and what a store does about it.
     */
    public record Finding(Path file, boolean problem, String what) {
    }

    /**
     * What the check found.
     *
     * @param cycleFiles the journal cycle files walked.
     * @param documents  their readable documents.
     * @param findings   problems and notes, in the order found.
     */
    public record Report(int cycleFiles, long documents, List<Finding> findings) {
        /** @return whether anything is damaged. */
        public boolean damaged() {
            return findings.stream().anyMatch(Finding::problem);
        }
    }

    private DataDirectoryCheck() {
    }

    /**
     * @param dataDirectory an existing data directory, locked by the caller.
     * @param config        a store's configuration: its journal block size and roll cycle are the ones the walk
     *                      reads with.
     * @return what was found.
     */
    public static Report run(final Path dataDirectory, final StoreConfig config) {
        final List<Finding> findings = new ArrayList<>();
        final Path journalDirectory = Journal.journalDirectory(dataDirectory);
        try {
            final int format = FormatVersion.openOrUpgrade(dataDirectory, journalDirectory);
            if (format != FormatVersion.DATA) {
                findings.add(new Finding(dataDirectory.resolve(FormatVersion.FILE), false, "data format " + format
                    + ": the next store that opens the directory upgrades it to " + FormatVersion.DATA));
            }
        } catch (final RuntimeException e) {
            findings.add(new Finding(dataDirectory.resolve(FormatVersion.FILE), true, e.getMessage()));
        }
        final String snapshot = Snapshot.damage(dataDirectory);
        if (snapshot != null) {
            findings.add(new Finding(dataDirectory.resolve(Snapshot.FILE), true, snapshot + ": a store that opens the"
                + " directory ignores it and replays the whole journal"));
        }
        int cycleFiles = 0;
        long documents = 0;
        if (Files.isDirectory(journalDirectory)) {
            final List<JournalSalvage.CycleWalk> walks = JournalSalvage.walkAll(journalDirectory, config);
            for (final JournalSalvage.CycleWalk walk : walks) {
                cycleFiles++;
                documents += walk.documents();
                if (walk.damage() != null) {
                    findings.add(new Finding(walk.file(), true, walk.damage() + "; " + walk.documents()
                        + " documents before it are readable: a store that opens the directory keeps them and moves"
                        + " the file to " + JournalSalvage.DAMAGED_DIRECTORY + "/"));
                } else if (walk.unfinished() != null) {
                    findings.add(new Finding(walk.file(), false, "ends with a document a stopped writer left"
                        + " unfinished (never acknowledged); a store clears it at open"));
                }
            }
        }
        final Path damaged = dataDirectory.resolve(JournalSalvage.DAMAGED_DIRECTORY);
        if (Files.isDirectory(damaged)) {
            findings.add(new Finding(damaged, false, "holds cycle files a store moved aside earlier"));
        }
        return new Report(cycleFiles, documents, List.copyOf(findings));
    }
}
