package dev.ringmeter.server.cluster;

import dev.ringmeter.Event;
import dev.ringmeter.server.http.ApiException;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

import java.time.Duration;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Produces the events a node accepts to the cluster's events topic: an idempotent producer with {@code acks=all},
 * the key the event's model (so a model's events go to one partition, and so to one node), the value
 * {@link EventCodec}'s form. {@link #send} returns only once Kafka has acknowledged every event of the batch; it
 * throws a 503 otherwise, and the request is then not acknowledged.
 * <p>
 * Memory: the Kafka producer's buffer ({@code buffer.memory}, 32 MiB by default) holds the records not yet
 * acknowledged; a full buffer blocks {@code send} for at most the flush timeout.
 * <p>
 * Threading: {@link #send} from any request thread at once (the Kafka producer is thread-safe); close once, after
 * the last send.
 */
public final class ClusterProducer implements AutoCloseable {
    /** Retry-After of a batch Kafka did not acknowledge, seconds. */
    private static final int RETRY_AFTER_S = 2;

    private final KafkaProducer<String, byte[]> producer;
    private final String topic;
    private final long timeoutMs;

    /**
     * @param bootstrap the Kafka bootstrap servers.
     * @param topic     the events topic.
     * @param timeoutMs how long a batch may wait for Kafka's acknowledgement (the server's flush timeout).
     */
    public ClusterProducer(final String bootstrap, final String topic, final long timeoutMs) {
        final Properties p = new Properties();
        p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        p.put(ProducerConfig.ACKS_CONFIG, "all");
        p.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        p.put(ProducerConfig.LINGER_MS_CONFIG, "2");
        p.put(ProducerConfig.COMPRESSION_TYPE_CONFIG, "lz4");
        p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, Long.toString(timeoutMs));
        p.put(ProducerConfig.CLIENT_ID_CONFIG, "ringmeter-producer");
        this.producer = new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
        this.topic = topic;
        this.timeoutMs = timeoutMs;
    }

    /**
     * Produces events 0 to n-1 and waits until Kafka has acknowledged all of them.
     *
     * @param events the batch, each event checked by the store's rules.
     * @param n      how many.
     * @throws ApiException 503 with Retry-After if Kafka did not acknowledge them all in time.
     */
    public void send(final Event[] events, final int n) {
        final Acks acks = new Acks(n);
        try {
            for (int i = 0; i < n; i++) {
                producer.send(new ProducerRecord<>(topic, events[i].model(), EventCodec.encode(events[i])), acks);
            }
        } catch (final KafkaException e) {
            throw unavailable("Kafka refused the batch (" + e.getMessage() + ")");
        }
        final boolean done;
        try {
            done = acks.await(timeoutMs);
        } catch (final InterruptedException e) {
            Thread.currentThread().interrupt();
            throw unavailable("interrupted before Kafka acknowledged the batch");
        }
        if (!done) {
            throw unavailable("Kafka did not acknowledge the " + n + " events within " + timeoutMs + " ms");
        }
        final Exception failure = acks.failure.get();
        if (failure != null) {
            throw unavailable("Kafka failed to store the batch (" + failure.getMessage() + ")");
        }
    }

    private static ApiException unavailable(final String why) {
        return ApiException.unavailable(why + "; the batch was not acknowledged and may or may not be kept, so a "
            + "retry may store some of it twice", RETRY_AFTER_S);
    }

    /** Waits for the records in flight at most the flush timeout: none of them belongs to an acknowledged batch. */
    @Override
    public void close() {
        producer.close(Duration.ofMillis(timeoutMs));
    }

    /** Counts down a batch's acknowledgements; keeps the first failure. */
    private static final class Acks implements Callback {
        private final AtomicInteger remaining;
        private final AtomicReference<Exception> failure = new AtomicReference<>();

        Acks(final int n) {
            this.remaining = new AtomicInteger(n);
        }

        @Override
        public void onCompletion(final RecordMetadata metadata, final Exception exception) {
            if (exception != null) {
                failure.compareAndSet(null, exception);
            }
            if (remaining.decrementAndGet() == 0) {
                synchronized (this) {
                    notifyAll();
                }
            }
        }

        synchronized boolean await(final long timeoutMs) throws InterruptedException {
            final long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
            while (remaining.get() > 0) {
                final long left = deadline - System.nanoTime();
                if (left <= 0) {
                    return false;
                }
                TimeUnit.NANOSECONDS.timedWait(this, left);
            }
            return true;
        }
    }
}
