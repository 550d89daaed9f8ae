package dev.ringmeter.server.live;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.util.ByteArrayBuilder;
import dev.ringmeter.Event;
import dev.ringmeter.core.EmbeddedStore;
import dev.ringmeter.core.aggregate.Aggregates;
import dev.ringmeter.core.query.WindowStats;
import dev.ringmeter.core.watch.alert.AlertStatus;
import dev.ringmeter.server.StoreContext;
import dev.ringmeter.server.StoreHolder;
import dev.ringmeter.server.alert.AlertController;
import dev.ringmeter.server.http.ApiException;
import dev.ringmeter.server.http.Json;
import dev.ringmeter.server.query.StatsWriter;
import io.javalin.http.Context;
import jakarta.servlet.ServletOutputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The dashboard's live stream, GET /api/v1/live ({@code text/event-stream}). One publisher thread computes, once a
 * second, the tiles of every model over the last minute (the same window queries as /api/v1/analytics), the events
 * received since its last tick and, when they change, the active alerts; it serialises each message once and
 * offers the same bytes to every client's queue without waiting. Each client is served by the request thread that
 * took it, which writes what its queue holds; a client whose queue is full ({@link #MAX_QUEUED} messages behind) is
 * dropped and counted ({@link #droppedClients()}), so a slow reader holds only its own thread, never the publisher,
 * the other clients or the store. At most {@code maxClients} streams at once (503 past it).
 * <p>
 * Memory: per client a queue of at most {@link #MAX_QUEUED} references to shared messages; per tick at most
 * {@link #MAX_EVENTS} events a model copied. The feed's read mark of each model's recent events lives in the store
 * with those events.
 * <p>
 * Threading: {@link #start()} and {@link #close()} from the server's thread; {@link #stream} on request threads;
 * the rest on the publisher thread.
 */
public final class LiveFeed implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(LiveFeed.class);
    /** The tiles' window. */
    public static final long WINDOW_MS = 60_000;
    /** The most events an {@code events} message holds; the others are counted in its {@code dropped}. */
    public static final int MAX_EVENTS = 200;
    /** How many messages a client may be behind before it is dropped. */
    public static final int MAX_QUEUED = 16;
    /** A comment sent when nothing else was for this long. */
    static final long PING_MS = 15_000;
    private static final long TICK_MS = 1_000;
    private static final byte[] RETRY = "retry: 2000\n\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] PING = ": ping\n\n".getBytes(StandardCharsets.US_ASCII);
    /** Put in a client's queue to end its stream. */
    private static final byte[] END = new byte[0];

    private final StoreHolder holder;
    private final int maxClients;
    private final Set<Client> clients = ConcurrentHashMap.newKeySet();
    private final AtomicLong dropped = new AtomicLong();
    private final Thread publisher;
    private volatile boolean closed;
    /** Publisher only: the alerts last sent, as rule, state, severity and since of each. */
    private String alertsKey = "";
    /** Publisher only. */
    private WindowStats stats;
    private boolean primed;

    /**
     * @param holder     the store.
     * @param maxClients the most streams at once.
     */
    public LiveFeed(final StoreHolder holder, final int maxClients) {
        this.holder = holder;
        this.maxClients = maxClients;
        this.publisher = new Thread(this::publish, "ringmeter-live");
        this.publisher.setDaemon(true);
    }

    /** Starts the publisher. */
    public void start() {
        publisher.start();
    }

    /** @return the streams open now. */
    public int clients() {
        return clients.size();
    }

    /** @return the clients dropped for falling {@link #MAX_QUEUED} messages behind, since the start. */
    public long droppedClients() {
        return dropped.get();
    }

    /** One stream: its queue of messages to write, filled by the publisher, drained by its request thread. */
    private static final class Client {
        final ArrayBlockingQueue<byte[]> queue = new ArrayBlockingQueue<>(MAX_QUEUED + 1);
    }

    /**
     * GET /api/v1/live: streams until the client goes, falls behind or the server closes (the auth filter has let
     * it through). Holds its request thread for the stream's life.
     *
     * @throws ApiException 503 when {@code maxClients} streams are open or the store is not ready.
     */
    public void stream(final Context ctx) throws IOException {
        final StoreContext store = holder.get();
        final Client client = new Client();
        synchronized (clients) {
            if (closed || clients.size() >= maxClients) {
                throw ApiException.unavailable("the live stream has " + maxClients
                    + " clients, its limit (--max-live-clients); retry later", 5);
            }
            clients.add(client);
        }
        try {
            ctx.status(200);
            ctx.res().setContentType("text/event-stream;charset=utf-8");
            ctx.res().setHeader("Cache-Control", "no-cache");
            ctx.res().setHeader("X-Accel-Buffering", "no");
            final ServletOutputStream out = ctx.res().getOutputStream();
            out.write(RETRY);
            out.write(message("alerts", g -> AlertController.active(g, store.store.alerts().active())));
            out.flush();
            long lastWrite = System.nanoTime();
            while (!closed) {
                final byte[] m = client.queue.poll(TICK_MS, TimeUnit.MILLISECONDS);
                if (m == END) {
                    return;
                }
                if (m != null) {
                    out.write(m);
                    if (client.queue.isEmpty()) {
                        out.flush();
                    }
                    lastWrite = System.nanoTime();
                } else if (System.nanoTime() - lastWrite >= TimeUnit.MILLISECONDS.toNanos(PING_MS)) {
                    out.write(PING);
                    out.flush();
                    lastWrite = System.nanoTime();
                }
            }
        } catch (final IOException e) {
            LOG.debug("event=live-client-gone reason=\"{}\"", e.toString());
        } catch (final InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            clients.remove(client);
        }
    }

    /** Offers a message to every client without waiting; drops those whose queue is full. */
    private void broadcast(final byte[] message) {
        for (final Client c : clients) {
            if (!c.queue.offer(message) || c.queue.size() > MAX_QUEUED) {
                if (clients.remove(c)) {
                    dropped.incrementAndGet();
                    LOG.warn("event=live-client-dropped reason=\"{} messages behind\"", MAX_QUEUED);
                    c.queue.clear();
                    c.queue.offer(END);
                }
            }
        }
    }

    private void publish() {
        long next = System.nanoTime();
        while (!closed) {
            next += TimeUnit.MILLISECONDS.toNanos(TICK_MS);
            try {
                tick();
            } catch (final ApiException e) {
                // the store is not open (yet, or any more): nothing to send this second
            } catch (final RuntimeException e) {
                LOG.error("event=error stage=live-tick", e);
            }
            final long wait = next - System.nanoTime();
            if (wait > 0) {
                synchronized (this) {
                    if (!closed) {
                        try {
                            TimeUnit.NANOSECONDS.timedWait(this, wait);
                        } catch (final InterruptedException e) {
                            return;
                        }
                    }
                }
            } else {
                next = System.nanoTime();   // fell behind (a long GC): no burst of ticks to catch up
            }
        }
    }

    /** One second's messages: tiles, new events, and the alerts if they changed. */
    void tick() {
        final EmbeddedStore store = holder.get().store;
        final Aggregates aggregates = store.aggregates();
        final List<String> models = new ArrayList<>(aggregates.models());
        models.sort(null);
        final boolean listening = !clients.isEmpty();
        final List<Event> events = new ArrayList<>();
        long fresh = 0;
        for (final String m : models) {
            fresh += aggregates.takeNew(m, listening && primed ? MAX_EVENTS : 0, events);
        }
        final boolean first = !primed;
        primed = true;
        final List<AlertStatus> alerts = store.alerts().active();
        final String key = alertsKey(alerts);
        final boolean alertsChanged = !key.equals(alertsKey);
        alertsKey = key;
        if (!listening) {
            return;
        }
        if (stats == null) {
            stats = aggregates.newWindowStats();
        }
        final long now = store.config().clock().time();
        broadcast(message("tiles", g -> tiles(g, aggregates, models, now)));
        if (!first && fresh > 0) {
            events.sort(Comparator.comparingLong(Event::timestampMs));
            final List<Event> sent = events.subList(Math.max(0, events.size() - MAX_EVENTS), events.size());
            final long left = fresh - sent.size();
            broadcast(message("events", g -> {
                g.writeStartObject();
                g.writeArrayFieldStart("events");
                for (final Event e : sent) {
                    StatsWriter.event(g, e, true);
                }
                g.writeEndArray();
                g.writeNumberField("dropped", left);
                g.writeEndObject();
            }));
        }
        if (alertsChanged) {
            broadcast(message("alerts", g -> AlertController.active(g, alerts)));
        }
    }

    private void tiles(final JsonGenerator g, final Aggregates aggregates, final List<String> models, final long now)
        throws IOException {
        g.writeStartObject();
        g.writeNumberField("atMs", now);
        g.writeNumberField("windowMs", WINDOW_MS);
        g.writeArrayFieldStart("models");
        for (final String m : models) {
            final WindowStats s = aggregates.window(m, now + 1 - WINDOW_MS, now + 1, stats);
            g.writeStartObject();
            g.writeStringField("model", m);
            g.writeNumberField("requests", s.count());
            Json.number(g, "requestsPerSecond", s.requestsPerSecond());
            Json.number(g, "p50Ms", s.latencyMs(50));
            Json.number(g, "p95Ms", s.latencyMs(95));
            Json.number(g, "p99Ms", s.latencyMs(99));
            Json.number(g, "ttftP95Ms", s.ttftMs(95));
            Json.number(g, "outputTokensPerSecond", s.outputTokensPerSecond());
            Json.number(g, "errorRate", s.errorRate());
            Json.number(g, "costPerMinuteUsd", s.costUsd() * 60_000.0 / WINDOW_MS);
            g.writeEndObject();
        }
        g.writeEndArray();
        g.writeEndObject();
    }

    private static String alertsKey(final List<AlertStatus> alerts) {
        final StringBuilder b = new StringBuilder();
        for (final AlertStatus a : alerts) {
            b.append(a.rule().id()).append('\u0000').append(a.state()).append('\u0000').append(a.severity())
                .append('\u0000').append(a.sinceMs()).append('\n');
        }
        return b.toString();
    }

    /**
     * @return {@code event: NAME\ndata: JSON\n\n}, the JSON on one line.
     */
    private static byte[] message(final String name, final Json.Body body) {
        final ByteArrayBuilder bytes = new ByteArrayBuilder(1024);
        try {
            bytes.write(("event: " + name + "\ndata: ").getBytes(StandardCharsets.US_ASCII));
            try (JsonGenerator g = Json.FACTORY.createGenerator(bytes)) {
                body.write(g);
            }
            bytes.write('\n');
            bytes.write('\n');
        } catch (final IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    /** Stops the publisher and ends every stream; waits for the publisher to stop. Idempotent. */
    @Override
    public void close() {
        synchronized (this) {
            closed = true;
            notifyAll();
        }
        synchronized (clients) {
            for (final Client c : clients) {
                c.queue.clear();
                c.queue.offer(END);
            }
        }
        try {
            publisher.join(5_000);
        } catch (final InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
