package dev.ringmeter.core.cost;

import dev.ringmeter.core.ingest.EventSlot;

import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The recompute of costs over a time range, written once for the live store and for its recovery.
 * <p>
 * <b>The rule.</b> A recompute journaled with the price book's revision R covers the events of its range that the
 * journal holds before its record. The cost counted for an event is: the caller's, if it carried one (never
 * repriced); else the price under the revision of the latest recompute that covers it; else the cost it was
 * stamped with at ingest (NaN: cost unknown). So a recompute changes, for each covered event the store priced (or
 * could not), the counted cost from what the latest earlier recompute (or the stamp) gave to the price under R, and
 * sends the difference, with +1/-1 when the event became priced or no longer is, to the aggregates
 * ({@link Sink}: through the ring as a COST_CHANGE slot, or straight into them during recovery). A second
 * recompute with no price change between finds every difference 0 and changes nothing; a recompute replayed after
 * a crash reads the same journal and gives the same differences. An event the journal kept 1 in N by sampling
 * (docs/privacy.md) sends its difference times N, and +/-N: the events sampled out beside it (its model's, at
 * nearby times) follow it in the windows' totals, an estimate as exact as the sampling. Events deleted by
 * retention are not seen, and keep in the windows the cost they had.
 * <p>
 * Threading: {@link #run} on the caller's thread; reads the price book lock-free.
 */
public final class CostRecompute {
    /**
     * What a recompute did.
     *
     * @param fromMs    range start.
     * @param toMs      range end.
     * @param revision  of the price book it repriced with.
     * @param read      journal records read.
     * @param repriced  events of the range without a cost of their own, priced again.
     * @param changed   of those, events whose counted cost changed.
     * @param explicit  events of the range that carried their own cost, left as they were.
     * @param unpriced  repriced events that no entry prices (cost unknown).
     * @param deltaUsd  the sum of the changes.
     */
    public record Report(long fromMs, long toMs, long revision, long read, long repriced, long changed,
                         long explicit, long unpriced, double deltaUsd) {
    }

    /** Where a recompute's changes go. */
    @FunctionalInterface
    public interface Sink {
        /**
         * @param event          the event, its ids the store's.
         * @param deltaUsd       to add to its counted cost (times its sampling weight).
         * @param costCountDelta +1 if it became priced, -1 if it no longer is, else 0 (times its sampling weight).
         */
        void change(EventSlot event, double deltaUsd, int costCountDelta);
    }

    /** Reads the events a recompute covers (see {@code RecomputeScan}). */
    @FunctionalInterface
    public interface Scan {
        /**
         * @return records read.
         */
        long scan(long fromMs, long toMs, long beforeIndex, Visitor visitor);
    }

    /** Told of each covered event. */
    @FunctionalInterface
    public interface Visitor {
        void onEvent(EventSlot event, String model);
    }

    private CostRecompute() {
    }

    /**
     * @param book    the store's.
     * @param request journaled: its revision and journal document known.
     * @param scan    reads the covered events.
     * @param sink    takes the changes.
     * @return what it did.
     */
    public static Report run(final PriceBook book, final RecomputeRequest request, final Scan scan,
                             final Sink sink) {
        final long index = request.journalIndex();
        final PriceBook.RecomputeMark[] marks = earlierOverlapping(book.recomputes(), index, request.fromMs,
            request.toMs);
        final Map<Long, PriceResolver> resolvers = new HashMap<>();
        final PriceResolver now = book.resolver(request.revision());
        final long[] counts = new long[4];
        final double[] delta = {0};
        final long read = scan.scan(request.fromMs, request.toMs, index, (e, model) -> {
            if (!e.costPriced && e.costUsd == e.costUsd) {
                counts[2]++;
                return;
            }
            counts[0]++;
            final PriceBook.RecomputeMark prior = latestCovering(marks, e.timestampMs, e.journalIndex);
            final double before = prior == null ? e.costUsd
                : cost(resolvers.computeIfAbsent(prior.revision(), book::resolver), model, e);
            final double after = cost(now, model, e);
            if (after != after) {
                counts[3]++;
            }
            if (Double.doubleToLongBits(before) != Double.doubleToLongBits(after)) {
                counts[1]++;
                // an event kept 1 in N by sampling stands for N in the aggregates: its change counts N times
                final double d = ((after == after ? after : 0) - (before == before ? before : 0)) * e.weight;
                delta[0] += d;
                sink.change(e, d, ((after == after ? 1 : 0) - (before == before ? 1 : 0)) * e.weight);
            }
        });
        return new Report(request.fromMs, request.toMs, request.revision(), read, counts[0], counts[1], counts[2],
            counts[3], delta[0]);
    }

    /**
     * @return the recomputes journaled before this one whose ranges overlap [fromMs, toMs), latest first: the only
     * ones that may cover an event of the range, in the order {@link #latestCovering} looks for the first that does.
     * The book keeps up to {@value PriceBook#MAX_RECOMPUTES}; an event is checked against these alone, and usually
     * stops at the first (the same range recomputed again).
     */
    private static PriceBook.RecomputeMark[] earlierOverlapping(final List<PriceBook.RecomputeMark> marks,
                                                                final long before, final long fromMs,
                                                                final long toMs) {
        return marks.stream().filter(m -> m.journalIndex() < before && m.fromMs() < toMs && m.toMs() > fromMs)
            .sorted(Comparator.comparingLong(PriceBook.RecomputeMark::journalIndex).reversed())
            .toArray(PriceBook.RecomputeMark[]::new);
    }

    /** @param marks from {@link #earlierOverlapping}, latest first. */
    private static PriceBook.RecomputeMark latestCovering(final PriceBook.RecomputeMark[] marks, final long timeMs,
                                                          final long eventIndex) {
        for (final PriceBook.RecomputeMark m : marks) {
            if (m.covers(timeMs, eventIndex)) {
                return m;
            }
        }
        return null;
    }

    private static double cost(final PriceResolver resolver, final String model, final EventSlot e) {
        final PriceEntry entry = resolver.entry(model, e.timestampMs);
        return entry == null ? Double.NaN : entry.costUsd(e.promptTokens, e.completionTokens, e.cachedTokens,
            e.cacheWriteTokens, e.reasoningTokens);
    }
}
