package dev.ringmeter.core;

import dev.ringmeter.core.journal.JournalScan;
import dev.ringmeter.core.query.WindowStats;
import dev.ringmeter.core.test.ChildJvm;
import org.agrona.concurrent.CachedEpochClock;
import org.agrona.concurrent.EpochClock;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.LongStream;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Kills a child JVM with SIGKILL at a random moment while several producers record into it, and checks the store
 * it leaves: every acknowledged event is there exactly once, under its own names (task, run, model, tag), and
 * nothing is there that was not recorded. Each round draws its kill point from its own seed (printed on failure),
 * so a failing round can be replayed alone with {@code -Dringmeter.crash.seed=S -Dringmeter.crash.rounds=1}.
 * The rounds default to 20; {@code bench/scripts/crash-rounds.sh} runs many more.
 */
@Tag("slow")
class RandomCrashTest {
    private static final int PRODUCERS = 4;
    private static final int PER_PRODUCER = 12_000;
    private static final int ACK_EVERY = 250;

    @TempDir
    Path dir;

    static StoreConfig config(final Path data, final EpochClock clock) {
        return new StoreConfig().dataDirectory(data).clock(clock).shutdownHook(false)
            .fullRingPolicy(StoreConfig.FullRingPolicy.BLOCK).journalBlockBytes(1 << 20)
            .journalRetentionMs(TimeUnit.DAYS.toMillis(30)).snapshotIntervalMs(300_000)
            // a minute of store time, a few milliseconds of the child's: runs, tasks and tags go idle, give their
            // ids back and see them reused while the child records, and across its journal cycles
            .dictionaryIdleMs(60_000);
    }

    static LongStream seeds() {
        final long base = Long.getLong("ringmeter.crash.seed", System.nanoTime());
        return LongStream.range(0, Integer.getInteger("ringmeter.crash.rounds", 20)).map(i -> base + i);
    }

    @ParameterizedTest(name = "seed {0}")
    @MethodSource("seeds")
    @Timeout(120)
    void shouldKeepEveryAcknowledgedEventUnderItsOwnNamesAfterKillAtRandom(final long seed) throws Exception {
        final SplittableRandom random = new SplittableRandom(seed);
        final int totalAcks = PRODUCERS * (PER_PRODUCER / ACK_EVERY);
        final int killAfterAcks = 1 + random.nextInt(totalAcks - 1);
        final Path data = dir.resolve("data");
        final Process child = new ProcessBuilder(ChildJvm.command(RandomCrashChild.class, data.toString(),
            Integer.toString(PRODUCERS), Integer.toString(PER_PRODUCER), Integer.toString(ACK_EVERY)))
            .redirectError(new File(dir.toFile(), "child.err")).start();
        final int[] acked = new int[PRODUCERS];
        int acks = 0;
        try (BufferedReader out = new BufferedReader(new InputStreamReader(child.getInputStream(),
            StandardCharsets.UTF_8))) {
            String line;
            while ((line = out.readLine()) != null) {
                if (line.equals("DONE")) {
                    if (acks < killAfterAcks) {
                        throw new AssertionError("seed " + seed + ": the child finished before the kill");
                    }
                    continue;   // it finished after the ack the kill follows, before the kill landed
                }
                final String[] words = line.split(" ");
                if (words.length != 3 || !words[0].equals("ACK")) {
                    throw new AssertionError("seed " + seed + ": the child said " + line + "; "
                        + Files.readString(dir.resolve("child.err")));
                }
                final int p = Integer.parseInt(words[1]);
                acked[p] = Math.max(acked[p], Integer.parseInt(words[2]));
                if (++acks == killAfterAcks) {
                    // SIGKILL through the handle, which leaves the pipe open: what the child printed before it died
                    // is read on to its end
                    child.toHandle().destroyForcibly();
                }
            }
        } finally {
            child.destroyForcibly();
            assertTrue(child.waitFor(30, TimeUnit.SECONDS), "the child is gone");
        }

        final CachedEpochClock clock = new CachedEpochClock();
        clock.update(RandomCrashChild.T0 + TimeUnit.HOURS.toMillis(12));
        try (EmbeddedStore store = EmbeddedStore.open(config(data, clock))) {
            // what a kill leaves is the unfinished tail of the last cycle, not damage: no file is salvaged
            assertFalse(Files.exists(data.resolve("journal-damaged")), "seed " + seed + ": no journal file taken as"
                + " damaged after a crash: " + list(data.resolve("journal-damaged")));
            final Map<String, Integer> tasks = new HashMap<>();
            final Map<String, Integer> runs = new HashMap<>();
            new JournalScan(store).forEach(e -> {
                final String[] parts = e.task().split("-");
                assertEquals(3, parts.length, "seed " + seed + ": a task nobody recorded: " + e.task());
                final int p = Integer.parseInt(parts[1]);
                final int i = Integer.parseInt(parts[2]);
                assertEquals(i + 1, e.promptTokens(), "seed " + seed + ": " + e.task() + " is its own event");
                assertEquals(p + 1, e.completionTokens(), "seed " + seed + ": " + e.task() + " is its producer's");
                assertEquals(RandomCrashChild.run(p, i), e.run(), "seed " + seed + ": " + e.task() + "'s run");
                assertEquals(RandomCrashChild.MODELS[(p + i) % RandomCrashChild.MODELS.length], e.model(),
                    "seed " + seed + ": " + e.task() + "'s model");
                assertEquals("p" + p, e.tagValue(0), "seed " + seed + ": " + e.task() + "'s producer tag");
                tasks.merge(e.task(), 1, Integer::sum);
                runs.merge(e.run(), 1, Integer::sum);
            });
            final int[] present = new int[PRODUCERS];
            for (final Map.Entry<String, Integer> task : tasks.entrySet()) {
                assertEquals(1, task.getValue(), "seed " + seed + ": " + task.getKey() + " is there once");
                present[Integer.parseInt(task.getKey().split("-")[1])]++;
            }
            for (int p = 0; p < PRODUCERS; p++) {
                for (int i = 0; i < acked[p]; i++) {
                    assertTrue(tasks.containsKey(RandomCrashChild.task(p, i)),
                        "seed " + seed + ": acknowledged " + RandomCrashChild.task(p, i) + " is lost");
                }
                assertTrue(present[p] <= PER_PRODUCER, "seed " + seed + ": no more than were recorded");
            }
            assertNamesOfRuns(store, seed, runs);
            assertNamesOfModelsAndTags(store, seed, tasks.size());
        }
    }

