package dev.ringmeter.server.ingest;

import dev.ringmeter.Event;
import dev.ringmeter.MetricSample;
import dev.ringmeter.core.EmbeddedStore;
import dev.ringmeter.core.dictionary.DictionaryAdmission;
import dev.ringmeter.core.dictionary.RefusedItemException;
import dev.ringmeter.core.ingest.EventRules;
import dev.ringmeter.server.ServerConfig;
import dev.ringmeter.server.StoreContext;
import dev.ringmeter.server.StoreHolder;
import dev.ringmeter.server.cluster.ClusterProducer;
import dev.ringmeter.server.http.ApiException;
import dev.ringmeter.server.http.RequestBody;
import io.javalin.http.Context;

import java.io.IOException;
import java.io.InputStream;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;

/**
 * Ingest of a batch of events or metric samples: read the whole body (within its byte limit and the body timeout,
 * {@link RequestBody}), and only then take a free {@link IngestGate} permit, so a slow upload holds a request thread
 * for at most the body timeout and never a permit; read and check the whole batch (plain NDJSON events from the
 * body's bytes, {@link NdjsonEventReader}, anything else with {@link BatchReader}), check its strings against the
 * dictionary's limits, and only then record every item (events with ring slots claimed for many at once,
 * {@code EmbeddedStore.recordAll}) and wait for the store to acknowledge them. A bad batch is
 * refused whole and stores nothing; a reply of 202 is sent only after {@code flush()} has returned true.
 * While the store's journal cannot write (a full disk), every batch gets 503 naming the failure, and none is
 * acknowledged; the store takes events again by itself once its journal writes.
 * <p>
 * The store runs with the BLOCK full-ring policy: {@code record()} waits for a free slot, for at most the flush
 * timeout (the store's block timeout), and the gate's permits bound how many requests can wait, and so the memory
 * they hold. A slot not found in time is a 503: nothing of the batch is acknowledged.
 * <p>
 * In cluster mode ({@link #cluster}) a batch of events, once read and checked, is produced to Kafka instead, and the
 * 202 waits for Kafka's acknowledgement; the node that owns the model's partition records it through
 * {@link #applyEvents}, this same path (docs/cluster.md).
 * <p>
 * Threading: any request thread; the state it shares lives in the gate and the store.
 */
public final class IngestService {
    /** The Retry-After of a refusal while the journal cannot write, seconds. */
    private static final int UNWRITABLE_RETRY_AFTER_S = 5;

    private final StoreHolder holder;
    private final IngestGate gate;
    private final long maxBodyBytes;
    private final long bodyTimeoutMs;
    private final int maxBatch;
    private final long flushTimeoutMs;
    /** Null on a single server. */
    private volatile ClusterProducer cluster;

    /**
     * @param holder the store.
     * @param gate   the write-request permits.
     * @param config the server's options.
     */
    public IngestService(final StoreHolder holder, final IngestGate gate, final ServerConfig config) {
        this.holder = holder;
        this.gate = gate;
        this.maxBodyBytes = config.maxBodyBytes();
        this.bodyTimeoutMs = config.bodyTimeoutMs();
        this.maxBatch = config.maxBatch();
        this.flushTimeoutMs = config.flushTimeoutMs();
    }

    /**
     * Makes this a cluster node's ingest: batches of events go to Kafka from now on.
     *
     * @param producer to the cluster's events topic.
     */
    public void cluster(final ClusterProducer producer) {
        this.cluster = producer;
    }

    /**
     * Records, in the local store, events a cluster node consumed from Kafka: read and checked as an HTTP batch of
     * NDJSON, under a gate permit, admitted, recorded and acknowledged by the store.
     *
     * @param ndjson the events, one JSON object a line, at most the batch limit.
     * @return the number of events recorded and acknowledged.
     * @throws ApiException as for HTTP ingest: a bad item (400/422, with its index), no free permit (429), the
     *                      store not ready or not acknowledging (503).
     * @throws IOException  if the body cannot be read.
     */
    public int applyEvents(final InputStream ndjson) throws IOException {
        final StoreContext sc = holder.get();
        return ingest(sc, Items.EVENTS, batch -> BatchReader.read(ndjson, true, maxBatch, batch, sc.events), false);
    }

