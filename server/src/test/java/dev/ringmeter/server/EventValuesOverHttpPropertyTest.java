package dev.ringmeter.server;

import com.fasterxml.jackson.databind.JsonNode;
import dev.ringmeter.Event;
import dev.ringmeter.core.test.PropertyTimeout;
import dev.ringmeter.server.http.Json;
import dev.ringmeter.wire.FieldNames;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.Tuple.Tuple2;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import org.agrona.concurrent.CachedEpochClock;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * Random values of every numeric field of an event, sent to a real server (started once, on a free port) as one
 * item of a batch: a value inside the field's documented range gets 202, any other number 422 naming the field
 * and the item's index, and a number longer than the API reads (64 characters) 400; never another status. The
 * expectation is worked out here from the documented ranges, not by calling the code under test.
 */
@PropertyTimeout(seconds = 60)
class EventValuesOverHttpPropertyTest {
    private static final long T0 = 1_760_000_400_000L;
    private static final long SKEW_MS = 60_000;
    private static final CachedEpochClock CLOCK = new CachedEpochClock();
    private static Path data;
    private static TestServer server;

    /** How a field's JSON value is read, and its range. */
    enum Kind { MILLIS, COST, QUALITY, WHOLE, TIMESTAMP }

    /** Every numeric field of the ingest API, with its kind and, where it has one, its largest value. */
    enum Field {
        LATENCY(FieldNames.LATENCY_MS, Kind.MILLIS, Event.MAX_DURATION_NS / 1_000_000),
        TTFT(FieldNames.TTFT_MS, Kind.MILLIS, Event.MAX_DURATION_NS / 1_000_000),
        QUEUE_WAIT(FieldNames.QUEUE_WAIT_MS, Kind.MILLIS, Event.MAX_DURATION_NS / 1_000_000),
        CPU(FieldNames.CPU_MS, Kind.MILLIS, Event.MAX_CPU_NS / 1_000_000),
        COST(FieldNames.COST_USD, Kind.COST, 0),
        QUALITY(FieldNames.QUALITY, Kind.QUALITY, 0),
        PROMPT_TOKENS(FieldNames.PROMPT_TOKENS, Kind.WHOLE, Event.MAX_TOKENS),
        COMPLETION_TOKENS(FieldNames.COMPLETION_TOKENS, Kind.WHOLE, Event.MAX_TOKENS),
        MEMORY(FieldNames.MEMORY_BYTES, Kind.WHOLE, Event.MAX_MEMORY_BYTES),
        RETRIES(FieldNames.RETRIES, Kind.WHOLE, Integer.MAX_VALUE),
        TIMESTAMP(FieldNames.TIMESTAMP, Kind.TIMESTAMP, 0);

        final String wire;
        final Kind kind;
        final long max;

        Field(final String wire, final Kind kind, final long max) {
            this.wire = wire;
            this.kind = kind;
            this.max = max;
        }

        /** @return the item's JSON with this field set to a JSON number literal. */
        String item(final String literal) {
            switch (this) {
                case LATENCY:
                    return "{\"model\":\"m\",\"latencyMs\":" + literal + "}";
                case QUALITY:
                    return "{\"model\":\"m\",\"latencyMs\":1,\"quality\":{\"f1\":" + literal + "}}";
                default:
                    return "{\"model\":\"m\",\"latencyMs\":1,\"" + wire + "\":" + literal + "}";
            }
        }

        /** @return the field a refusal must name. */
        String refusedField() {
            return this == QUALITY ? FieldNames.member(FieldNames.QUALITY, "f1") : wire;
        }

        /** @return whether the documented range holds the value the literal writes. */
        boolean accepts(final String literal) {
            final boolean whole = literal.matches("-?[0-9]+");
            switch (kind) {
                case MILLIS: {
                    final double ms = Double.parseDouble(literal);
                    return ms >= 0 && ms <= max;
                }
                case COST: {
                    final double usd = Double.parseDouble(literal);
                    return usd >= 0 && !Double.isInfinite(usd);
                }
                case QUALITY:
                    return Double.isFinite(Double.parseDouble(literal));
                case WHOLE:
                    return whole && within(new BigInteger(literal), BigInteger.valueOf(max));
                default:
                    return whole && within(new BigInteger(literal), BigInteger.valueOf(CLOCK.time() + SKEW_MS));
            }
        }

