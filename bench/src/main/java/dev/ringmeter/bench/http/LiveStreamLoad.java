package dev.ringmeter.bench.http;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The dashboard's cost on the server (docs/performance.md, "The live stream"): starts the server jar in a child JVM
 * on a free loopback port, feeds it events across {@code --models} models at {@code --rate} events/s, and for each
 * client count (0 first: the baseline) holds that many GET /api/v1/live streams open, each read line by line, for
 * {@code --seconds} after a warm-up. It reports the child's CPU time (utime + stime of /proc/PID/stat) per wall
 * second, the extra per client per second over the baseline, and the bytes of a {@code tiles} and an
 * {@code events} message.
 * <p>
 * Run: {@code java -cp bench/target/benchmarks.jar dev.ringmeter.bench.http.LiveStreamLoad [--server-jar
 * server/target/ringmeter-server.jar] [--models 100] [--rate 1000] [--clients 0,1,10,50] [--seconds 20]
 * [--warmup 5] [--server-opts -Xmx1g] [--server-args "--limit model=100"]} (build the jars with {@code mvn -B -q -o package -DskipTests}). Linux only
 * (/proc). Sends only to 127.0.0.1; every loop is bounded in time.
 * <p>
 * Threading: main thread drives; one feeder thread; one reader thread per stream.
 */
public final class LiveStreamLoad {
    private static final PrintStream OUT = System.out;

    private final HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(Duration.ofSeconds(5)).build();
    private String base;
    private final AtomicBoolean failed = new AtomicBoolean();

    private LiveStreamLoad() {
    }

    /** One held stream: bytes and sizes of the messages it read. */
    private static final class Stream1 {
        final AtomicLong bytes = new AtomicLong();
        final AtomicLong tiles = new AtomicLong();
        final AtomicLong tileBytes = new AtomicLong();
        final AtomicLong events = new AtomicLong();
        final AtomicLong eventBytes = new AtomicLong();
        InputStream body;
        Thread reader;
    }

