package dev.ringmeter.examples.remote;

import dev.ringmeter.CallTimer;
import dev.ringmeter.EventRecorder;
import dev.ringmeter.Ringmeter;
import dev.ringmeter.remote.RemoteRecorder;

import java.io.PrintStream;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A service that times its model calls with a {@link CallTimer} and records them to the recorder its first argument
 * names, chosen by configuration alone ({@link Ringmeter#open(String)}): {@code http://127.0.0.1:8080} (the default;
 * start the server first), or {@code mem:} / {@code file:./data} when ringmeter-core is on the classpath.
 * <pre>
 * mvn -B -q -pl client test-compile exec:java@example-service -Dexec.args="http://127.0.0.1:8080 2000"
 * </pre>
 * Compiled by the build (client/src/examples), so it cannot drift from the API.
 */
public final class ExampleService {
    private static final String[] MODELS = {"gpt-4o", "claude-sonnet", "llama-3-70b"};

    private ExampleService() {
    }

    public static void main(final String[] args) throws Exception {
        final String uri = args.length > 0 ? args[0] : "http://127.0.0.1:8080";
        final int calls = args.length > 1 ? Integer.parseInt(args[1]) : 2_000;
        if (!run(uri, calls, 4, System.out)) {
            System.exit(1);
        }
    }

    /**
     * @param uri     of the recorder.
     * @param calls   model calls to simulate, over all threads.
     * @param threads worker threads.
     * @param out     where to print the summary.
     * @return true if every recorded call was acknowledged.
     * @throws InterruptedException if interrupted.
     */
    public static boolean run(final String uri, final int calls, final int threads, final PrintStream out)
        throws InterruptedException {
        final AtomicLong failures = new AtomicLong();
        final AtomicLong notRecorded = new AtomicLong();
        final long startNs = System.nanoTime();
        try (EventRecorder recorder = Ringmeter.open(uri)) {
            final CallTimer timer = new CallTimer(recorder);           // shared; each thread reuses its timings
            final Thread[] workers = new Thread[threads];
            for (int w = 0; w < threads; w++) {
                final int perThread = calls / threads + (w < calls % threads ? 1 : 0);
                workers[w] = new Thread(() -> {
                    for (int i = 0; i < perThread; i++) {
                        final String model = MODELS[ThreadLocalRandom.current().nextInt(MODELS.length)];
                        final CallTimer.Timing t = timer.start(model).operation("chat").pipeline("support-bot", "answer");
                        try {
                            fakeModelCall(t);
                        } catch (final Exception e) {
                            t.error(e);                                 // status and errorType from the exception
                            failures.incrementAndGet();
                        } finally {
                            if (!t.stop()) {                            // records latency and status
                                notRecorded.incrementAndGet();          // the recorder's buffer was full
                            }
                        }
                    }
                }, "worker-" + w);
                workers[w].start();
            }
            for (final Thread w : workers) {
                w.join();
            }
            final boolean acknowledged = recorder.flush(30, TimeUnit.SECONDS);
            final long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNs);
            out.printf("recorder      %s%n", uri.replaceAll("([?&]token=)[^&#]*", "$1***"));
            out.printf("calls         %d in %d ms on %d threads (%d failed, %d not recorded: buffer full)%n",
                calls, ms, threads, failures.get(), notRecorded.get());
            out.printf("acknowledged  %s%n", acknowledged ? "all" : "NOT ALL (see below)");
            if (recorder instanceof RemoteRecorder) {
                out.printf("client stats  %s%n", ((RemoteRecorder)recorder).stats());
                out.printf("then ask:     curl -s '%s/api/v1/analytics?window=5m'%n",
                    uri.replaceAll("\\?.*$", ""));
            }
            return acknowledged && notRecorded.get() == 0;
        }
    }

    /** A stand-in for a model call: a few milliseconds, random token counts, now and then a failure. */
    private static void fakeModelCall(final CallTimer.Timing t) throws Exception {
        final ThreadLocalRandom random = ThreadLocalRandom.current();
        Thread.sleep(1 + random.nextInt(3));
        t.firstToken();
        Thread.sleep(random.nextInt(3));
        final int roll = random.nextInt(100);
        if (roll < 2) {
            throw new TimeoutException("upstream did not answer");
        }
        if (roll < 5) {
            throw new IllegalStateException("rate limited");
        }
        t.tokens(200 + random.nextInt(1_000), 50 + random.nextInt(400));
    }
}
