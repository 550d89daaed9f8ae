package dev.ringmeter.server.ingest;

import dev.ringmeter.core.EmbeddedStore;
import dev.ringmeter.server.ServerConfig;
import dev.ringmeter.server.StoreContext;
import dev.ringmeter.server.StoreHolder;
import dev.ringmeter.server.http.ApiException;
import dev.ringmeter.server.http.BoundedInputStream;
import io.javalin.http.Context;

import java.io.IOException;
import java.io.InputStream;
import java.util.concurrent.TimeUnit;

/**
 * Ingest of a batch of events or metric samples: admit the request (a free {@link IngestGate} permit, a body within
 * its limit), read and check the whole batch, check its strings against the dictionary's limits, and only then
 * record every item and wait for the store to acknowledge them. A bad batch is refused whole and stores nothing;
 * a reply of 202 is sent only after {@code flush()} has returned true.
 * <p>
 * The store runs with the BLOCK full-ring policy, so {@code record()} never drops: it waits for a free slot, and
 * the gate's permits bound how many requests can wait, and so the memory they hold.
 * <p>
 * Threading: any request thread; the state it shares lives in the gate and the store.
 */
public final class IngestService {
    private final StoreHolder holder;
    private final IngestGate gate;
    private final long maxBodyBytes;
    private final int maxBatch;
    private final long flushTimeoutMs;

    /**
     * @param holder the store.
     * @param gate   the write-request permits.
     * @param config the server's options.
     */
    public IngestService(final StoreHolder holder, final IngestGate gate, final ServerConfig config) {
        this.holder = holder;
        this.gate = gate;
        this.maxBodyBytes = config.maxBodyBytes();
        this.maxBatch = config.maxBatch();
        this.flushTimeoutMs = config.flushTimeoutMs();
    }

    /**
     * @param ctx the request.
     * @return the number of events recorded and acknowledged.
     * @throws IOException if the connection fails.
     */
    int events(final Context ctx) throws IOException {
        final StoreContext sc = holder.get();
        final boolean ndjson = ndjson(ctx);
        final InputStream body = body(ctx);
        final IngestBatch batch = gate.acquire();
        try {
            final int n = BatchReader.read(body, ndjson, maxBatch, batch, sc.events);
            sc.guard.admitEvents(batch, n);
            final EmbeddedStore store = sc.store;
            for (int i = 0; i < n; i++) {
                record(store.record(batch.filledEvent(i)));
            }
            acknowledge(store, n);
            return n;
        } finally {
            gate.release(batch);
        }
    }

    /**
     * @param ctx the request.
     * @return the number of samples recorded and acknowledged.
     * @throws IOException if the connection fails.
     */
    int samples(final Context ctx) throws IOException {
        final StoreContext sc = holder.get();
        final boolean ndjson = ndjson(ctx);
        final InputStream body = body(ctx);
        final IngestBatch batch = gate.acquire();
        try {
            final int n = BatchReader.read(body, ndjson, maxBatch, batch, sc.samples);
            sc.guard.admitSamples(batch, n);
            for (int i = 0; i < n; i++) {
                record(sc.store.record(batch.filledSample(i)));
            }
            acknowledge(sc.store, n);
            return n;
        } finally {
            gate.release(batch);
        }
    }

    /**
     * Runs a small write (a price change) under a gate permit, so writes of every kind share one bound.
     *
     * @param write the write.
     */
    void underPermit(final Runnable write) {
        final IngestBatch batch = gate.acquire();
        try {
            write.run();
        } finally {
            gate.release(batch);
        }
    }

    /**
     * Waits for the store to acknowledge what was recorded.
     *
     * @param store the store.
     * @param n     items of the request, for the message.
     * @throws ApiException 503 if the acknowledgement did not come in time.
     */
    void acknowledge(final EmbeddedStore store, final int n) {
        final boolean flushed;
        try {
            flushed = store.flush(flushTimeoutMs, TimeUnit.MILLISECONDS);
        } catch (final InterruptedException e) {
            Thread.currentThread().interrupt();
            throw ApiException.unavailable("interrupted before the store acknowledged the batch", 1);
        }
        if (!flushed) {
            throw ApiException.unavailable("the store did not acknowledge the " + n + " items within " + flushTimeoutMs
                + " ms; they were not acknowledged and may or may not be kept, so a retry may store them twice", 1);
        }
    }

    private static void record(final boolean accepted) {
        if (!accepted) {   // cannot happen with the BLOCK policy; never acknowledge silently what was dropped
            throw ApiException.unavailable("the store's ring is full and dropped an item; the batch was not "
                + "acknowledged", 1);
        }
    }

    private static boolean ndjson(final Context ctx) {
        final String type = ctx.contentType();
        if (type == null || startsWith(type, "application/json")) {
            return false;
        }
        if (startsWith(type, "application/x-ndjson") || startsWith(type, "application/ndjson")
            || startsWith(type, "application/jsonl")) {
            return true;
        }
        throw ApiException.unsupportedMediaType("Content-Type must be application/json or application/x-ndjson");
    }

    private static boolean startsWith(final String s, final String prefix) {
        return s.regionMatches(true, 0, prefix, 0, prefix.length());
    }

    private InputStream body(final Context ctx) throws IOException {
        final long declared = ctx.req().getContentLengthLong();
        if (declared > maxBodyBytes) {
            throw ApiException.tooLarge(null, -1, "request body of " + declared + " bytes is larger than "
                + maxBodyBytes + " bytes");
        }
        final InputStream body = new BoundedInputStream(ctx.bodyInputStream(), maxBodyBytes);
        final String encoding = ctx.header("Content-Encoding");
        if (encoding == null || encoding.isBlank() || encoding.equalsIgnoreCase("identity")) {
            return body;
        }
        if (!encoding.equalsIgnoreCase("gzip")) {
            throw ApiException.unsupportedMediaType("Content-Encoding must be gzip or identity, not " + encoding);
        }
        // the limit applies to the inflated body too, so a small compressed body cannot expand without bound
        return new BoundedInputStream(new GzipBody(body), maxBodyBytes);
    }

    /** Inflates a gzip body; a body that is not valid gzip is a malformed request (400), not a server error. */
    private static final class GzipBody extends java.io.FilterInputStream {
        private GzipBody(final InputStream compressed) {
            super(compressed);
        }

        private InputStream inflater() throws IOException {
            if (!(in instanceof java.util.zip.GZIPInputStream)) {
                in = new java.util.zip.GZIPInputStream(in, 8192);
            }
            return in;
        }

        @Override
        public int read() throws IOException {
            try {
                return inflater().read();
            } catch (final java.util.zip.ZipException | java.io.EOFException e) {
                throw notGzip(e);
            }
        }

        @Override
        public int read(final byte[] b, final int off, final int len) throws IOException {
            try {
                return inflater().read(b, off, len);
            } catch (final java.util.zip.ZipException | java.io.EOFException e) {
                throw notGzip(e);
            }
        }

        private static ApiException notGzip(final IOException e) {
            return ApiException.malformed("body is not valid gzip: " + e.getMessage(), -1, -1, -1, -1);
        }
    }
}
