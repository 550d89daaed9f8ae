package dev.ringmeter.server.cluster;

import dev.ringmeter.server.ServerConfig;
import dev.ringmeter.server.ingest.IngestService;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.errors.TopicExistsException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A server's part in a cluster ({@code serve --kafka ... --cluster NAME}): makes sure the events topic
 * {@code ringmeter.NAME.events} exists, turns the server's ingest of events into producing to it
 * ({@link ClusterProducer}) and records the events of this node's partitions locally ({@link ClusterConsumer},
 * group {@code ringmeter.NAME}). The names are made here, in one place.
 * <p>
 * Threading: start and close from the server's start and close; the consumer runs on its own thread.
 */
public final class ClusterNode implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(ClusterNode.class);
    /** The pause between two looks at a new topic's partition leaders, ms. */
    private static final long LEADER_POLL_MS = 50;

    private final ClusterProducer producer;
    private final ClusterConsumer consumer;

    private ClusterNode(final ClusterProducer producer, final ClusterConsumer consumer) {
        this.producer = producer;
        this.consumer = consumer;
    }

    /**
     * @param cluster the cluster's name.
     * @return the topic its events go to.
     */
    public static String topic(final String cluster) {
        return "ringmeter." + cluster + ".events";
    }

    /**
     * @param cluster the cluster's name.
     * @return the consumer group of its nodes.
     */
    public static String group(final String cluster) {
        return "ringmeter." + cluster;
    }

    /**
     * Creates the topic if it is missing, then produces and consumes.
     *
     * @param config the server's options, with {@code --kafka} and {@code --cluster}.
     * @param ingest the server's ingest, which from now on produces its events to Kafka.
     * @return the running node.
     * @throws IllegalStateException if Kafka cannot be reached within the flush timeout (times ten).
     */
    public static ClusterNode start(final ServerConfig config, final IngestService ingest) {
        final String topic = topic(config.cluster());
        createTopic(config.kafka(), topic, config.kafkaPartitions(), config.flushTimeoutMs() * 10);
        final ClusterProducer producer = new ClusterProducer(config.kafka(), topic, config.flushTimeoutMs());
        final ClusterConsumer consumer = new ClusterConsumer(config.kafka(), topic, group(config.cluster()), ingest,
            config.maxBatch());
        ingest.cluster(producer);
        consumer.start();
        LOG.info("event=cluster-joined cluster={} topic={} kafka={}", config.cluster(), topic, config.kafka());
        return new ClusterNode(producer, consumer);
    }

    private static void createTopic(final String bootstrap, final String topic, final int partitions,
                                    final long timeoutMs) {
        final int ms = (int)Math.min(Integer.MAX_VALUE, timeoutMs);
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
            AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, ms, AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, ms))) {
            try {
                admin.createTopics(List.of(new NewTopic(topic, Optional.of(partitions), Optional.empty())))
                    .all().get(timeoutMs, TimeUnit.MILLISECONDS);
                LOG.info("event=cluster-topic-created topic={} partitions={}", topic, partitions);
            } catch (final ExecutionException e) {
                if (!(e.getCause() instanceof TopicExistsException)) {
                    throw e;
                }
            }
            awaitLeaders(admin, topic, timeoutMs);
        } catch (final ExecutionException e) {
            throw new IllegalStateException("cannot create the Kafka topic " + topic + " at " + bootstrap + ": "
                + e.getCause().getMessage(), e.getCause());
        } catch (final TimeoutException e) {
            throw new IllegalStateException("Kafka at " + bootstrap + " did not answer within " + timeoutMs + " ms");
        } catch (final InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while creating the Kafka topic " + topic, e);
        }
    }

    /**
     * Waits until every partition of the topic has a leader: a topic just created answers produce requests with
     * NOT_LEADER_OR_FOLLOWER until then, which would turn the node's first batches into 503s.
     */
    private static void awaitLeaders(final Admin admin, final String topic, final long timeoutMs)
        throws ExecutionException, TimeoutException, InterruptedException {
        final long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        while (true) {
            final TopicDescription description = admin.describeTopics(List.of(topic)).allTopicNames()
                .get(timeoutMs, TimeUnit.MILLISECONDS).get(topic);
            if (description.partitions().stream().allMatch(p -> p.leader() != null && !p.leader().isEmpty())) {
                return;
            }
            if (System.nanoTime() - deadline > 0) {
                throw new TimeoutException("no leader for every partition of " + topic);
            }
            Thread.sleep(LEADER_POLL_MS);   // a back-off between metadata requests, not a synchronisation
        }
    }

    /** @return events of this node's partitions recorded in its store. */
    public long applied() {
        return consumer.applied();
    }

    /** @return records this node's store refused and skipped. */
    public long skipped() {
        return consumer.skipped();
    }

    /** Stops consuming, then producing (the server takes no requests any more). */
    @Override
    public void close() {
        consumer.close();
        producer.close();
    }
}