    /**
     * @param ctx the request.
     * @return the number of events recorded and acknowledged.
     * @throws IOException if the connection fails.
     */
    int events(final Context ctx) throws IOException {
        return ingest(ctx, Items.EVENTS);
    }

    /**
     * @param ctx the request.
     * @return the number of samples recorded and acknowledged.
     * @throws IOException if the connection fails.
     */
    int samples(final Context ctx) throws IOException {
        return ingest(ctx, Items.SAMPLES);
    }

    private int ingest(final Context ctx, final Items items) throws IOException {
        final StoreContext sc = holder.get();
        final boolean ndjson = ndjson(ctx);
        final InputStream body = body(ctx, maxBodyBytes);   // before the permit: a slow body holds none
        return ingest(sc, items, batch -> read(sc, items, ndjson, body, batch), items == Items.EVENTS);
    }

    /**
     * Reads a batch: NDJSON events of the plain shape straight from the body's bytes ({@link NdjsonEventReader}),
     * anything else, or what that reader gives up on, with the full parser, which names what is wrong.
     */
    private int read(final StoreContext sc, final Items items, final boolean ndjson, final InputStream body,
                     final IngestBatch batch) throws IOException {
        if (ndjson && items == Items.EVENTS && body instanceof RequestBody.Bytes) {
            final RequestBody.Bytes bytes = (RequestBody.Bytes)body;
            final int n = NdjsonEventReader.read(bytes.array(), bytes.position(), bytes.end(), maxBatch, batch,
                sc.events);
            if (n >= 0) {
                return n;
            }
        }
        return BatchReader.read(body, ndjson, maxBatch, batch, items.reader(sc));
    }

    /**
     * Ingests a batch of events that a receiver of another protocol (OTLP) reads from a body it took with
     * {@link #body}: as a batch of ours, under a permit, admitted, recorded and acknowledged.
     *
     * @param translator fills the batch's events, each checked by the store's rules.
     * @return the number of events recorded and acknowledged.
     * @throws IOException if the body cannot be read.
     */
    public int events(final Translator<Event> translator) throws IOException {
        final StoreContext sc = holder.get();
        return ingest(sc, Items.EVENTS, batch -> translator.fill(batch::event, maxBatch, sc.rules), true);
    }

    /**
     * As {@link #events(Translator)}, for custom metric samples.
     *
     * @param translator fills the batch's samples, each checked by the store's rules.
     * @return the number of samples recorded and acknowledged.
     * @throws IOException if the body cannot be read.
     */
    public int samples(final Translator<MetricSample> translator) throws IOException {
        final StoreContext sc = holder.get();
        return ingest(sc, Items.SAMPLES, batch -> translator.fill(batch::sample, maxBatch, sc.rules), false);
    }

    /**
     * Reads a body of another protocol into a batch's items.
     *
     * @param <T> events or metric samples.
     */
    @FunctionalInterface
    public interface Translator<T> {
        /**
         * @param item     the i-th item of the batch, reset, to fill; items 0 to n-1 are recorded.
         * @param maxBatch most items of a batch: more is a 413.
         * @param rules    the store's rules, which each item kept must pass.
         * @return n, the number of items filled and checked.
         * @throws IOException if the body cannot be read.
         */
        int fill(IntFunction<T> item, int maxBatch, EventRules rules) throws IOException;
    }

    /** Fills a batch. */
    @FunctionalInterface
    private interface Fill {
        int fill(IngestBatch batch) throws IOException;
    }

    /** @param toCluster whether, on a cluster node, the batch goes to Kafka rather than to the local store. */
    private int ingest(final StoreContext sc, final Items items, final Fill fill, final boolean toCluster)
        throws IOException {
        final IngestBatch batch = gate.acquire();
        try {
            final int n = fill.fill(batch);
            final ClusterProducer producer = cluster;
            if (toCluster && producer != null) {
                producer.send(batch.filledEvents(), n);   // admitted to a dictionary by the node that records them
                return n;
            }
            try {
                items.admit(sc.admission, batch, n);
            } catch (final RefusedItemException e) {
                throw refused(e);
            }
            final EmbeddedStore store = sc.store;
            refuseWhileUnwritable(store, 0);
            try {
                record(items.record(store, batch, n) == n);
            } catch (final IllegalStateException e) {
                refuseWhileUnwritable(store, 1);   // the journal failed while the batch was being recorded
                throw e;
            }
            acknowledge(store, n);
            return n;
        } finally {
            gate.release(batch);
        }
    }

