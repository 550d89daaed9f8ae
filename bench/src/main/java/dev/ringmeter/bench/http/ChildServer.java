package dev.ringmeter.bench.http;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The server jar in a child JVM on a free loopback port with a temporary data directory, for the load generators
 * that measure a server from outside its process: started, waited for until {@code /ready} answers 200, then stopped
 * with SIGTERM (SIGKILL after 60 s) and its data directory and log deleted.
 * <p>
 * Threading: confined to the thread that starts it.
 */
final class ChildServer implements AutoCloseable {
    private static final Pattern LISTENING = Pattern.compile("event=listening .*port=(\\d+)");

    private final Process process;
    private final Path data;
    private final Path log;
    private final String base;

    private ChildServer(final Process process, final Path data, final Path log, final String base) {
        this.process = process;
        this.data = data;
        this.log = log;
        this.base = base;
    }

    /**
     * @param jar        the server jar.
     * @param jvmOptions the child's JVM options, space-separated (e.g. {@code -Xmx1g}).
     * @param args       the server's own options, space-separated, or blank.
     * @param client     to ask {@code /ready} with.
     * @return the server, ready.
     * @throws IOException          if it cannot start.
     * @throws InterruptedException if interrupted while waiting.
     */
    static ChildServer start(final Path jar, final String jvmOptions, final String args, final HttpClient client)
        throws IOException, InterruptedException {
        final Path data = Files.createTempDirectory("ringmeter-bench-server");
        final Path log = data.resolveSibling(data.getFileName() + ".log");
        final List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.addAll(List.of(jvmOptions.trim().split(" ")));
        command.addAll(List.of("-jar", jar.toString(), "--port", "0", "--data", data.toString()));
        if (!args.isBlank()) {
            command.addAll(List.of(args.trim().split(" ")));
        }
        final Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile())
            .start();
        final ChildServer server = new ChildServer(process, data, log, "http://127.0.0.1:" + awaitPort(process, log));
        try {
            server.awaitReady(client);
        } catch (final IOException | InterruptedException | RuntimeException e) {
            server.close();
            throw e;
        }
        return server;
    }

    /** @return e.g. {@code http://127.0.0.1:40123}. */
    String base() {
        return base;
    }

    /** @return the child's process id. */
    long pid() {
        return process.pid();
    }

    private static int awaitPort(final Process server, final Path log) throws IOException, InterruptedException {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            if (!server.isAlive()) {
                throw new IllegalStateException("the server exited: " + Files.readString(log));
            }
            final Matcher m = LISTENING.matcher(Files.readString(log));
            if (m.find()) {
                return Integer.parseInt(m.group(1));
            }
            TimeUnit.MILLISECONDS.sleep(100);   // polling the log for a deadline, not synchronisation
        }
        throw new IllegalStateException("no event=listening line within 60 s");
    }

    private void awaitReady(final HttpClient client) throws IOException, InterruptedException {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (System.nanoTime() < deadline) {
            final int status = client.send(HttpRequest.newBuilder(URI.create(base + "/ready"))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.discarding()).statusCode();
            if (status == 200) {
                return;
            }
            TimeUnit.MILLISECONDS.sleep(100);
        }
        throw new IllegalStateException("/ready did not answer 200 within 120 s");
    }

    @Override
    public void close() throws IOException {
        process.destroy();   // SIGTERM: the server drains and closes
        try {
            if (!process.waitFor(60, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(30, TimeUnit.SECONDS);
            }
        } catch (final InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
        try (Stream<Path> files = Files.walk(data)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
        Files.deleteIfExists(log);
    }
}
