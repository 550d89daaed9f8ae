package dev.ringmeter.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.ringmeter.server.cluster.ClusterNode;
import dev.ringmeter.server.cluster.KafkaBroker;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Cluster mode against a real Kafka broker in KRaft mode (a child JVM): a node produces what it accepts to Kafka,
 * answers 202 only once Kafka has it, and records the events of its partitions from the topic; a node whose Kafka is
 * gone answers 503 with Retry-After; a record a node cannot read is skipped, and the rest of its partition recorded.
 */
class ClusterIngestTest {
    private static final List<String> MODELS = List.of("c-alpha", "c-beta", "c-gamma");

    private static Path brokerDir;
    private static KafkaBroker broker;

    @TempDir
    Path dir;

    @BeforeAll
    @Timeout(240)
    static void startBroker() throws Exception {
        brokerDir = Files.createTempDirectory("ringmeter-kafka");
        broker = KafkaBroker.start(brokerDir);
    }

    @AfterAll
    static void stopBroker() {
        if (broker != null) {
            broker.close();
        }
    }

    /** A batch of every field, spread over three models; the same text goes to a node and to a single server. */
    private static String batch(final int n, final long now) {
        final Random random = new Random(19);
        final StringBuilder b = new StringBuilder();
        for (int i = 0; i < n; i++) {
            final boolean error = i % 17 == 0;
            b.append("{\"timestamp\":").append(now - random.nextInt(60_000))
                .append(",\"model\":\"").append(MODELS.get(i % MODELS.size())).append('"')
                .append(",\"operation\":\"chat\",\"latencyMs\":").append(1 + random.nextInt(5_000)).append('.')
                .append(random.nextInt(1_000_000))
                .append(",\"ttftMs\":").append(random.nextInt(500)).append(".25")
                .append(",\"promptTokens\":").append(100 + random.nextInt(900))
                .append(",\"completionTokens\":").append(random.nextInt(400))
                .append(",\"costUsd\":").append(random.nextInt(1000) / 100_000.0)
                .append(",\"cacheHit\":").append(i % 3 == 0)
                .append(",\"status\":\"").append(error ? "error\",\"errorType\":\"rate_limit" : "ok").append('"')
                .append(",\"provider\":\"p").append(i % 2).append('"')
                .append(",\"quality\":{\"score\":").append(random.nextInt(100) / 100.0).append('}')
                .append(",\"tags\":{\"region\":\"eu-").append(i % 4).append("\"}}\n");
        }
        return b.toString();
    }

    @Test
    @Timeout(180)
    void aBatchPostedToANodeIsRecordedFromKafkaAsASingleServerRecordsIt() throws Exception {
        final int n = 600;
        final long now = System.currentTimeMillis();
        final String body = batch(n, now);
        try (TestServer node = new TestServer(new ServerConfig().cluster(broker.bootstrap(), "one")
                .kafkaPartitions(3), dir.resolve("node"));
             TestServer single = TestServer.start(dir.resolve("single"))) {
            final TestServer.Reply reply = node.post("/api/v1/events", TestServer.NDJSON, body);
            assertEquals(202, reply.status(), reply.body());
            assertEquals(n, reply.json().get("accepted").asInt());
            assertEquals(202, single.post("/api/v1/events", TestServer.NDJSON, body).status());

            awaitCount(node, n);
            for (final String model : MODELS) {
                assertEquals(stable(single.get("/api/v1/analytics?window=1h&model=" + model).json()),
                    stable(node.get("/api/v1/analytics?window=1h&model=" + model).json()), model);
            }
            assertEquals(n, node.count(null), "no event counted twice");
        }
    }

    @Test
    @Timeout(240)
    void aNodeWhoseKafkaIsGoneAnswers503WithRetryAfterAndNothingIsCounted() throws Exception {
        final KafkaBroker own = KafkaBroker.start(Files.createDirectories(dir.resolve("own-broker")));
        try (TestServer node = new TestServer(new ServerConfig().cluster(own.bootstrap(), "gone")
                 .flushTimeoutMs(2_000), dir.resolve("node"))) {
            assertEquals(202, node.post("/api/v1/events", TestServer.NDJSON, batch(3, System.currentTimeMillis()))
                .status());
            awaitCount(node, 3);
            own.close();   // SIGKILL: the broker is gone
            final TestServer.Reply reply = node.post("/api/v1/events", TestServer.NDJSON,
                batch(5, System.currentTimeMillis()));
            assertEquals(503, reply.status(), reply.body());
            assertTrue(reply.raw().headers().firstValue("Retry-After").isPresent(), "Retry-After");
            assertTrue(reply.body().contains("Kafka"), reply.body());
            assertEquals(3, node.count(null), "only the acknowledged batch is counted");
        } finally {
            own.close();
        }
    }

    @Test
    @Timeout(120)
    void aRecordTheNodeCannotReadIsSkippedAndTheRestOfItsPartitionIsRecorded() throws Exception {
        try (TestServer node = new TestServer(new ServerConfig().cluster(broker.bootstrap(), "skip")
                .kafkaPartitions(1), dir.resolve("node"));
             KafkaProducer<String, String> producer = new KafkaProducer<>(Map.of(
                 ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrap(), ProducerConfig.ACKS_CONFIG, "all"),
                 new StringSerializer(), new StringSerializer())) {
            final String topic = ClusterNode.topic("skip");
            final String good = "{\"model\":\"s-model\",\"latencyMs\":5}";
            for (final String value : List.of(good, "not json", "{\"model\":\"s-model\",\"latencyMs\":-1}",
                good, good)) {
                producer.send(new ProducerRecord<>(topic, "s-model", value)).get(60, TimeUnit.SECONDS);
            }
            awaitCount(node, 3);
            producer.send(new ProducerRecord<>(topic, "s-model", good)).get(60, TimeUnit.SECONDS);
            awaitCount(node, 4);   // the partition goes on after the skipped records
        }
    }

    /** Polls the node until it counts n events of every model, or fails at the deadline. */
    private static void awaitCount(final TestServer node, final long n) throws InterruptedException {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
        while (node.count(null) < n && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertEquals(n, node.count(null), "events counted by the node");
    }

    /** The analytics without the window's ends and rates, which depend on the moment it was asked. */
    private static JsonNode stable(final JsonNode analytics) {
        final ObjectNode copy = analytics.deepCopy();
        copy.remove(List.of("from", "to", "coveredTo", "requestsPerSecond", "tokensPerSecond"));
        return copy;
    }
}
