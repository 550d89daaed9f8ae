package dev.ringmeter.bench.core;

import com.sun.net.httpserver.HttpServer;
import dev.ringmeter.core.watch.alert.DeliveryListener;
import dev.ringmeter.core.watch.alert.DeliverySettings;
import dev.ringmeter.core.watch.alert.Notice;
import dev.ringmeter.core.watch.alert.NoticeDispatcher;
import dev.ringmeter.core.watch.alert.Severity;
import dev.ringmeter.core.watch.alert.Target;
import dev.ringmeter.core.watch.alert.TargetKind;

import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * Measures the heap a {@link NoticeDispatcher} holds per pending delivery: N notices (three labels, a summary of
 * about 60 characters, a generator URL) submitted to a webhook that never answers, so the first is in flight and
 * the rest wait in its lane; heap used after full GCs, less the heap before, divided by N. docs/alerts.md quotes it
 * for the {@code maxPending} bound.
 * <p>
 * Run: {@code java -Xmx1g -cp bench/target/benchmarks.jar dev.ringmeter.bench.core.NoticeFootprintReport [N ...]}
 * (N defaults to 1000 10000).
 */
public final class NoticeFootprintReport {
    private NoticeFootprintReport() {
    }

    public static void main(final String[] args) throws Exception {
        final int[] counts = args.length == 0 ? new int[] {1_000, 10_000}
            : java.util.Arrays.stream(args).mapToInt(Integer::parseInt).toArray();
        final CountDownLatch never = new CountDownLatch(1);
        final HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", exchange -> {
            try {
                never.await(1, TimeUnit.HOURS);
            } catch (final InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            exchange.close();
        });
        server.setExecutor(Executors.newCachedThreadPool());
        server.start();
        final Target target = new Target(TargetKind.WEBHOOK, "http://127.0.0.1:" + server.getAddress().getPort() + "/");
        final DeliveryListener quiet = new DeliveryListener() {
            @Override
            public void delivered(final long deliveryId) {
            }

            @Override
            public void abandoned(final long deliveryId, final String reason) {
            }
        };
        System.out.println("pending  heap_delta_bytes  bytes_per_delivery");
        for (final int n : counts) {
            final long before = usedAfterGc();
            try (NoticeDispatcher d = new NoticeDispatcher(DeliverySettings.DEFAULTS.withMaxPending(n)
                .withTimeouts(60_000, 3_600_000), quiet)) {
                for (int i = 0; i < n; i++) {
                    d.submit(i, notice(i), target);
                }
                final long after = usedAfterGc();
                System.out.printf("%7d  %16d  %18d%n", n, after - before, (after - before) / n);
            }
        }
        never.countDown();
        server.stop(0);
        System.exit(0);
    }

    private static Notice notice(final int i) {
        final Map<String, String> labels = new LinkedHashMap<>();
        labels.put("model", "gpt-4o-" + i % 50);
        labels.put("metric", "p95");
        labels.put("scope", "model");
        final long start = 1_764_435_600_000L + i * 60_000L;
        return new Notice("r-" + i % 1_000 + ":" + start + ":firing:critical", "r-" + i % 1_000,
            "p95 latency of gpt-4o-" + i % 50, Severity.CRITICAL, true, labels,
            "p95 of gpt-4o-" + i % 50 + " is " + (2_000 + i % 997) + " ms (critical above 2000 ms)",
            2_000 + i % 997, 2_000, start, 0, "http://ringmeter:8080/api/v1/alerts/r-" + i % 1_000);
    }

    private static long usedAfterGc() throws InterruptedException {
        for (int i = 0; i < 4; i++) {
            System.gc();
            Thread.sleep(50);   // let the collector finish its concurrent part between two readings
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }
}
