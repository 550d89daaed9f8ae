package dev.ringmeter.server.cluster;

import dev.ringmeter.server.http.ApiException;
import dev.ringmeter.server.ingest.IngestService;
import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A cluster node's consumer: joins the consumer group {@code ringmeter.<cluster>} on the events topic and records
 * the events of the partitions assigned to it in the local store, through {@link IngestService#applyEvents} (the
 * reader, rules, dictionary admission and recording of HTTP ingest: one path). Records are applied in chunks of at
 * most the batch limit, in partition order.
 * <p>
 * No offset is committed ({@code enable.auto.commit=false}, and no commit): the store of a node in cluster mode is
 * in memory, so a node that starts, or is assigned a partition, reads it from the topic's beginning
 * ({@code auto.offset.reset=earliest}). Committing offsets together with a local snapshot is the next step
 * (docs/cluster.md).
 * <p>
 * A record the local store refuses (a field that breaks a rule, a dimension past this node's cardinality limit) is
 * skipped and counted ({@link #skipped()}), logged with its partition and offset; the rest of its chunk is applied.
 * While the store is busy (no free ingest permit) or not ready, the chunk is retried.
 * <p>
 * Memory: one chunk's bytes (at most the batch limit's records) and the last poll's records
 * ({@code max.poll.records}, 500).
 * <p>
 * Threading: one thread of its own, started by {@link #start()}; {@link #close()} from any other thread.
 */
public final class ClusterConsumer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ClusterConsumer.class);
    private static final long RETRY_PAUSE_MS = 50;
    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(5);

    private final KafkaConsumer<String, byte[]> consumer;
    private final String topic;
    private final IngestService ingest;
    private final int maxBatch;
    private final Thread thread;
    private final AtomicLong applied = new AtomicLong();
    private final AtomicLong skipped = new AtomicLong();
    private volatile boolean running = true;

    private byte[] chunk = new byte[64 * 1024];
    private int[] starts;
    private final ConsumerRecord<?, ?>[] records;
    private int length;
    private int count;

    /**
     * @param bootstrap the Kafka bootstrap servers.
     * @param topic     the events topic.
     * @param group     the consumer group.
     * @param ingest    records the events locally.
     * @param maxBatch  most events applied at once (the server's batch limit).
     */
    public ClusterConsumer(final String bootstrap, final String topic, final String group, final IngestService ingest,
                           final int maxBatch) {
        final Properties p = new Properties();
        p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ConsumerConfig.GROUP_ID_CONFIG, group);
        p.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        p.put(ConsumerConfig.CLIENT_ID_CONFIG, "ringmeter-consumer");
        this.consumer = new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer());
        this.topic = topic;
        this.ingest = ingest;
        this.maxBatch = maxBatch;
        this.starts = new int[Math.min(maxBatch, 1024) + 1];
        this.records = new ConsumerRecord<?, ?>[starts.length];
        this.thread = new Thread(this::run, "ringmeter-cluster-consumer");
        thread.setDaemon(true);
    }

    /** Joins the group and starts applying. */
    public void start() {
        thread.start();
    }

    /** @return events recorded in the local store since the start. */
    public long applied() {
        return applied.get();
    }

    /** @return records the local store refused and that were skipped. */
    public long skipped() {
        return skipped.get();
    }

    private void run() {
        try {
            consumer.subscribe(List.of(topic));
            while (running) {
                final ConsumerRecords<String, byte[]> polled = consumer.poll(Duration.ofMillis(500));
                for (final ConsumerRecord<String, byte[]> r : polled) {
                    add(r);
                    if (count == maxBatch) {
                        apply();
                    }
                }
                apply();
            }
        } catch (final WakeupException e) {
            if (running) {
                LOG.error("event=cluster-consumer-stopped reason=wakeup", e);
            }
        } catch (final RuntimeException | Error e) {
            LOG.error("event=cluster-consumer-stopped", e);
        } finally {
            consumer.close(CloseOptions.timeout(CLOSE_TIMEOUT));   // leaves the group; bounded if Kafka is gone
        }
    }

    private void add(final ConsumerRecord<String, byte[]> r) {
        final byte[] value = r.value();
        if (value == null || value.length == 0) {   // no event: a record no Ringmeter node wrote
            skipped.incrementAndGet();
            LOG.warn("event=cluster-record-skipped partition={} offset={} reason=\"empty\"", r.partition(), r.offset());
            return;
        }
        final int size = value.length;
        if (count + 1 >= starts.length) {
            apply();
        }
        if (length + size + 1 > chunk.length) {
            chunk = Arrays.copyOf(chunk, Math.max(chunk.length * 2, length + size + 1));
        }
        starts[count] = length;
        records[count++] = r;
        System.arraycopy(value, 0, chunk, length, size);
        length += size;
        chunk[length++] = '\n';
        starts[count] = length;
    }

    /** Applies the chunk's records from the first, skipping each one the store refuses. */
    private void apply() {
        int from = 0;
        while (from < count && running) {
            try {
                final int n = ingest.applyEvents(new ByteArrayInputStream(chunk, starts[from],
                    starts[count] - starts[from]));
                applied.addAndGet(n);
                from = count;
            } catch (final ApiException e) {
                from = refused(e, from);
            } catch (final IOException e) {
                throw new UncheckedIOException(e);   // a ByteArrayInputStream does not fail
            }
        }
        Arrays.fill(records, 0, count, null);
        length = 0;
        count = 0;
    }

    /** @return where to go on from after a refusal of the records from {@code from}. */
    private int refused(final ApiException e, final int from) {
        if (e.status() == 400 || e.status() == 422) {
            final int bad = Math.min(count - 1, from + Math.max(0, e.index()));
            if (bad > from) {   // the ones before it are fine: apply them alone, then skip it
                try {
                    applied.addAndGet(ingest.applyEvents(new ByteArrayInputStream(chunk, starts[from],
                        starts[bad] - starts[from])));
                } catch (final ApiException | IOException again) {
                    pause();
                    return from;   // retried from the same record
                }
            }
            skipped.incrementAndGet();
            final ConsumerRecord<?, ?> r = records[bad];
            LOG.warn("event=cluster-record-skipped partition={} offset={} status={} reason=\"{}\"", r.partition(),
                r.offset(), e.status(), e.getMessage());
            return bad + 1;
        }
        LOG.debug("event=cluster-apply-retry status={} reason=\"{}\"", e.status(), e.getMessage());
        pause();
        return from;
    }

    private void pause() {
        try {
            TimeUnit.MILLISECONDS.sleep(RETRY_PAUSE_MS);
        } catch (final InterruptedException e) {
            Thread.currentThread().interrupt();
            running = false;
        }
    }

    @Override
    public void close() {
        running = false;
        consumer.wakeup();
        try {
            thread.join(TimeUnit.SECONDS.toMillis(30));
        } catch (final InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
