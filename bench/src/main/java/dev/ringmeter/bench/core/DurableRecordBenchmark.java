package dev.ringmeter.bench.core;

import dev.ringmeter.Event;
import dev.ringmeter.core.EmbeddedStore;
import dev.ringmeter.core.StoreConfig;
import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.queue.RollCycles;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueue;
import net.openhft.chronicle.queue.impl.single.SingleChronicleQueueBuilder;
import net.openhft.chronicle.wire.DocumentContext;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * Sustained durable ingestion: events recorded, journaled and aggregated (BLOCK policy, so nothing is dropped and
 * the throughput is what the store sustains end to end), beside an in-memory store and a raw Chronicle Queue
 * append loop of a record of the same size, in the same run. Run with {@code -t 1} and {@code -t 2}; the JVM
 * options of the root pom's {@code ringmeter.jvm.options} must be on the command line (forks inherit them).
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xms2g", "-Xmx2g"})
public class DurableRecordBenchmark {
    private static final String[] MODELS = {"gpt-4o", "claude-sonnet", "llama-3-70b", "mistral-large"};

    static Path tempDirectory(final String name) {
        try {
            return Files.createTempDirectory(name);
        } catch (final IOException e) {
            throw new IllegalStateException(e);
        }
    }

    static void deleteTree(final Path root) {
        try (Stream<Path> files = Files.walk(root)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (final IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @State(Scope.Benchmark)
    public static class DurableStore {
        /** The server's --fsync: an msync at the end of every batch, before its events are acknowledged. */
        @Param({"false", "true"})
        boolean journalSync;
        Path data;
        EmbeddedStore store;

        @Setup(Level.Trial)
        public void open() {
            data = tempDirectory("ringmeter-bench");
            store = EmbeddedStore.open(new StoreConfig().dataDirectory(data).ringSize(65536).shutdownHook(false)
                .fullRingPolicy(StoreConfig.FullRingPolicy.BLOCK).waitStrategy(StoreConfig.WaitStrategyKind.YIELDING)
                .journalBlockBytes(64L << 20).journalSync(journalSync));
        }

        @TearDown(Level.Iteration)
        public void drain() throws InterruptedException {
            store.flush(60, TimeUnit.SECONDS);
        }

        @TearDown(Level.Trial)
        public void close() {
            store.close();
            deleteTree(data);
        }
    }

    @State(Scope.Benchmark)
    public static class MemoryStore {
        EmbeddedStore store;

        @Setup(Level.Trial)
        public void open() {
            store = EmbeddedStore.open(new StoreConfig().ringSize(65536)
                .fullRingPolicy(StoreConfig.FullRingPolicy.BLOCK).waitStrategy(StoreConfig.WaitStrategyKind.YIELDING));
        }

        @TearDown(Level.Iteration)
        public void drain() throws InterruptedException {
            store.flush(60, TimeUnit.SECONDS);
        }

        @TearDown(Level.Trial)
        public void close() {
            store.close();
        }
    }

    /** A raw Chronicle Queue written by one thread: the ceiling of any journal on it. */
    @State(Scope.Thread)
    public static class RawQueue {
        Path data;
        SingleChronicleQueue queue;
        ExcerptAppender appender;
        long i;

        @Setup(Level.Trial)
        public void open() {
            data = tempDirectory("chronicle-bench");
            queue = SingleChronicleQueueBuilder.binary(data).rollCycle(RollCycles.FAST_HOURLY).blockSize(64L << 20)
                .build();
            appender = queue.createAppender();
        }

        @TearDown(Level.Trial)
        public void close() {
            appender.close();
            queue.close();
            deleteTree(data);
        }
    }

    @State(Scope.Thread)
    public static class Caller {
        final Event event = new Event();
        int i;

        Event next() {
            return event.reset().model(MODELS[i++ & 3]).latencyNs(1_234_567L).promptTokens(812)
                .completionTokens(245);
        }
    }

    @Benchmark
    public boolean durableRecord(final DurableStore s, final Caller c) {
        return s.store.record(c.next());
    }

    @Benchmark
    public boolean inMemoryRecord(final MemoryStore s, final Caller c) {
        return s.store.record(c.next());
    }

    /** Appends a record of the journal's event size (about 130 bytes) with the same write calls. */
    @Benchmark
    public long rawChronicleAppend(final RawQueue q) {
        try (DocumentContext dc = q.appender.writingDocument()) {
            final Bytes<?> b = dc.wire().bytes();
            b.writeByte((byte)1).writeByte((byte)1).writeLong(q.i++);
            for (int k = 0; k < 8; k++) {
                b.writeInt(k);
            }
            for (int k = 0; k < 5; k++) {
                b.writeLong(k);
            }
            b.writeByte((byte)0).writeByte((byte)0).writeInt(0).writeLong(0).writeLong(0).writeDouble(0.0)
                .writeByte((byte)0).writeByte((byte)0);
        }
        return q.i;
    }
}
