package dev.ringmeter.server.cluster;

import dev.ringmeter.core.test.ChildJvm;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.common.Uuid;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;

/**
 * A real Kafka broker (kafka_2.13, of the test class path) in KRaft mode, in a child JVM: one node that is broker
 * and controller, listening on free ports of 127.0.0.1, its log in a temporary directory, replication factor 1 for
 * the internal topics, no initial rebalance delay and the smallest consumer session the broker allows (6 s).
 * {@link #start} formats the storage ({@code kafka.tools.StorageTool format}, with a fresh cluster id), starts
 * {@code kafka.Kafka} and waits, polling with a deadline, until an admin client can describe the cluster.
 * {@link #close()} kills it (SIGKILL) and deletes its directory.
 * <p>
 * The broker's classes run only in the child: the server's own class path has kafka-clients alone.
 * <p>
 * Threading: start, use and close from one test thread.
 */
public final class KafkaBroker implements AutoCloseable {
    /** How long the broker may take to start on a busy machine. */
    private static final Duration DEADLINE = Duration.ofSeconds(120);

    private final Path dir;
    private final Path log;
    private final int port;
    private Process process;
    private long startMs;

    private KafkaBroker(final Path dir, final int port) {
        this.dir = dir;
        this.log = dir.resolve("broker.log");
        this.port = port;
    }

    /**
     * @param dir a directory of its own (deleted by {@link #close()}).
     * @return a running broker, answering an admin client.
     */
    public static KafkaBroker start(final Path dir) throws IOException, InterruptedException {
        final long t0 = System.nanoTime();
        final int port = freePort();
        final int controllerPort = freePort();
        final KafkaBroker broker = new KafkaBroker(dir, port);
        final Path properties = dir.resolve("server.properties");
        Files.writeString(properties, String.join("\n",
            "process.roles=broker,controller",
            "node.id=1",
            "controller.quorum.voters=1@127.0.0.1:" + controllerPort,
            "listeners=PLAINTEXT://127.0.0.1:" + port + ",CONTROLLER://127.0.0.1:" + controllerPort,
            "advertised.listeners=PLAINTEXT://127.0.0.1:" + port,
            "controller.listener.names=CONTROLLER",
            "inter.broker.listener.name=PLAINTEXT",
            "listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT",
            "log.dirs=" + dir.resolve("logs"),
            "num.partitions=1",
            "offsets.topic.replication.factor=1",
            "offsets.topic.num.partitions=1",
            "transaction.state.log.replication.factor=1",
            "transaction.state.log.min.isr=1",
            "share.coordinator.state.topic.replication.factor=1",
            "share.coordinator.state.topic.min.isr=1",
            "group.initial.rebalance.delay.ms=0",
            "group.min.session.timeout.ms=6000",
            ""), StandardCharsets.UTF_8);
        final List<String> jvm = jvmOptions();
        ChildJvm.runToEnd(ChildJvm.command(jvm, kafka.tools.StorageTool.class, "format", "-t",
            Uuid.randomUuid().toString(), "-c", properties.toString()), dir.resolve("format.log"),
            DEADLINE.toSeconds());
        broker.process = new ProcessBuilder(ChildJvm.command(jvm, kafka.Kafka.class, properties.toString()))
            .redirectErrorStream(true).redirectOutput(broker.log.toFile()).start();
        try {
            broker.awaitReady(t0);
        } catch (final RuntimeException | Error | InterruptedException e) {
            broker.close();
            throw e;
        }
        broker.startMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        return broker;
    }

    /** A small heap and the C1 compiler alone: the broker of a test carries little and should start fast. */
    private static List<String> jvmOptions() {
        final List<String> options = new ArrayList<>(ChildJvm.moduleOptions());
        options.add("-Xms64m");
        options.add("-Xmx512m");
        options.add("-XX:TieredStopAtLevel=1");
        options.add("-XX:+UseSerialGC");
        return options;
    }

    private void awaitReady(final long t0) throws InterruptedException {
        final long deadline = t0 + DEADLINE.toNanos();
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap(),
            AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 2_000,
            AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 3_000))) {
            while (true) {
                if (!process.isAlive()) {
                    throw new AssertionError("the Kafka broker exited with " + process.exitValue() + ": " + log());
                }
                try {
                    if (!admin.describeCluster().nodes().get(3, TimeUnit.SECONDS).isEmpty()) {
                        return;
                    }
                } catch (final ExecutionException | TimeoutException notYet) {
                    // asked again below, until the deadline
                }
                if (System.nanoTime() > deadline) {
                    throw new AssertionError("the Kafka broker did not answer within " + DEADLINE + ": " + log());
                }
                Thread.sleep(100);
            }
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    /** @return the bootstrap servers, HOST:PORT. */
    public String bootstrap() {
        return "127.0.0.1:" + port;
    }

    /** @return how long {@link #start} took, from formatting to the first answer, milliseconds. */
    public long startMs() {
        return startMs;
    }

    /** @return what the broker logged so far. */
    public String log() {
        try {
            return Files.readString(log, StandardCharsets.UTF_8);
        } catch (final IOException e) {
            return "(no log: " + e + ")";
        }
    }

    /** Kills the broker (SIGKILL) and deletes its directory. Idempotent. */
    @Override
    public void close() {
        if (process != null) {
            process.destroyForcibly();
            try {
                process.waitFor(30, TimeUnit.SECONDS);
            } catch (final InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (!Files.exists(dir)) {
            return;   // closed before
        }
        try (Stream<Path> files = Files.walk(dir)) {
            for (final Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        } catch (final IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