    /** @return the names of a directory's files, for a message. */
    private static String list(final Path directory) throws IOException {
        if (!Files.isDirectory(directory)) {
            return "none";
        }
        try (Stream<Path> files = Files.list(directory)) {
            return files.map(f -> f.getFileName().toString()).sorted().toList().toString();
        }
    }

    /** Group-by run through the scan's own names agrees with the runs of the events visited one by one. */
    private static void assertNamesOfRuns(final EmbeddedStore store, final long seed,
                                          final Map<String, Integer> expected) {
        final Map<String, WindowStats> runs = new JournalScan(store).groupBy(JournalScan.GroupBy.RUN)
            .limit(JournalScan.MAX_LIMIT).run();
        assertEquals(expected.keySet(), runs.keySet(), "seed " + seed + ": the runs are the tasks' runs");
        for (final Map.Entry<String, WindowStats> run : runs.entrySet()) {
            assertEquals(expected.get(run.getKey()).longValue(), run.getValue().count(),
                "seed " + seed + ": " + run.getKey() + " holds its own tasks");
        }
    }

    /** The live aggregates agree with the journal, per model, and the producer tag names each producer's events. */
    private static void assertNamesOfModelsAndTags(final EmbeddedStore store, final long seed, final long events) {
        final long from = RandomCrashChild.T0 - 1;
        final long to = store.config().clock().time() + 1;
        long inAggregates = 0;
        for (final String model : store.aggregates().models()) {
            final Map<String, WindowStats> scanned = new JournalScan(store)
                .where(dev.ringmeter.core.dictionary.Dimension.MODEL, model).run();
            final long inJournal = scanned.isEmpty() ? 0 : scanned.get("all").count();
            final long live = store.aggregates().window(model, from, to, new WindowStats()).count();
            assertEquals(inJournal, live, "seed " + seed + ": " + model + " in the aggregates and the journal");
            inAggregates += live;
        }
        assertEquals(events, inAggregates, "seed " + seed + ": every event in the aggregates once");
        final Map<String, WindowStats> byProducer = new JournalScan(store).groupByTag("producer").run();
        for (final Map.Entry<String, WindowStats> group : byProducer.entrySet()) {
            final long p = Long.parseLong(group.getKey().substring(1));
            final double completion = group.getValue().completionTokens();
            assertEquals((p + 1) * group.getValue().count(), completion,
                "seed " + seed + ": tag " + group.getKey() + " names producer " + p + "'s events only");
        }
    }
}
