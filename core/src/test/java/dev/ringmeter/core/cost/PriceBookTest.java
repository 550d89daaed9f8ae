package dev.ringmeter.core.cost;

import dev.ringmeter.Event;
import dev.ringmeter.InvalidEventException;
import dev.ringmeter.core.StoreConfig;
import dev.ringmeter.core.dictionary.Dictionary;
import dev.ringmeter.core.dictionary.Dimension;
import dev.ringmeter.core.ingest.EventSlot;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(30)
class PriceBookTest {
    private static final long T0 = 1_760_000_400_000L;
    private static final double NA = Double.NaN;

    private final StoreConfig config = new StoreConfig().conclude();
    private final Dictionary dictionary = new Dictionary(config.cardinalityLimits(), config.maxStringLength());
    private final PriceBook book = new PriceBook(dictionary, BuiltInPrices.none());

    @Test
    void shouldPriceEachTokenPartAsTheWorkedExamplesSay() {
        // input 2, output 8, cache read 0.5, cache write 2.5, reasoning 12 USD per million
        put(entry(MatchKind.EXACT, "m", 0, tier(0, 2, 8, 0.5, 2.5, 12)));
        // 1,000,000 prompt tokens of which 300,000 cached and 100,000 written to the cache; 200,000 completion
        // tokens of which 50,000 reasoning:
        // 600,000 x 2 + 300,000 x 0.5 + 100,000 x 2.5 + 150,000 x 8 + 50,000 x 12 = 1.2 + 0.15 + 0.25 + 1.2 + 0.6
        assertEquals(3.4, cost("m", T0, 1_000_000, 200_000, 300_000, 100_000, 50_000), 1e-12);
        // no parts: 1,000 x 2 + 500 x 8 = 0.006
        assertEquals(0.006, cost("m", T0, 1000, 500, Event.NONE, Event.NONE, Event.NONE), 1e-15);
    }

    @Test
    void shouldPriceAbsentPartPricesAtTheInputAndOutputPrices() {
        put(entry(MatchKind.EXACT, "m", 0, tier(0, 2, 8, NA, NA, NA)));
        // cached and written tokens at the input price, reasoning at the output price: the plain formula
        assertEquals((1_000_000 * 2.0 + 200_000 * 8.0) / 1e6,
            cost("m", T0, 1_000_000, 200_000, 300_000, 100_000, 50_000), 1e-12);
    }

    @Test
    void shouldBillTheWholeCallAtTheTierOfItsPromptSize() {
        put(entry(MatchKind.EXACT, "m", 0, tier(0, 3, 15, 0.3, NA, NA),
            tier(200_000, 6, 22.5, 0.6, NA, NA)));
        // at the threshold: base prices; 200,000 x 3 + 1,000 x 15
        assertEquals(0.6 + 0.015, cost("m", T0, 200_000, 1000, 0, 0, 0), 1e-12);
        // above it: the whole call at the tier's, 100,000 cached: 100,001 x 6 + 100,000 x 0.6 + 1,000 x 22.5
        assertEquals((100_001 * 6 + 100_000 * 0.6 + 1000 * 22.5) / 1e6,
            cost("m", T0, 200_001, 1000, 100_000, 0, 0), 1e-12);
    }

    @Test
    void shouldPriceAnEventWithThePriceInForceAtItsTime() {
        put(entry(MatchKind.EXACT, "m", T0, tier(0, 1, 1, NA, NA, NA)));
        put(entry(MatchKind.EXACT, "m", T0 + 60_000, tier(0, 2, 2, NA, NA, NA)));
        assertTrue(Double.isNaN(cost("m", T0 - 1, 1_000_000, 0, 0, 0, 0)), "before every entry: cost unknown");
        assertEquals(1.0, cost("m", T0 + 59_999, 1_000_000, 0, 0, 0, 0), 1e-12, "the older price");
        assertEquals(2.0, cost("m", T0 + 60_000, 1_000_000, 0, 0, 0, 0), 1e-12, "the newer one from its time");
    }

