package dev.ringmeter.core;

import dev.ringmeter.Event;
import org.agrona.concurrent.CachedEpochClock;

import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * The process {@link RandomCrashTest} kills. Several producer threads record events whose names say exactly what
 * each event is (task {@code task-P-I} is producer P's event I, in run {@code run-P-(I/RUN_SIZE)}, with I + 1
 * prompt tokens and P + 1 completion tokens), while a ticker moves the store clock ten seconds per millisecond so
 * that journal cycles roll, snapshots are taken and idle dictionary values are let go during the run. After
 * every flush that returns true a producer prints {@code ACK P N}: its first N events are acknowledged.
 */
public final class RandomCrashChild {
    static final long T0 = 1_760_000_400_000L;
    static final int RUN_SIZE = 20;
    static final String[] MODELS = {"gpt-4o", "claude-sonnet", "llama-3-70b"};

    private RandomCrashChild() {
    }

    public static void main(final String[] args) throws Exception {
        final Path data = Path.of(args[0]);
        final int producers = Integer.parseInt(args[1]);
        final int perProducer = Integer.parseInt(args[2]);
        final int ackEvery = Integer.parseInt(args[3]);
        final CachedEpochClock clock = new CachedEpochClock();
        clock.update(T0);
        final EmbeddedStore store = EmbeddedStore.open(RandomCrashTest.config(data, clock));
        final Thread ticker = new Thread(() -> {
            while (true) {
                clock.advance(10_000);
                try {
                    Thread.sleep(1);
                } catch (final InterruptedException e) {
                    return;
                }
            }
        }, "ticker");
        ticker.setDaemon(true);
        ticker.start();
        final Thread[] threads = new Thread[producers];
        for (int p = 0; p < producers; p++) {
            final int producer = p;
            threads[p] = new Thread(() -> produce(store, producer, perProducer, ackEvery), "producer-" + p);
            threads[p].start();
        }
        for (final Thread t : threads) {
            t.join();
        }
        System.out.println("DONE");
        System.out.flush();
        Thread.sleep(Long.MAX_VALUE);
    }

    private static void produce(final EmbeddedStore store, final int p, final int perProducer, final int ackEvery) {
        final Event e = new Event();
        for (int i = 0; i < perProducer; i++) {
            e.reset().model(MODELS[(p + i) % MODELS.length]).operation("chat").run(run(p, i)).task(task(p, i))
                .latencyMs(1 + i % 500).promptTokens(i + 1).completionTokens(p + 1).tag("producer", "p" + p);
            if (!store.record(e)) {
                System.out.println("REFUSED " + p + " " + i);
                System.exit(3);
            }
            if ((i + 1) % ackEvery == 0 || i + 1 == perProducer) {
                try {
                    if (!store.flush(30, TimeUnit.SECONDS)) {
                        System.out.println("FLUSH FAILED");
                        System.exit(2);
                    }
                } catch (final InterruptedException ex) {
                    return;
                }
                synchronized (System.out) {
                    System.out.println("ACK " + p + " " + (i + 1));
                    System.out.flush();
                }
            }
        }
    }

    static String run(final int p, final int i) {
        return "run-" + p + "-" + i / RUN_SIZE;
    }

    static String task(final int p, final int i) {
        return "task-" + p + "-" + i;
    }
}
