package dev.ringmeter.server.benchmark;

import dev.ringmeter.server.llmbench.BenchmarkProgress;
import dev.ringmeter.server.llmbench.BenchmarkResult;
import dev.ringmeter.server.llmbench.BenchmarkSink;
import dev.ringmeter.server.llmbench.BenchmarkSpec;
import dev.ringmeter.server.llmbench.LlmBenchmark;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The LLM benchmarks a server runs for its HTTP API: at most {@link #maxRunning()} at once (one more is refused with
 * {@link TooManyRunning}), and the results of at most {@link #maxKept()} finished ones, the oldest finished dropped
 * first. A benchmark that has ended is closed (its threads stopped) and only its result is kept.
 * {@link #close()} cancels the running ones and waits for their results, so their runs are finished (as cancelled)
 * before the store closes.
 * <p>
 * Threading: any request thread; one lock guards the table (no call under it waits for a benchmark).
 * Memory: at most {@code maxRunning + maxKept} entries; a finished one holds its {@link BenchmarkResult} (per cell
 * four HdrHistograms, at most {@link BenchmarkSpec#MAX_CELLS} cells), a running one its benchmark (see
 * {@link LlmBenchmark}).
 */
public final class LlmBenchmarks implements AutoCloseable {
    /** Benchmarks running at once by default: each drives its own load, which would skew the others'. */
    public static final int DEFAULT_MAX_RUNNING = 2;
    /** Finished benchmarks whose results are kept by default. */
    public static final int DEFAULT_MAX_KEPT = 16;

    /** Refusal: {@link #maxRunning()} benchmarks are running. */
    public static final class TooManyRunning extends RuntimeException {
        private static final long serialVersionUID = 1L;

        TooManyRunning(final String message) {
            super(message, null, false, false);
        }
    }

    /** One benchmark as the API shows it: its spec, its progress, and its result once it has ended. */
    public record Entry(String id, BenchmarkSpec spec, BenchmarkProgress progress, BenchmarkResult result) {
    }

    private static final class Slot {
        final BenchmarkSpec spec;
        LlmBenchmark running;
        BenchmarkProgress last;
        BenchmarkResult result;

        Slot(final BenchmarkSpec spec, final LlmBenchmark running) {
            this.spec = spec;
            this.running = running;
        }
    }

    private final int maxRunning;
    private final int maxKept;
    private final Supplier<BenchmarkSink> sinks;
    private final Map<String, Slot> slots = new LinkedHashMap<>();
    private boolean closed;

    /**
     * @param maxRunning benchmarks running at once, at least 1.
     * @param maxKept    finished benchmarks kept, at least 1.
     * @param sinks      the sink of a new benchmark (the server's store), asked when it starts.
     */
    public LlmBenchmarks(final int maxRunning, final int maxKept, final Supplier<BenchmarkSink> sinks) {
        if (maxRunning < 1 || maxKept < 1) {
            throw new IllegalArgumentException("at least one running and one kept benchmark");
        }
        this.maxRunning = maxRunning;
        this.maxKept = maxKept;
        this.sinks = sinks;
    }

    public int maxRunning() {
        return maxRunning;
    }

    public int maxKept() {
        return maxKept;
    }

    /**
     * Starts a benchmark.
     *
     * @param spec what to run.
     * @return it, running.
     * @throws TooManyRunning if {@link #maxRunning()} are running.
     * @throws dev.ringmeter.server.llmbench.BenchmarkSpecException if it cannot start (an API key variable unset).
     * @throws IllegalStateException if closed.
     */
    public synchronized Entry start(final BenchmarkSpec spec) {
        if (closed) {
            throw new IllegalStateException("the server is stopping");
        }
        reap();
        int running = 0;
        for (final Slot s : slots.values()) {
            running += s.running != null ? 1 : 0;
        }
        if (running >= maxRunning) {
            throw new TooManyRunning("at most " + maxRunning + " LLM benchmarks run at once; cancel one or wait for"
                + " one to end");
        }
        final LlmBenchmark b = LlmBenchmark.start(spec, sinks.get());
        slots.put(b.id(), new Slot(spec, b));
        dropOldestFinished();
        return entry(b.id(), slots.get(b.id()));
    }

    /** @return every benchmark kept, oldest first. */
    public synchronized List<Entry> list() {
        reap();
        final List<Entry> out = new ArrayList<>(slots.size());
        slots.forEach((id, s) -> out.add(entry(id, s)));
        return out;
    }

    /**
     * @param id a benchmark's id.
     * @return it, or null if unknown (or dropped).
     */
    public synchronized Entry get(final String id) {
        reap();
        final Slot s = slots.get(id);
        return s == null ? null : entry(id, s);
    }

    /**
     * Cancels a benchmark; what it measured is kept, its result marked cancelled.
     *
     * @param id a benchmark's id.
     * @return it, or null if unknown.
     */
    public Entry cancel(final String id) {
        final LlmBenchmark b;
        synchronized (this) {
            final Slot s = slots.get(id);
            if (s == null) {
                return null;
            }
            b = s.running;
        }
        if (b != null) {
            b.cancel();
        }
        return get(id);
    }

    /** Cancels the running benchmarks and waits for their ends (each at most its request timeout and a second). */
    @Override
    public void close() {
        final List<LlmBenchmark> running = new ArrayList<>();
        synchronized (this) {
            closed = true;
            for (final Slot s : slots.values()) {
                if (s.running != null) {
                    running.add(s.running);
                }
            }
        }
        for (final LlmBenchmark b : running) {
            b.close();
        }
    }

    /** Keeps the result of each benchmark that has ended and closes it. */
    private void reap() {
        for (final Slot s : slots.values()) {
            if (s.running == null) {
                continue;
            }
            final BenchmarkProgress p = s.running.progress();
            if (p.phase() == BenchmarkProgress.Phase.DONE) {
                try {
                    s.result = s.running.await(java.time.Duration.ZERO);
                } catch (final java.util.concurrent.TimeoutException | InterruptedException e) {
                    continue;   // ending right now: the next look keeps it
                } catch (final IllegalStateException e) {
                    s.result = null;
                }
                s.last = p;
                s.running.close();
                s.running = null;
            }
        }
    }

    private void dropOldestFinished() {
        int finished = 0;
        for (final Slot s : slots.values()) {
            finished += s.running == null ? 1 : 0;
        }
        for (final Iterator<Slot> it = slots.values().iterator(); it.hasNext() && finished > maxKept; ) {
            if (it.next().running == null) {
                it.remove();
                finished--;
            }
        }
    }

    private static Entry entry(final String id, final Slot s) {
        return new Entry(id, s.spec, s.running != null ? s.running.progress() : s.last, s.result);
    }
}
