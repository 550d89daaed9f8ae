package dev.ringmeter.remote;

import dev.ringmeter.Event;
import dev.ringmeter.EventRecorder;
import dev.ringmeter.InvalidEventException;
import dev.ringmeter.MetricSample;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Records to a Ringmeter server over HTTP ({@code POST /api/v1/events} and {@code /api/v1/metrics}, NDJSON), with
 * the same contract as the embedded store: {@link #record(Event)} checks the event, copies it into a bounded,
 * pre-allocated buffer ({@link ManyToOneItemRing}) and returns at once. It never blocks, never does I/O and
 * allocates nothing; when the buffer is full it drops the event, counts it, and returns false.
 * <p>
 * One daemon thread, {@code ringmeter-remote-sender}, takes up to {@link RemoteConfig#batchSize} items (or
 * {@link RemoteConfig#maxBatchBytes}) at a time, waiting at most {@link RemoteConfig#lingerMs} for a batch to fill,
 * and posts them. A 2xx reply acknowledges the batch (the server answers 202 only once the batch is journaled).
 * 5xx, 429, 408, a connection error or a timeout is retried with exponential backoff and jitter, honouring
 * {@code Retry-After}, while the buffer goes on filling. Any other 4xx is not retried: the server's error body is
 * logged and the items are counted as rejected; when the reply names the index of the one bad item (a bad value, a
 * string too long, a dimension past its cardinality limit), only that item is rejected and the rest of the batch is
 * sent again (up to {@value #MAX_ISOLATED_PER_BATCH} times per batch).
 * <p>
 * Delivery is at-least-once for what is acknowledged: an attempt that times out after the server received it may
 * have been stored, and its retry stores it again. Every accepted item ends as exactly one of acknowledged,
 * rejected or failed ({@link Stats}).
 * <p>
 * Threading: {@code record}, {@code flush}, {@code stats} and {@code close} may be called from any number of
 * threads at once. {@code record} takes no lock and makes no system call, except that one record in every
 * power-of-two near the batch size wakes the sender ({@link LockSupport#unpark}).
 */
public final class RemoteRecorder implements EventRecorder {
    /** The name of the sender thread. */
    public static final String SENDER_THREAD_NAME = "ringmeter-remote-sender";
    /** How many single bad items are cut out of one batch before the rest of it is rejected whole. */
    public static final int MAX_ISOLATED_PER_BATCH = 32;

    private static final System.Logger LOG = System.getLogger(RemoteRecorder.class.getName());
    private static final Pattern INDEX = Pattern.compile("\"index\"\\s*:\\s*(\\d+)");
    private static final int MAX_LOGGED_BODY_CHARS = 1_000;

    /**
     * The counters of a recorder, each since it opened. Items are events and metric samples.
     *
     * @param recorded     items {@code record()} accepted.
     * @param sent         items written to the server, counting every attempt (a retried batch counts again).
     * @param acknowledged items the server acknowledged (2xx: journaled).
     * @param dropped      items {@code record()} refused because the buffer was full (it returned false).
     * @param rejected     items the server refused with a 4xx other than 408 and 429; not retried.
     * @param failed       items given up after {@link RemoteConfig#maxRetries}, or still unsent when
     *                     {@code close()} ran out of time.
     * @param retried      attempts that were retries.
     * @param batches      requests the server acknowledged.
     * @param pending      items accepted and not yet acknowledged, rejected or failed:
     *                     {@code recorded - acknowledged - rejected - failed}.
     * @param lastError    the last failure (status and the server's message, or the exception), or null.
     */
    public record Stats(long recorded, long sent, long acknowledged, long dropped, long rejected, long failed,
                        long retried, long batches, long pending, String lastError) {
    }

    private final RemoteConfig config;
    private final URI eventsUri;
    private final URI metricsUri;
    private final String authorization;
    private final HttpClient http;
    private final ManyToOneItemRing ring;
    private final Thread sender;
    private final long wakeMask;
    private final LongAdder dropped = new LongAdder();
    private final Object settledMonitor = new Object();

    private volatile boolean closed;
    private volatile boolean stopping;
    private volatile long flushTarget;
    /** Every position before it is acknowledged, rejected or failed. Written by the sender only. */
    private volatile long settled;
    private volatile long sent;
    private volatile long acknowledged;
    private volatile long rejected;
    private volatile long failed;
    private volatile long retried;
    private volatile long batches;
    private volatile String lastError;

    /**
     * Opens a recorder and starts its sender thread. Nothing is sent until something is recorded, and a server that
     * is not up yet is not an error: the buffer holds events until it answers.
     *
     * @param config options; concluded here.
     * @throws IllegalArgumentException naming a bad option.
     */
    public RemoteRecorder(final RemoteConfig config) {
        this.config = config.conclude();
        final String base = stripTrailingSlash(config.uri().toString());
        this.eventsUri = URI.create(base + "/api/v1/events");
        this.metricsUri = URI.create(base + "/api/v1/metrics");
        this.authorization = config.token() == null ? null : "Bearer " + config.token();
        this.http = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofMillis(config.connectTimeoutMs()))
            .followRedirects(HttpClient.Redirect.NEVER)
            .build();
        this.ring = new ManyToOneItemRing(config.bufferCapacity());
        this.wakeMask = Integer.highestOneBit(Math.min(config.batchSize(), config.bufferCapacity() / 2)) - 1;
        this.sender = new Thread(new Sender(), SENDER_THREAD_NAME);
        sender.setDaemon(true);
        sender.start();
    }

    /**
     * @param uri of the server, e.g. {@code http://127.0.0.1:8080}; options may follow as query parameters
     *            ({@link RemoteConfig#fromUri(URI)}).
     * @return a running recorder with the default options.
     */
    public static RemoteRecorder open(final URI uri) {
        return new RemoteRecorder(RemoteConfig.fromUri(uri));
    }

    private static String stripTrailingSlash(final String s) {
        return s.endsWith("/") ? s.substring(0, s.length() - 1) : s;
    }

    /**
     * Checks the event ({@link Event#validate()}), stamps it with the current time if it carries none (so an event
     * delivered late still lands at the time it was recorded), and copies it into the buffer.
     *
     * @param event to record; the caller may reuse it at once.
     * @return true if buffered, false if the buffer is full (the drop is counted).
     * @throws InvalidEventException if a required field is missing.
     * @throws IllegalStateException if the recorder is closed.
     */
    @Override
    public boolean record(final Event event) {
        if (closed) {
            throw new IllegalStateException("the recorder is closed");
        }
        event.validate();
        return published(ring.offer(event, System.currentTimeMillis()));
    }

    /**
     * @param sample to record; copied.
     * @return true if buffered, false if the buffer is full (the drop is counted).
     * @throws InvalidEventException if the name or value is missing.
     * @throws IllegalStateException if the recorder is closed.
     */
    @Override
    public boolean record(final MetricSample sample) {
        if (closed) {
            throw new IllegalStateException("the recorder is closed");
        }
        sample.validate();
        return published(ring.offer(sample, System.currentTimeMillis()));
    }

    private boolean published(final long position) {
        if (position < 0) {
            dropped.increment();
            return false;
        }
        if ((position & wakeMask) == wakeMask) {
            LockSupport.unpark(sender);
        }
        return true;
    }

    /**
     * Sends what is buffered without waiting for the linger, and waits until every item recorded before this call
     * is settled: acknowledged by the server (journaled), rejected, or given up.
     *
     * @param timeout how long to wait at most.
     * @param unit    of the timeout.
     * @return true if every one of them was acknowledged in time; false on timeout or if some were rejected or
     * failed meanwhile ({@link #stats()} says which).
     * @throws InterruptedException if interrupted while waiting.
     */
    @Override
    public boolean flush(final long timeout, final TimeUnit unit) throws InterruptedException {
        final long target = ring.tail();
        final long lostBefore = rejected + failed;
        if (settled >= target) {
            return true;
        }
        synchronized (settledMonitor) {
            if (flushTarget < target) {
                flushTarget = target;
            }
        }
        LockSupport.unpark(sender);
        final long deadlineNs = System.nanoTime() + unit.toNanos(timeout);
        synchronized (settledMonitor) {
            while (settled < target) {
                final long leftNs = deadlineNs - System.nanoTime();
                if (leftNs <= 0 || !sender.isAlive()) {
                    return false;
                }
                TimeUnit.NANOSECONDS.timedWait(settledMonitor, leftNs);
            }
        }
        return rejected + failed == lostBefore;
    }

    /**
     * @return the counters; a consistent-enough snapshot (each counter is read once).
     */
    public Stats stats() {
        final long ack = acknowledged;
        final long rej = rejected;
        final long fail = failed;
        final long recorded = ring.tail();
        return new Stats(recorded, sent, ack, dropped.sum(), rej, fail, retried, batches,
            Math.max(0, recorded - ack - rej - fail), lastError);
    }

    /** @return the options in force. */
    public RemoteConfig config() {
        return config;
    }

    /**
     * Refuses further records, waits up to {@link RemoteConfig#closeTimeoutMs} for what is buffered to be
     * delivered, then stops the sender; what is still unsent is counted as failed. Idempotent.
     */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        boolean interrupted = false;
        try {
            flush(config.closeTimeoutMs(), TimeUnit.MILLISECONDS);
        } catch (final InterruptedException e) {
            interrupted = true;
        }
        stopping = true;
        sender.interrupt();
        try {
            sender.join(Math.max(1_000, config.requestTimeoutMs()));
        } catch (final InterruptedException e) {
            interrupted = true;
        }
        if (interrupted) {
            Thread.currentThread().interrupt();
        }
        final Stats s = stats();
        if (s.failed() > 0 || s.dropped() > 0 || s.rejected() > 0) {
            LOG.log(System.Logger.Level.WARNING, "closed with losses: " + s);
        } else {
            LOG.log(System.Logger.Level.DEBUG, "closed: " + s);
        }
    }

    @Override
    public String toString() {
        return "RemoteRecorder{" + RemoteConfig.redacted(config.uri()) + ", " + stats() + '}';
    }

    /**
     * The sender loop: one thread, one role. Owns the batches, the backoff and every counter but {@code dropped}.
     */
    private final class Sender implements Runnable {
        private final NdjsonBatch events = new NdjsonBatch(64 * 1024);
        private final NdjsonBatch samples = new NdjsonBatch(4 * 1024);
        private final Backoff backoff = new Backoff(config.initialBackoffMs(), config.maxBackoffMs(), System.nanoTime());
        private final long lingerNs = TimeUnit.MILLISECONDS.toNanos(config.lingerMs());
        private long position;
        private boolean failing;

        @Override
        public void run() {
            try {
                loop();
            } catch (final RuntimeException | Error e) {
                lastError = "sender stopped: " + e;
                LOG.log(System.Logger.Level.ERROR, "the sender thread stopped; nothing more will be sent", e);
            } finally {
                final long tail = ring.tail();
                if (tail > position) {   // given up: still in the buffer when the recorder stopped
                    failed += tail - position;
                }
                settled = Math.max(settled, tail);
                notifySettled();
            }
        }

        private void loop() {
            long firstSeenNs = 0;
            while (!stopping) {
                final long available = ring.tail() - position;
                if (available == 0) {
                    firstSeenNs = 0;
                    if (closed) {
                        LockSupport.parkNanos(1_000_000);
                    } else {
                        LockSupport.parkNanos(Math.max(lingerNs, 1_000_000));
                    }
                    continue;
                }
                final long now = System.nanoTime();
                if (firstSeenNs == 0) {
                    firstSeenNs = now;
                }
                final boolean due = available >= config.batchSize() || flushTarget > position || closed
                    || now - firstSeenNs >= lingerNs;
                if (!due) {
                    LockSupport.parkNanos(lingerNs - (now - firstSeenNs));
                    continue;
                }
                final int taken = take();
                if (taken == 0) {
                    Thread.onSpinWait();   // a producer claimed the slot and is still copying
                    continue;
                }
                firstSeenNs = 0;
                send(events, eventsUri);
                send(samples, metricsUri);
                settled = position;
                notifySettled();
            }
        }

        /** Encodes the next published items into the two batches and hands their slots back. */
        private int take() {
            events.clear();
            samples.clear();
            final int max = config.batchSize();
            final int maxBytes = config.maxBatchBytes();
            int n = 0;
            while (n < max && events.length() < maxBytes && samples.length() < maxBytes
                && ring.isPublished(position + n)) {
                final long p = position + n;
                final long header = ring.longs[ring.longBase(p) + ManyToOneItemRing.HEADER];
                (ManyToOneItemRing.kind(header) == ManyToOneItemRing.KIND_SAMPLE ? samples : events).append(ring, p);
                n++;
            }
            if (n > 0) {
                ring.release(position, n);
                position += n;
            }
            return n;
        }

        /** Delivers one batch: until acknowledged, rejected, or given up. */
        private void send(final NdjsonBatch batch, final URI uri) {
            int attempt = 0;
            int isolated = 0;
            while (batch.count() > 0) {
                if (stopping) {
                    failed += batch.count();
                    return;
                }
                final int items = batch.count();
                final HttpRequest.Builder request = HttpRequest.newBuilder(uri)
                    .timeout(Duration.ofMillis(config.requestTimeoutMs()))
                    .header("Content-Type", "application/x-ndjson")
                    .POST(HttpRequest.BodyPublishers.ofByteArray(body(batch)));
                if (config.gzip()) {
                    request.header("Content-Encoding", "gzip");
                }
                if (authorization != null) {
                    request.header("Authorization", authorization);
                }
                sent += items;
                String retryAfter = null;
                try {
                    final HttpResponse<String> reply = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
                    final int status = reply.statusCode();
                    if (status >= 200 && status < 300) {
                        acknowledged += items;
                        batches++;
                        if (failing) {
                            failing = false;
                            LOG.log(System.Logger.Level.INFO, "delivering again to " + uri + " after " + attempt
                                + " retries");
                        }
                        return;
                    }
                    final String body = reply.body();
                    final String error = "HTTP " + status + " from " + uri + ": " + abbreviated(body);
                    lastError = error;
                    if (status != 408 && status != 429 && status < 500) {
                        final int index = badIndex(body, items);
                        if (index >= 0 && isolated < MAX_ISOLATED_PER_BATCH && items > 1) {
                            isolated++;
                            rejected += 1;
                            batch.remove(index);
                            LOG.log(System.Logger.Level.WARNING, error + "; rejected the item at index " + index
                                + ", sending the other " + batch.count() + " again");
                            continue;
                        }
                        rejected += items;
                        LOG.log(System.Logger.Level.WARNING, error + "; rejected " + items + " items, not retried");
                        return;
                    }
                    retryAfter = reply.headers().firstValue("Retry-After").orElse(null);
                } catch (final IOException e) {
                    lastError = e.getClass().getSimpleName() + " posting to " + uri + ": " + e.getMessage();
                } catch (final InterruptedException e) {
                    failed += items;
                    lastError = "interrupted while posting to " + uri;
                    return;
                }
                if (attempt >= config.maxRetries()) {
                    failed += items;
                    LOG.log(System.Logger.Level.WARNING, lastError + "; gave up " + items + " items after "
                        + attempt + " retries");
                    return;
                }
                if (!failing) {
                    failing = true;
                    LOG.log(System.Logger.Level.WARNING, lastError + "; retrying with backoff (further failures "
                        + "are logged at DEBUG)");
                } else {
                    LOG.log(System.Logger.Level.DEBUG, lastError);
                }
                attempt++;
                retried++;
                pause(backoff.delayMs(attempt, retryAfter, System.currentTimeMillis()));
            }
        }

        private void pause(final long ms) {
            final long deadlineNs = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(ms);
            long leftNs;
            while (!stopping && (leftNs = deadlineNs - System.nanoTime()) > 0) {
                LockSupport.parkNanos(leftNs);
                Thread.interrupted();   // only close() interrupts, and it sets stopping first
            }
        }

        private void notifySettled() {
            synchronized (settledMonitor) {
                settledMonitor.notifyAll();
            }
        }
    }

    /**
     * @param body  the server's error reply, {@code {"error": ..., "field": ..., "index": n}}.
     * @param items in the batch.
     * @return the index the server named, or -1.
     */
    static int badIndex(final String body, final int items) {
        if (body == null) {
            return -1;
        }
        final Matcher m = INDEX.matcher(body);
        if (!m.find()) {
            return -1;
        }
        try {
            final int index = Integer.parseInt(m.group(1));
            return index < items ? index : -1;
        } catch (final NumberFormatException e) {
            return -1;
        }
    }

    private static String abbreviated(final String body) {
        if (body == null) {
            return "";
        }
        return body.length() <= MAX_LOGGED_BODY_CHARS ? body : body.substring(0, MAX_LOGGED_BODY_CHARS) + "...";
    }

    /** The request body of a batch: its NDJSON bytes, gzip-compressed when configured. Sender thread only. */
    private byte[] body(final NdjsonBatch batch) {
        if (!config.gzip()) {
            return Arrays.copyOf(batch.bytes(), batch.length());
        }
        final java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream(batch.length() / 4 + 64);
        try (java.util.zip.GZIPOutputStream gz = new java.util.zip.GZIPOutputStream(out, 8192)) {
            gz.write(batch.bytes(), 0, batch.length());
        } catch (final IOException e) {
            throw new java.io.UncheckedIOException("compressing in memory cannot fail", e);
        }
        return out.toByteArray();
    }
}
