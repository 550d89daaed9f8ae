package dev.ringmeter.bench.http;

import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Locale;

/**
 * What a Prometheus scrape of {@code /metrics} costs as the models grow: for each count of {@code --models} (e.g.
 * 10, 100, 1000), the server jar in a child JVM of its own, its model limit set to that count, fed
 * {@code --events} events per model over HTTP (latency, TTFT, tokens, cost, an error in fifty, operation and
 * provider set, so every family of the exposition has samples), then {@code GET /metrics} {@code --warmup} times
 * unmeasured and {@code --scrapes} times measured, one after another, as a scraper does. It reports the time to the
 * last byte (median, p90, max), the body's size and the median time per model: the target is 1,000 models in
 * under 50 ms.
 * <p>
 * Run: {@code java -cp bench/target/benchmarks.jar dev.ringmeter.bench.http.MetricsScrapeReport [--server-jar
 * server/target/ringmeter-server.jar] [--models 10,100,1000] [--events 50] [--warmup 30] [--scrapes 100]
 * [--server-opts -Xmx4g]} (build the jars with {@code mvn -B -q -o package -DskipTests}). Sends only to 127.0.0.1.
 * <p>
 * Threading: the main thread only.
 */
public final class MetricsScrapeReport {
    private static final PrintStream OUT = System.out;
    private static final int BATCH = 5_000;

    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(Duration.ofSeconds(5)).build();

    private MetricsScrapeReport() {
    }

    /**
     * @param args the options of the class comment.
     * @throws Exception if a server cannot start or be reached.
     */
    public static void main(final String[] args) throws Exception {
        String jar = "server/target/ringmeter-server.jar";
        String models = "10,100,1000";
        int events = 50;
        int warmup = 30;
        int scrapes = 100;
        String serverOpts = "-Xmx4g";
        for (int i = 0; i < args.length; i += 2) {
            final String v = args[i + 1];
            switch (args[i]) {
                case "--server-jar": jar = v; break;
                case "--models": models = v; break;
                case "--events": events = Integer.parseInt(v); break;
                case "--warmup": warmup = Integer.parseInt(v); break;
                case "--scrapes": scrapes = Integer.parseInt(v); break;
                case "--server-opts": serverOpts = v; break;
                default: throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        final MetricsScrapeReport report = new MetricsScrapeReport();
        OUT.printf(Locale.ROOT, "%d events per model, %d scrapes after %d, server %s, java %s, %d cores%n", events,
            scrapes, warmup, serverOpts, System.getProperty("java.version"),
            Runtime.getRuntime().availableProcessors());
        OUT.println("models  median ms  p90 ms  max ms  body bytes  median us per model");
        for (final String m : models.split(",")) {
            report.run(Path.of(jar), Integer.parseInt(m.trim()), events, warmup, scrapes, serverOpts);
        }
    }

    private void run(final Path jar, final int models, final int events, final int warmup, final int scrapes,
                     final String serverOpts) throws Exception {
        try (ChildServer server = ChildServer.start(jar, serverOpts, "--limit model=" + models, client)) {
            feed(server.base(), models, events);
            final HttpRequest scrape = HttpRequest.newBuilder(URI.create(server.base() + "/metrics"))
                .timeout(Duration.ofSeconds(60)).build();
            long bytes = 0;
            for (int i = 0; i < warmup; i++) {
                bytes = get(scrape).length;
            }
            final long[] nanos = new long[scrapes];
            for (int i = 0; i < scrapes; i++) {
                final long t0 = System.nanoTime();
                get(scrape);
                nanos[i] = System.nanoTime() - t0;
            }
            Arrays.sort(nanos);
            final double median = nanos[scrapes / 2] / 1e6;
            OUT.printf(Locale.ROOT, "%6d  %9.2f  %6.2f  %6.2f  %10d  %19.1f%n", models, median,
                nanos[(int)Math.min(scrapes - 1L, Math.round(scrapes * 0.9))] / 1e6, nanos[scrapes - 1] / 1e6, bytes,
                median * 1_000 / models);
        }
    }

    private byte[] get(final HttpRequest scrape) throws IOException, InterruptedException {
        final HttpResponse<byte[]> r = client.send(scrape, HttpResponse.BodyHandlers.ofByteArray());
        if (r.statusCode() != 200) {
            throw new IllegalStateException("GET /metrics answered " + r.statusCode());
        }
        return r.body();
    }

    private void feed(final String base, final int models, final int events) throws IOException,
        InterruptedException {
        final long now = System.currentTimeMillis();
        final StringBuilder b = new StringBuilder(BATCH * 200);
        int inBatch = 0;
        for (long seq = 0, n = (long)models * events; seq < n; seq++) {
            b.append("{\"model\":\"model-").append(seq % models).append("\",\"operation\":\"chat\",")
                .append("\"provider\":\"provider-").append(seq % models % 7).append("\",\"latencyMs\":")
                .append(50 + seq % 950).append(",\"ttftMs\":").append(10 + seq % 90).append(",\"promptTokens\":")
                .append(100 + seq % 900).append(",\"completionTokens\":").append(2 + seq % 500)
                .append(",\"costUsd\":0.001,\"status\":\"").append(seq % 50 == 0 ? "error" : "ok")
                .append("\",\"timestamp\":").append(now - seq % 3_600_000).append("}\n");
            if (++inBatch == BATCH || seq == n - 1) {
                final HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create(base + "/api/v1/events"))
                    .header("Content-Type", "application/x-ndjson").timeout(Duration.ofSeconds(60))
                    .POST(HttpRequest.BodyPublishers.ofString(b.toString())).build(),
                    HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() != 202) {
                    throw new IllegalStateException("POST /api/v1/events answered " + r.statusCode() + " " + r.body());
                }
                b.setLength(0);
                inBatch = 0;
            }
        }
    }
}
