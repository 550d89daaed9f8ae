package dev.ringmeter.otlp.export;

import com.sun.net.httpserver.HttpServer;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.exporter.otlp.http.metrics.OtlpHttpMetricExporter;
import io.opentelemetry.sdk.common.CompletableResultCode;
import io.opentelemetry.sdk.common.InstrumentationScopeInfo;
import io.opentelemetry.sdk.common.export.RetryPolicy;
import io.opentelemetry.sdk.metrics.data.AggregationTemporality;
import io.opentelemetry.sdk.metrics.data.LongPointData;
import io.opentelemetry.sdk.metrics.data.MetricData;
import io.opentelemetry.sdk.metrics.data.SumData;
import io.opentelemetry.sdk.metrics.internal.data.ImmutableMetricData;
import io.opentelemetry.sdk.resources.Resource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The export's HTTP sender through the SDK's exporter, to a real local endpoint: the body, content type and headers
 * arrive, a 503 is retried by the exporter's policy, a 400 is a failure not retried.
 */
@Timeout(30)
class NoDelayHttpSenderTest {
    private final Queue<String> seen = new ConcurrentLinkedQueue<>();
    private final AtomicInteger requests = new AtomicInteger();
    private HttpServer endpoint;

    private String start(final int... statuses) throws IOException {
        endpoint = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        endpoint.createContext("/v1/metrics", x -> {
            final int n = requests.getAndIncrement();
            try (InputStream in = x.getRequestBody()) {
                final byte[] body = in.readAllBytes();
                seen.add(x.getRequestHeaders().getFirst("Content-Type") + " " + x.getRequestHeaders().getFirst(
                    "X-Scope-OrgID") + " " + (body.length == Integer.parseInt(x.getRequestHeaders().getFirst(
                    "Content-Length")) && body.length > 0));
            }
            x.sendResponseHeaders(statuses[Math.min(n, statuses.length - 1)], -1);
            x.close();
        });
        endpoint.start();
        return "http://127.0.0.1:" + endpoint.getAddress().getPort() + "/v1/metrics";
    }

    @AfterEach
    void stop() {
        if (endpoint != null) {
            endpoint.stop(0);
        }
    }

    private static CompletableResultCode export(final String url) {
        final OtlpHttpMetricExporter exporter = OtlpHttpMetricExporter.builder().setEndpoint(url)
            .addHeader("X-Scope-OrgID", "t1").setComponentLoader(NoDelayHttpSender.loader())
            .setRetryPolicy(RetryPolicy.builder().setInitialBackoff(Duration.ofMillis(5)).build()).build();
        try {
            final MetricData m = ImmutableMetricData.createLongSum(Resource.empty(),
                InstrumentationScopeInfo.create("test"), "ringmeter.requests", "Model calls.", "{request}",
                SumData.createLongSumData(true, AggregationTemporality.DELTA,
                    List.of(LongPointData.create(1, 2, Attributes.empty(), 7))));
            return exporter.export(List.of(m)).join(10, TimeUnit.SECONDS);
        } finally {
            exporter.shutdown().join(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void shouldSendTheBodyAndHeadersAndRetryAnUnavailableEndpoint() throws IOException {
        final CompletableResultCode r = export(start(503, 200));
        assertTrue(r.isSuccess(), "the retry after the 503 was taken");
        assertEquals(2, requests.get());
        assertEquals(List.of("application/x-protobuf t1 true", "application/x-protobuf t1 true"), List.copyOf(seen));
    }

    @Test
    void shouldFailWithoutRetryOnARefusal() throws IOException {
        final CompletableResultCode r = export(start(400));
        assertFalse(r.isSuccess());
        assertEquals(1, requests.get(), "a 400 is not retried");
    }
}