    /**
     * @param args the options of the class comment.
     * @throws Exception if the server cannot start or be reached.
     */
    public static void main(final String[] args) throws Exception {
        String jar = "server/target/ringmeter-server.jar";
        int models = 100;
        int rate = 1_000;
        String clients = "0,1,10,50";
        int seconds = 20;
        int warmup = 5;
        String serverOpts = "-Xmx1g";
        String serverArgs = "--limit model=100";
        for (int i = 0; i < args.length; i += 2) {
            final String v = args[i + 1];
            switch (args[i]) {
                case "--server-jar": jar = v; break;
                case "--models": models = Integer.parseInt(v); break;
                case "--rate": rate = Integer.parseInt(v); break;
                case "--clients": clients = v; break;
                case "--seconds": seconds = Integer.parseInt(v); break;
                case "--warmup": warmup = Integer.parseInt(v); break;
                case "--server-opts": serverOpts = v; break;
                case "--server-args": serverArgs = v; break;
                default: throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        new LiveStreamLoad().run(Path.of(jar), models, rate, clients, seconds, warmup, serverOpts, serverArgs);
    }

    private void run(final Path jar, final int models, final int rate, final String clientCounts, final int seconds,
                     final int warmup, final String serverOpts, final String serverArgs) throws Exception {
        try (ChildServer server = ChildServer.start(jar, serverOpts, serverArgs, client)) {
            base = server.base();
            measure(server.pid(), models, rate, clientCounts, seconds, warmup, serverOpts, serverArgs);
        }
    }

    private void measure(final long pid, final int models, final int rate, final String clientCounts,
                         final int seconds, final int warmup, final String serverOpts, final String serverArgs)
        throws Exception {
        final AtomicBoolean feeding = new AtomicBoolean(true);
        Thread feeder = null;
        try {
            final long clockTick = clockTicksPerSecond();
            OUT.printf(Locale.ROOT, "server pid %d at %s, %d models, %d events/s, %s %s, java %s, %d cores%n",
                pid, base, models, rate, serverOpts, serverArgs, System.getProperty("java.version"),
                Runtime.getRuntime().availableProcessors());
            feeder = new Thread(() -> feed(models, rate, feeding), "live-load-feeder");
            feeder.setDaemon(true);
            feeder.start();
            double baseline = Double.NaN;
            OUT.println("clients  cpu s/s  extra per client s/s  tiles B/msg  events B/msg  messages/client/s");
            for (final String c : clientCounts.split(",")) {
                final int n = Integer.parseInt(c.trim());
                final List<Stream1> streams = new ArrayList<>();
                for (int i = 0; i < n; i++) {
                    streams.add(open());
                }
                pause(warmup);
                final long bytes0 = streams.stream().mapToLong(s -> s.bytes.get()).sum();
                final long tiles0 = streams.stream().mapToLong(s -> s.tiles.get() + s.events.get()).sum();
                final long cpu0 = cpuTicks(pid);
                final long t0 = System.nanoTime();
                pause(seconds);
                final long cpu1 = cpuTicks(pid);
                final double wall = (System.nanoTime() - t0) / 1e9;
                final double cpu = (cpu1 - cpu0) / (double)clockTick / wall;
                if (n == 0) {
                    baseline = cpu;
                }
                final long tiles = streams.stream().mapToLong(s -> s.tiles.get()).sum();
                final long events = streams.stream().mapToLong(s -> s.events.get()).sum();
                final long messages = streams.stream().mapToLong(s -> s.tiles.get() + s.events.get()).sum() - tiles0;
                OUT.printf(Locale.ROOT, "%7d  %7.3f  %20s  %11s  %12s  %17s%n", n, cpu,
                    n == 0 ? "(baseline)" : String.format(Locale.ROOT, "%.5f", (cpu - baseline) / n),
                    tiles == 0 ? "-" : Long.toString(streams.stream().mapToLong(s -> s.tileBytes.get()).sum() / tiles),
                    events == 0 ? "-" : Long.toString(streams.stream().mapToLong(s -> s.eventBytes.get()).sum()
                        / events),
                    n == 0 ? "-" : String.format(Locale.ROOT, "%.2f", messages / wall / n));
                if (failed.get()) {
                    throw new IllegalStateException("the feeder failed: the figures would be of an idle server");
                }
                if (n > 0 && streams.stream().mapToLong(s -> s.bytes.get()).sum() == bytes0) {
                    throw new IllegalStateException("the streams received nothing");
                }
                for (final Stream1 s : streams) {
                    s.body.close();
                }
            }
        } finally {
            feeding.set(false);
            if (feeder != null) {
                feeder.join(10_000);
            }
        }
    }

    private Stream1 open() throws IOException, InterruptedException {
        final HttpResponse<InputStream> r = client.send(HttpRequest.newBuilder(URI.create(base + "/api/v1/live"))
            .build(), HttpResponse.BodyHandlers.ofInputStream());
        if (r.statusCode() != 200) {
            throw new IllegalStateException("GET /api/v1/live answered " + r.statusCode());
        }
        final Stream1 s = new Stream1();
        s.body = r.body();
        s.reader = new Thread(() -> read(s), "live-load-reader");
        s.reader.setDaemon(true);
        s.reader.start();
        return s;
    }

    private static void read(final Stream1 s) {
        try (BufferedReader in = new BufferedReader(new InputStreamReader(s.body, StandardCharsets.UTF_8))) {
            String event = null;
            long size = 0;
            for (String line = in.readLine(); line != null; line = in.readLine()) {
                final int n = line.getBytes(StandardCharsets.UTF_8).length + 1;
                s.bytes.addAndGet(n);
                size += n;
                if (line.startsWith("event: ")) {
                    event = line.substring(7);
                } else if (line.isEmpty()) {
                    if ("tiles".equals(event)) {
                        s.tiles.incrementAndGet();
                        s.tileBytes.addAndGet(size);
                    } else if ("events".equals(event)) {
                        s.events.incrementAndGet();
                        s.eventBytes.addAndGet(size);
                    }
                    event = null;
                    size = 0;
                }
            }
        } catch (final IOException e) {
            // closed at the end of its phase
        }
    }

    /** Posts one NDJSON batch every 100 ms, the events spread over the models, until told to stop. */
    private void feed(final int models, final int rate, final AtomicBoolean feeding) {
        final int perBatch = Math.max(1, rate / 10);
        long next = System.nanoTime();
        long seq = 0;
        while (feeding.get()) {
            final StringBuilder b = new StringBuilder(perBatch * 120);
            for (int i = 0; i < perBatch; i++, seq++) {
                b.append("{\"model\":\"model-").append(seq % models).append("\",\"latencyMs\":")
                    .append(50 + seq % 950).append(",\"ttftMs\":").append(10 + seq % 90)
                    .append(",\"completionTokens\":").append(seq % 500).append(",\"status\":\"")
                    .append(seq % 50 == 0 ? "error" : "ok").append("\"}\n");
            }
            try {
                final HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create(base + "/api/v1/events"))
                    .header("Content-Type", "application/x-ndjson").timeout(Duration.ofSeconds(30))
                    .POST(HttpRequest.BodyPublishers.ofString(b.toString())).build(),
                    HttpResponse.BodyHandlers.ofString());
                if (r.statusCode() != 202) {
                    throw new IllegalStateException("POST /api/v1/events answered " + r.statusCode() + " " + r.body());
                }
            } catch (final IOException | IllegalStateException e) {
                OUT.println("feeder: stopped: " + e.getMessage());
                failed.set(true);
                return;
            } catch (final InterruptedException e) {
                return;
            }
            next += TimeUnit.MILLISECONDS.toNanos(100);
            final long wait = next - System.nanoTime();
            if (wait > 0) {
                try {
                    TimeUnit.NANOSECONDS.sleep(wait);   // pacing an open-loop feeder, not synchronisation
                } catch (final InterruptedException e) {
                    return;
                }
            }
        }
    }

    private static void pause(final int seconds) throws InterruptedException {
        TimeUnit.SECONDS.sleep(seconds);   // the measured interval itself
    }

    /** utime + stime of /proc/PID/stat, in clock ticks. */
    private static long cpuTicks(final long pid) throws IOException {
        final String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
        final String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return Long.parseLong(f[11]) + Long.parseLong(f[12]);   // fields 14 and 15, counted after the name
    }

    private static long clockTicksPerSecond() throws IOException, InterruptedException {
        final Process p = new ProcessBuilder("getconf", "CLK_TCK").redirectErrorStream(true).start();
        final String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).trim();
        p.waitFor(10, TimeUnit.SECONDS);
        return Long.parseLong(out);
    }
}
