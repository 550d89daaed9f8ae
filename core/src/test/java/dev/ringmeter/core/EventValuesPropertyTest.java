package dev.ringmeter.core;

import dev.ringmeter.Event;
import dev.ringmeter.InvalidEventException;
import dev.ringmeter.core.query.WindowStats;
import dev.ringmeter.core.test.PropertyTimeout;
import dev.ringmeter.wire.FieldNames;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.Tuple.Tuple2;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;
import org.agrona.concurrent.CachedEpochClock;

import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.BiConsumer;
import java.util.function.ToLongFunction;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Every numeric field of an event over random values: any value inside its documented range is accepted and read
 * back from the store exactly as given; any value outside is refused with an {@link InvalidEventException} naming
 * the field, and nothing is recorded. One in-memory store serves every try; its clock moves a second per try, so
 * each try's event has a window of its own.
 */
@PropertyTimeout(seconds = 60)
class EventValuesPropertyTest {
    private static final long T0 = 1_760_000_400_000L;
    private static final CachedEpochClock CLOCK = new CachedEpochClock();
    private static EmbeddedStore store;

    /** A field set from a whole number: its wire name, its largest value, its setter and its getter. */
    enum WholeField {
        LATENCY(FieldNames.LATENCY_MS, Event.MAX_DURATION_NS, Event::latencyNs, Event::latencyNs),
        TTFT(FieldNames.TTFT_MS, Event.MAX_DURATION_NS, Event::ttftNs, Event::ttftNs),
        QUEUE_WAIT(FieldNames.QUEUE_WAIT_MS, Event.MAX_DURATION_NS, Event::queueWaitNs, Event::queueWaitNs),
        CPU(FieldNames.CPU_MS, Event.MAX_CPU_NS, Event::cpuNs, Event::cpuNs),
        PROMPT_TOKENS(FieldNames.PROMPT_TOKENS, Event.MAX_TOKENS, Event::promptTokens, Event::promptTokens),
        COMPLETION_TOKENS(FieldNames.COMPLETION_TOKENS, Event.MAX_TOKENS, Event::completionTokens,
            Event::completionTokens),
        MEMORY(FieldNames.MEMORY_BYTES, Event.MAX_MEMORY_BYTES, Event::memoryBytes, Event::memoryBytes),
        RETRIES(FieldNames.RETRIES, Integer.MAX_VALUE, (e, v) -> e.retries((int)(long)v), Event::retries);

        final String wire;
        final long max;
        final BiConsumer<Event, Long> set;
        final ToLongFunction<Event> get;

        WholeField(final String wire, final long max, final BiConsumer<Event, Long> set, final ToLongFunction<Event> get) {
            this.wire = wire;
            this.max = max;
            this.set = set;
            this.get = get;
        }
    }

    /** A duration set in milliseconds: its wire name, its largest value in nanoseconds, setter and getter. */
    enum MillisField {
        LATENCY(FieldNames.LATENCY_MS, Event.MAX_DURATION_NS, Event::latencyMs, Event::latencyNs),
        TTFT(FieldNames.TTFT_MS, Event.MAX_DURATION_NS, Event::ttftMs, Event::ttftNs),
        QUEUE_WAIT(FieldNames.QUEUE_WAIT_MS, Event.MAX_DURATION_NS, Event::queueWaitMs, Event::queueWaitNs),
        CPU(FieldNames.CPU_MS, Event.MAX_CPU_NS, Event::cpuMs, Event::cpuNs);

        final String wire;
        final long maxNs;
        final BiConsumer<Event, Double> set;
        final ToLongFunction<Event> getNs;

        MillisField(final String wire, final long maxNs, final BiConsumer<Event, Double> set,
                    final ToLongFunction<Event> getNs) {
            this.wire = wire;
            this.maxNs = maxNs;
            this.set = set;
            this.getNs = getNs;
        }
    }

    @BeforeContainer
    static void open() {
        CLOCK.update(T0);
        store = EmbeddedStore.open(new StoreConfig().clock(CLOCK).fullRingPolicy(StoreConfig.FullRingPolicy.BLOCK));
    }

    @AfterContainer
    static void close() {
        store.close();
    }

