package dev.ringmeter.bench.client;

import dev.ringmeter.Event;
import dev.ringmeter.remote.RemoteConfig;
import dev.ringmeter.remote.RemoteRecorder;

import java.util.concurrent.TimeUnit;

/**
 * The sustained events/s one {@link RemoteRecorder} delivers to a running server: one thread records as fast as
 * it can for the given seconds (what the ring refuses is counted as dropped), then flushes; the rate is what the
 * server acknowledged (202, journaled) per second of the run.
 * <p>
 * Run against a server on loopback: {@code java -cp bench/target/benchmarks.jar
 * dev.ringmeter.bench.client.RemoteThroughputReport http://127.0.0.1:8080 [seconds] [batchSize...]}
 * (defaults 10 s, batches of 1000 and 5000).
 */
public final class RemoteThroughputReport {
    private RemoteThroughputReport() {
    }

    public static void main(final String[] args) throws Exception {
        final String url = args.length > 0 ? args[0] : "http://127.0.0.1:8080";
        if (!url.startsWith("http://127.0.0.1:")) {
            throw new IllegalArgumentException("only a server on 127.0.0.1 is measured: " + url);
        }
        final int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 10;
        final int[] batches = args.length > 2 ? new int[args.length - 2] : new int[] {1000, 5000};
        for (int i = 2; i < args.length; i++) {
            batches[i - 2] = Integer.parseInt(args[i]);
        }
        for (final int batch : batches) {
            run(url, seconds, batch);
        }
    }

    private static void run(final String url, final int seconds, final int batch) throws InterruptedException {
        final String[] models = {"gpt-4o", "claude-sonnet", "llama-3-70b", "mistral-large"};
        try (RemoteRecorder recorder = new RemoteRecorder(new RemoteConfig().uri(url).batchSize(batch)
            .maxBatchBytes(Math.max(1 << 20, batch * 400)).conclude())) {
            final Event e = new Event();
            final long start = System.nanoTime();
            final long end = start + TimeUnit.SECONDS.toNanos(seconds);
            long i = 0;
            while (System.nanoTime() < end) {
                for (int k = 0; k < 1000; k++, i++) {
                    recorder.record(e.reset().model(models[(int)(i & 3)]).latencyNs(1_234_567L).promptTokens(812)
                        .completionTokens(245));
                }
            }
            final boolean flushed = recorder.flush(60, TimeUnit.SECONDS);
            final double elapsed = (System.nanoTime() - start) / 1e9;
            final RemoteRecorder.Stats s = recorder.stats();
            System.out.printf("batch %,d: %,.0f events/s acknowledged over %.1f s (recorded %,d, acknowledged %,d, "
                    + "dropped %,d, rejected %,d, retried %,d, requests %,d, flushed %s)%n", batch,
                s.acknowledged() / elapsed, elapsed, s.recorded(), s.acknowledged(), s.dropped(), s.rejected(),
                s.retried(), s.batches(), flushed);
        }
    }
}