    @Test
    void shouldLetTheMostSpecificEntryInForceWin() {
        put(entry(MatchKind.REGEX, "gpt-.*", 0, tier(0, 1, 0, NA, NA, NA)));
        put(entry(MatchKind.PREFIX, "gpt-4", 0, tier(0, 2, 0, NA, NA, NA)));
        put(entry(MatchKind.PREFIX, "gpt-4o", 0, tier(0, 3, 0, NA, NA, NA)));
        put(entry(MatchKind.EXACT, "gpt-4o-mini", T0, tier(0, 4, 0, NA, NA, NA)));
        assertEquals(1.0, cost("gpt-3.5", T0, 1_000_000, 0, 0, 0, 0), 1e-12, "regex only");
        assertEquals(2.0, cost("gpt-4-turbo", T0, 1_000_000, 0, 0, 0, 0), 1e-12, "prefix over regex");
        assertEquals(3.0, cost("gpt-4o-2024", T0, 1_000_000, 0, 0, 0, 0), 1e-12, "the longer prefix");
        assertEquals(4.0, cost("gpt-4o-mini", T0, 1_000_000, 0, 0, 0, 0), 1e-12, "exact over prefix");
        assertEquals(3.0, cost("gpt-4o-mini", T0 - 1, 1_000_000, 0, 0, 0, 0), 1e-12,
            "an exact entry not yet in force leaves the prefix's");
        put(entry(MatchKind.EXACT, "gpt-4o-mini", T0, tier(0, 5, 0, NA, NA, NA)));
        assertEquals(5.0, cost("gpt-4o-mini", T0, 1_000_000, 0, 0, 0, 0), 1e-12,
            "a tie of kind and effective-from: the entry changed last wins");
    }

    @Test
    void shouldKeepTheCallersCostAndCostAnEventWithoutAModelNothing() {
        put(entry(MatchKind.REGEX, ".*", 0, tier(0, 1, 1, NA, NA, NA)));
        final EventSlot own = event("m", T0, 1000, 0, 0, 0, 0);
        own.costUsd = 0.25;
        book.stamp(own);
        assertEquals(0.25, own.costUsd);
        assertFalse(own.costPriced);
        final EventSlot noModel = event(null, T0, 1000, 0, 0, 0, 0);
        book.stamp(noModel);
        assertEquals(0.0, noModel.costUsd, "a tool call or step has no tokens to price: it costs nothing, not unknown");
        assertFalse(noModel.costPriced, "as if its caller gave 0: a recompute leaves it alone");
        final EventSlot paidTool = event(null, T0, 1000, 0, 0, 0, 0);
        paidTool.costUsd = 0.002;
        book.stamp(paidTool);
        assertEquals(0.002, paidTool.costUsd);
    }

    @Test
    void shouldLetAUserEntryWinOverTheBuiltInList() {
        final BuiltInPrices builtIn = BuiltInPrices.standard();
        assertNotNull(builtIn.asOf());
        assertFalse(builtIn.sources().isEmpty());
        final PriceBook withDefaults = new PriceBook(dictionary, builtIn);
        final EventSlot e = event("gpt-4o-mini-2024-07-18", T0, 1_000_000, 1_000_000, 0, 0, 0);
        withDefaults.stamp(e);
        assertEquals(0.15 + 0.60, e.costUsd, 1e-12, "the built-in gpt-4o-mini prefix");
        withDefaults.apply(PriceChange.put(entry(MatchKind.REGEX, "gpt-.*", 0, tier(0, 1, 1, NA, NA, NA))));
        final EventSlot after = event("gpt-4o-mini-2024-07-18", T0, 1_000_000, 1_000_000, 0, 0, 0);
        withDefaults.stamp(after);
        assertEquals(2.0, after.costUsd, 1e-12, "a user entry, even a regex, wins over a built-in one");
    }