    /** Records an event of model "m" at the next second of the clock, and returns what the store read back. */
    private static Event recordAndReadBack(final Event e) throws InterruptedException {
        return recordAndReadBack(e, "m");
    }

    private static Event recordAndReadBack(final Event e, final String model) throws InterruptedException {
        CLOCK.advance(1000);
        assertTrue(store.record(e.model(model)));
        assertTrue(store.flush(5, TimeUnit.SECONDS));
        final List<Event> recent = store.aggregates().recent(model, 1);
        return recent.get(0);
    }

    private static WindowStats windowOfThisSecond() {
        final long second = CLOCK.time() - CLOCK.time() % 1000;
        return store.aggregates().window("m", second, second + 1000, new WindowStats());
    }

    private static void assertRefused(final String field, final Runnable set) {
        final long published = store.stats().published();
        final InvalidEventException e = assertThrows(InvalidEventException.class, set::run);
        assertEquals(field, e.field(), e.getMessage());
        assertEquals(published, store.stats().published(), "nothing recorded");
    }

    @Provide
    Arbitrary<Tuple2<WholeField, Long>> wholeInside() {
        return Arbitraries.of(WholeField.values())
            .flatMap(f -> Arbitraries.longs().between(0, f.max).map(v -> Tuple.of(f, v)));
    }

    @Provide
    Arbitrary<Tuple2<WholeField, Long>> wholeOutside() {
        return Arbitraries.of(WholeField.values()).flatMap(f -> Arbitraries.oneOf(
            Arbitraries.longs().between(f == WholeField.RETRIES ? Integer.MIN_VALUE : Long.MIN_VALUE, -1),
            f == WholeField.RETRIES ? Arbitraries.longs().between(Integer.MIN_VALUE, -1)
                : Arbitraries.longs().between(f.max + 1, Long.MAX_VALUE)).map(v -> Tuple.of(f, v)));
    }

    @Property(tries = 300)
    void aWholeValueInsideItsRangeIsRecordedExactly(@ForAll("wholeInside") final Tuple2<WholeField, Long> t)
        throws InterruptedException {
        final Event e = new Event().latencyNs(1_000_000);
        t.get1().set.accept(e, t.get2());
        assertEquals((long)t.get2(), t.get1().get.applyAsLong(recordAndReadBack(e)), t.get1().wire);
        final WindowStats w = windowOfThisSecond();
        assertEquals(1, w.count());
        if (t.get1() == WholeField.LATENCY) {
            assertEquals(t.get2() / 1e6, w.latencyMaxMs(), 0.0);
        } else if (t.get1() == WholeField.PROMPT_TOKENS) {
            assertEquals((long)t.get2(), w.promptTokens());
        } else if (t.get1() == WholeField.MEMORY) {
            assertEquals((long)t.get2(), w.memoryBytesMax());
        } else if (t.get1() == WholeField.RETRIES) {
            assertEquals((long)t.get2(), w.retries());
        }
    }

    @Property(tries = 300)
    void aWholeValueOutsideItsRangeIsRefusedNamingTheField(@ForAll("wholeOutside") final Tuple2<WholeField, Long> t) {
        assertRefused(t.get1().wire, () -> t.get1().set.accept(new Event(), t.get2()));
    }

    @Provide
    Arbitrary<Tuple2<MillisField, Double>> millisInside() {
        return Arbitraries.of(MillisField.values())
            .flatMap(f -> Arbitraries.doubles().between(0, f.maxNs / 1e6).map(v -> Tuple.of(f, v)));
    }

    @Provide
    Arbitrary<Tuple2<MillisField, Double>> millisOutside() {
        return Arbitraries.of(MillisField.values()).flatMap(f -> Arbitraries.oneOf(
            Arbitraries.doubles().lessThan(0).withSpecialValue(Double.NEGATIVE_INFINITY),
            Arbitraries.doubles().greaterThan(f.maxNs / 1e6).withSpecialValue(Double.POSITIVE_INFINITY),
            Arbitraries.just(Double.NaN)).map(v -> Tuple.of(f, v)));
    }

