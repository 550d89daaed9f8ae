package dev.ringmeter.bench.client;

import dev.ringmeter.Event;
import dev.ringmeter.remote.RemoteConfig;
import dev.ringmeter.remote.RemoteRecorder;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.concurrent.TimeUnit;

/**
 * The caller's cost of {@link RemoteRecorder#record(Event)}: check the event, claim a slot of the ring with a CAS,
 * copy the event, publish. The recorder points at a port where no server listens and retries with a long backoff,
 * so the ring fills during warm-up and the measurement is the steady state of a service whose metrics server is
 * down: every record is refused at the full-ring check and counted as dropped. That is the path a latency-sensitive
 * caller most needs to be cheap; the accepting path is the same claim plus about 30 plain stores.
 * <p>
 * Run with {@code -t 1} and {@code -t 2}, and {@code -prof gc} for the allocation per call (expected: 0 B/op).
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
public class RemoteRecordBenchmark {

    /** One recorder shared by every benchmark thread, as in a service. */
    @State(Scope.Benchmark)
    public static class Recorder {
        RemoteRecorder recorder;

        @Setup(Level.Trial)
        public void open() {
            final int port;
            try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                port = s.getLocalPort();
            } catch (final IOException e) {
                throw new UncheckedIOException(e);
            }
            recorder = new RemoteRecorder(new RemoteConfig().uri("http://127.0.0.1:" + port)
                .initialBackoffMs(60_000).maxBackoffMs(60_000).connectTimeoutMs(100).closeTimeoutMs(0));
        }

        @TearDown(Level.Trial)
        public void close() {
            System.out.println();
            System.out.println("stats: " + recorder.stats());
            recorder.close();
        }
    }

    /** The caller's reusable event, one per thread. */
    @State(Scope.Thread)
    public static class Caller {
        final Event event = new Event();
    }

    @Benchmark
    public boolean record(final Recorder r, final Caller c) {
        return r.recorder.record(c.event.reset().model("gpt-4o").operation("chat").latencyNs(1_234_567L)
            .promptTokens(1_200).completionTokens(310).pipeline("support-bot").step("answer"));
    }
}