    /** What a batch of events and one of metric samples do differently: which reader, admission and record. */
    private enum Items {
        EVENTS {
            @Override
            BatchReader.ItemReader reader(final StoreContext sc) {
                return sc.events;
            }

            @Override
            void admit(final DictionaryAdmission admission, final IngestBatch batch, final int n) {
                admission.admitEvents(batch.filledEvents(), n);
            }

            @Override
            int record(final EmbeddedStore store, final IngestBatch batch, final int n) {
                return store.recordAll(batch.filledEvents(), n);
            }
        },
        SAMPLES {
            @Override
            BatchReader.ItemReader reader(final StoreContext sc) {
                return sc.samples;
            }

            @Override
            void admit(final DictionaryAdmission admission, final IngestBatch batch, final int n) {
                admission.admitSamples(batch.filledSamples(), n);
            }

            @Override
            int record(final EmbeddedStore store, final IngestBatch batch, final int n) {
                for (int i = 0; i < n; i++) {
                    if (!store.record(batch.filledSample(i))) {
                        return i;
                    }
                }
                return n;
            }
        };

        abstract BatchReader.ItemReader reader(StoreContext sc);

        abstract void admit(DictionaryAdmission admission, IngestBatch batch, int n);

        /** @return how many of the batch's n items, from the first, are in the ring (n unless it stayed full). */
        abstract int record(EmbeddedStore store, IngestBatch batch, int n);
    }

    /**
     * Reads a write request's whole body as an ingest body is read: within the body timeout, before any permit.
     *
     * @param ctx      the request.
     * @param maxBytes most bytes of the body.
     * @return the body.
     * @throws IOException if the connection fails.
     */
    public InputStream body(final Context ctx, final long maxBytes) throws IOException {
        gate.bodyReading();
        boolean timedOut = false;
        try {
            return RequestBody.read(ctx, maxBytes, bodyTimeoutMs);
        } catch (final ApiException e) {
            timedOut = e.status() == 408;
            throw e;
        } finally {
            gate.bodyRead(timedOut);
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
            refuseWhileUnwritable(store, 1);
            throw ApiException.unavailable("the store did not acknowledge the " + n + " items within " + flushTimeoutMs
                + " ms; they were not acknowledged and may or may not be kept, so a retry may store them twice", 1);
        }
    }

    /**
     * Refuses the request with 503 while the store's journal cannot write (a full or read-only disk): the store
     * retries by itself and takes events again once the journal writes, so the client retries later.
     *
     * @param store    the store.
     * @param recorded 0 if nothing of the batch was recorded yet, 1 if some of it may be in the ring.
     * @throws ApiException 503 naming the journal's failure, if there is one.
     */
    static void refuseWhileUnwritable(final EmbeddedStore store, final int recorded) {
        final Throwable failure = store.journalFailure();
        if (failure != null) {
            throw ApiException.unavailable("the store cannot write its journal and takes no events until it can ("
                + failure.getMessage() + "); " + (recorded == 0 ? "nothing of this batch was stored"
                : "the batch was not acknowledged and may or may not be kept, so a retry may store it twice")
                + "; retry later", UNWRITABLE_RETRY_AFTER_S);
        }
    }

    /**
     * @param e an item of a batch that breaks a rule of the store's dictionary (a string too long, a dimension
     *          past its cardinality limit); nothing of the batch was registered.
     * @return 422 naming the field and the item's index.
     */
    static ApiException refused(final RefusedItemException e) {
        return ApiException.invalid(e.reason(), e.index());
    }

    /**
     * @param accepted what the store's {@code record()} or {@code setPrice()} returned.
     * @throws ApiException 503 if the ring stayed full for the store's block timeout: the batch is not acknowledged.
     */
    void record(final boolean accepted) {
        if (!accepted) {
            throw ApiException.unavailable("the store's ring stayed full for " + flushTimeoutMs + " ms; the batch "
                + "was not acknowledged, and the items before the refused one may or may not be kept, so a retry may "
                + "store them twice", 1);
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
}
