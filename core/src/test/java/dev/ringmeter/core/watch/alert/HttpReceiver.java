package dev.ringmeter.core.watch.alert;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * A real HTTP receiver for the tests: answers each POST with the next scripted reply (then 200 for ever) and keeps
 * what it received. A STALL reply holds the request until {@link #close()}.
 * <p>
 * Threading: the server's handler threads record; the test reads from any thread.
 */
final class HttpReceiver implements AutoCloseable {
    /** One scripted answer. */
    record Reply(int status, String body, String retryAfter, boolean stall) {
        static Reply of(final int status) {
            return new Reply(status, "", null, false);
        }

        static Reply stalling() {
            return new Reply(200, "", null, true);
        }
    }

    /** One request as received. */
    record Received(String path, String body, long atNs) {
    }

    private final HttpServer server;
    private final ExecutorService threads = Executors.newCachedThreadPool();
    private final ConcurrentLinkedQueue<Reply> script = new ConcurrentLinkedQueue<>();
    private final List<Received> received = new CopyOnWriteArrayList<>();
    private final CountDownLatch released = new CountDownLatch(1);

    HttpReceiver(final Reply... replies) throws IOException {
        script.addAll(List.of(replies));
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", this::handle);
        server.setExecutor(threads);
        server.start();
    }

    String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort() + "/hook";
    }

    List<Received> received() {
        return List.copyOf(received);
    }

    private void handle(final HttpExchange exchange) throws IOException {
        final String body = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
        received.add(new Received(exchange.getRequestURI().getPath(), body, System.nanoTime()));
        final Reply reply = script.poll();
        try {
            if (reply != null && reply.stall()) {
                released.await(30, TimeUnit.SECONDS);
            }
        } catch (final InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        final int status = reply == null ? 200 : reply.status();
        final byte[] out = (reply == null ? "ok" : reply.body()).getBytes(StandardCharsets.UTF_8);
        if (reply != null && reply.retryAfter() != null) {
            exchange.getResponseHeaders().add("Retry-After", reply.retryAfter());
        }
        try {
            exchange.sendResponseHeaders(status, out.length == 0 ? -1 : out.length);
            if (out.length > 0) {
                exchange.getResponseBody().write(out);
            }
        } catch (final IOException peerGone) {
            // the client timed out and closed; the request was recorded, which is what the tests look at
        } finally {
            exchange.close();
        }
    }

    @Override
    public void close() {
        released.countDown();
        server.stop(0);
        threads.shutdownNow();
    }
}