    @Property(tries = 200)
    void aDurationInMillisecondsInsideItsRangeIsRecordedToTheNanosecond(
        @ForAll("millisInside") final Tuple2<MillisField, Double> t) throws InterruptedException {
        final Event e = new Event().latencyNs(1_000_000);
        t.get1().set.accept(e, t.get2());
        assertEquals(Math.round(t.get2() * 1e6), t.get1().getNs.applyAsLong(recordAndReadBack(e)), t.get1().wire);
    }

    @Property(tries = 200)
    void aDurationInMillisecondsOutsideItsRangeIsRefusedNamingTheField(
        @ForAll("millisOutside") final Tuple2<MillisField, Double> t) {
        assertRefused(t.get1().wire, () -> t.get1().set.accept(new Event(), t.get2()));
    }

    @Property(tries = 100)
    void aFiniteCostOfAtLeastZeroIsRecordedExactly(@ForAll("finiteAtLeastZero") final double cost)
        throws InterruptedException {
        assertEquals(cost, recordAndReadBack(new Event().latencyMs(1).costUsd(cost)).costUsd(), 0.0);
        assertEquals(cost, windowOfThisSecond().costUsd(), 0.0);
    }

    @Provide
    Arbitrary<Double> finiteAtLeastZero() {
        return Arbitraries.doubles().between(0, Double.MAX_VALUE).withSpecialValue(Double.MIN_VALUE);
    }

    @Property(tries = 100)
    void aNegativeOrNonFiniteCostIsRefused(@ForAll("notFiniteOrNegative") final double cost) {
        assertRefused(FieldNames.COST_USD, () -> new Event().costUsd(cost));
    }

    @Provide
    Arbitrary<Double> notFiniteOrNegative() {
        return Arbitraries.oneOf(Arbitraries.doubles().lessThan(0).withSpecialValue(-Double.MIN_VALUE),
            Arbitraries.of(Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY));
    }

    @Property(tries = 100)
    void aFiniteQualityScoreIsRecordedExactly(@ForAll("finite") final double score) throws InterruptedException {
        recordAndReadBack(new Event().latencyMs(1).quality("f1", score));
        assertEquals(score, windowOfThisSecond().qualityMean("f1"), 0.0);
    }

    @Provide
    Arbitrary<Double> finite() {
        return Arbitraries.doubles().between(-Double.MAX_VALUE, Double.MAX_VALUE);
    }

    @Property(tries = 50)
    void aNonFiniteQualityScoreIsRefusedNamingTheScore(@ForAll("nonFinite") final double score) {
        assertRefused(FieldNames.member(FieldNames.QUALITY, "f1"), () -> new Event().quality("f1", score));
    }

    @Provide
    Arbitrary<Double> nonFinite() {
        return Arbitraries.of(Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY);
    }

    @Property(tries = 200)
    void aTimestampUpToTheFutureSkewBoundIsRecordedExactly(@ForAll("aheadOrBehindMs") final long offsetMs)
        throws InterruptedException {
        final long timestampMs = CLOCK.time() + 1000 + offsetMs;   // the clock moves a second as the event is recorded
        assertEquals(timestampMs, recordAndReadBack(new Event().latencyMs(1).timestampMs(timestampMs), "dated")
            .timestampMs());
    }

    @Provide
    Arbitrary<Long> aheadOrBehindMs() {
        return Arbitraries.longs().between(-T0 + 1, store.config().maxFutureSkewMs());
    }

    @Property(tries = 100)
    void aTimestampPastTheFutureSkewBoundIsRefused(@ForAll("pastTheBoundMs") final long offsetMs) {
        final Event e = new Event().model("m").latencyMs(1).timestampMs(CLOCK.time() + offsetMs);
        assertRefused(FieldNames.TIMESTAMP, () -> store.record(e));
    }

    @Provide
    Arbitrary<Long> pastTheBoundMs() {
        return Arbitraries.longs().between(store.config().maxFutureSkewMs() + 1, Long.MAX_VALUE / 2);
    }

    @Property(tries = 100)
    void aNegativeTimestampIsRefused(@ForAll("negative") final long timestampMs) {
        assertRefused(FieldNames.TIMESTAMP, () -> new Event().timestampMs(timestampMs));
    }

    @Provide
    Arbitrary<Long> negative() {
        return Arbitraries.longs().between(Long.MIN_VALUE, -1);
    }
}