    @Test
    void shouldRefuseABadEntryNamingTheField() {
        assertEquals("inputUsdPerMillion", refusal(MatchKind.EXACT, "m", tier(0, -1, 1, NA, NA, NA)));
        assertEquals("cacheReadUsdPerMillion", refusal(MatchKind.EXACT, "m", tier(0, 1, 1, -0.5, NA, NA)));
        assertEquals("model", refusal(MatchKind.REGEX, "gpt-(", tier(0, 1, 1, NA, NA, NA)));
        assertEquals("tiers[1].aboveInputTokens", refusal(MatchKind.EXACT, "m", tier(0, 1, 1, NA, NA, NA),
            tier(200_000, 2, 2, NA, NA, NA), tier(100_000, 3, 3, NA, NA, NA)));
    }

    @Test
    void shouldRemoveAnEntryAndRefuseToRemoveOneThatIsNotThere() {
        final PriceChange added = put(entry(MatchKind.EXACT, "m", 0, tier(0, 1, 1, NA, NA, NA)));
        final PriceChange removed = PriceChange.remove(added.appliedId());
        book.apply(removed);
        assertEquals(2, removed.revision());
        assertTrue(Double.isNaN(cost("m", T0, 1000, 0, 0, 0, 0)));
        final PriceChange again = PriceChange.remove(added.appliedId());
        book.apply(again);
        assertNotNull(again.refusal());
        assertEquals(2, book.revision(), "a refused change makes no revision");
    }

    @Test
    void shouldResolveEveryRevisionAfterASnapshotRoundTrip() throws IOException {
        put(entry(MatchKind.EXACT, "m", 0, tier(0, 1, 1, NA, NA, NA)));
        put(entry(MatchKind.PREFIX, "m", 0, tier(0, 2, 2, NA, NA, NA), tier(10, 3, 3, NA, 4, NA)));
        book.recomputed(new PriceBook.RecomputeMark(T0, T0 + 1000, 2, 77));
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        book.write(new DataOutputStream(bytes));
        final PriceBook read = new PriceBook(dictionary, BuiltInPrices.none());
        read.read(new DataInputStream(new ByteArrayInputStream(bytes.toByteArray())));
        assertEquals(book.entries(), read.entries());
        assertEquals(book.recomputes(), read.recomputes());
        assertEquals(1.0, read.resolver(1).entry("m", T0).base().inputUsdPerMillion());
        assertEquals(MatchKind.EXACT, read.resolver(2).entry("m", T0).match(), "exact still wins at revision 2");
        assertEquals(MatchKind.PREFIX, read.resolver(2).entry("m1", T0).match());
    }

    private String refusal(final MatchKind match, final String pattern, final PriceTier base,
                           final PriceTier... tiers) {
        return assertThrows(InvalidEventException.class,
            () -> PriceEntryRules.check(match, pattern, 0, base, tiers)).field();
    }

    private PriceChange put(final PriceEntry entry) {
        final PriceChange c = PriceChange.put(entry);
        book.apply(c);
        assertTrue(c.decided());
        return c;
    }

    private double cost(final String model, final long timeMs, final long prompt, final long completion,
                        final long cached, final long written, final long reasoning) {
        final EventSlot e = event(model, timeMs, prompt, completion, cached, written, reasoning);
        book.stamp(e);
        assertEquals(e.costUsd == e.costUsd, e.costPriced);
        return e.costUsd;
    }

    private EventSlot event(final String model, final long timeMs, final long prompt, final long completion,
                            final long cached, final long written, final long reasoning) {
        final EventSlot e = new EventSlot();
        e.kind = EventSlot.KIND_EVENT;
        e.model = model == null ? 0 : dictionary.id(Dimension.MODEL, model);
        e.timestampMs = timeMs;
        e.promptTokens = prompt;
        e.completionTokens = completion;
        e.cachedTokens = cached;
        e.cacheWriteTokens = written;
        e.reasoningTokens = reasoning;
        e.costUsd = Double.NaN;
        return e;
    }

    static PriceEntry entry(final MatchKind match, final String pattern, final long fromMs, final PriceTier base,
                            final PriceTier... tiers) {
        PriceEntryRules.check(match, pattern, fromMs, base, tiers);
        return new PriceEntry(0, 0, false, match, pattern, fromMs, base, tiers);
    }

    static PriceTier tier(final long above, final double in, final double out, final double read,
                          final double write, final double reasoning) {
        return new PriceTier(above, in, out, read, write, reasoning);
    }
}