        private static boolean within(final BigInteger value, final BigInteger max) {
            return value.signum() >= 0 && value.compareTo(max) <= 0;
        }
    }

    @BeforeContainer
    static void start() throws IOException {
        CLOCK.update(T0);
        data = Files.createTempDirectory("ringmeter-values");
        server = new TestServer(new ServerConfig().clock(CLOCK), data);
    }

    @AfterContainer
    static void stop() throws IOException {
        server.close();
        try (Stream<Path> files = Files.walk(data)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        }
    }

    @Provide
    Arbitrary<Tuple2<Field, String>> numbers() {
        return Arbitraries.of(Field.values()).flatMap(f -> literals(f).map(literal -> Tuple.of(f, literal)));
    }

    /** JSON numbers around a field's range: inside, just past each end, far past, fractions and exponents. */
    private static Arbitrary<String> literals(final Field f) {
        final long max = f.kind == Kind.TIMESTAMP ? T0 + SKEW_MS : f.max;
        final Arbitrary<String> wholes = Arbitraries.oneOf(
            Arbitraries.longs().map(String::valueOf),
            Arbitraries.longs().between(-2, 2).map(d -> String.valueOf(max + d)),
            Arbitraries.longs().between(0, Math.max(1, max)).map(String::valueOf),
            Arbitraries.bigIntegers().between(BigInteger.TEN.pow(19).negate(), BigInteger.TEN.pow(30))
                .map(BigInteger::toString),
            Arbitraries.integers().between(20, 60).map(n -> "9".repeat(n)),
            Arbitraries.integers().between(70, 400).map(n -> "9".repeat(n)));
        final Arbitrary<String> decimals = Arbitraries.oneOf(
            Arbitraries.doubles().map(String::valueOf),
            Arbitraries.doubles().between(-1, Math.max(1, max) * 1.01).map(String::valueOf),
            Arbitraries.of("0.5", "-0.0", "-0", "1e3", "1E-400", "1e400", "-1e400", "4.9e-324", "1.7976931348623157e308",
                max + ".0000001", "-" + max + ".5"));
        return Arbitraries.oneOf(wholes, decimals);
    }

    @Property(tries = 250)
    void aNumberInsideItsFieldsRangeIsAcceptedAnyOtherRefusedNamingFieldAndIndex(
        @ForAll("numbers") final Tuple2<Field, String> value, @ForAll @IntRange(min = 0, max = 3) final int index) {
        final Field field = value.get1();
        final String literal = value.get2();
        CLOCK.advance(1000);
        final StringBuilder batch = new StringBuilder("[");
        for (int i = 0; i < index; i++) {
            batch.append("{\"model\":\"m\",\"latencyMs\":").append(i + 1).append("},");
        }
        batch.append(field.item(literal)).append(",{\"model\":\"m\",\"latencyMs\":2}]");
        final TestServer.Reply reply = server.post("/api/v1/events", TestServer.JSON, batch.toString());
        final String at = field.wire + " = " + literal + " at index " + index + ": " + reply.body();
        if (literal.length() > Json.FACTORY.streamReadConstraints().getMaxNumberLength()) {
            assertEquals(400, reply.status(), at);   // longer than any number of the API: a parse failure
            assertEquals(index, reply.json().get("index").asInt(), at);
        } else if (field.accepts(literal)) {
            assertEquals(202, reply.status(), at);
            assertEquals(index + 2, reply.json().get("accepted").asInt(), at);
        } else {
            assertEquals(422, reply.status(), at);
            final JsonNode error = reply.json();
            assertEquals(field.refusedField(), error.get("field").asText(), at);
            assertEquals(index, error.get("index").asInt(), at);
        }
    }
}
