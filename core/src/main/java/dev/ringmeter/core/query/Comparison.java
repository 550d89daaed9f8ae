package dev.ringmeter.core.query;

import java.util.List;

/**
 * The answer to a comparison ({@code EmbeddedStore.compare()}): its groups, sorted and cut to the top N, where it
 * came from and what it covered.
 * <p>
 * Threading: a value owned by the thread that asked; its stats are copies.
 *
 * @param keys          the keys grouped by.
 * @param source        where the answer came from.
 * @param fromMs        start of the range asked for.
 * @param toMs          end of the range asked for, exclusive.
 * @param coveredFromMs start of the span the answer covers: the range itself for a scan; for memory, the range
 *                      widened to its buckets' edges and clipped to the oldest bucket kept.
 * @param coveredToMs   end of that span, exclusive.
 * @param groups        the groups, sorted, at most the limit.
 * @param groupCount    the groups before the cut to the limit.
 * @param other         the events no group holds (a scan's least frequent groups past its group limit, memory's
 *                      combinations past its limit), or null if none.
 * @param incomplete    whether groups may lack events: memory counted some past its combination limit, or its buckets
 *                      do not reach back to the range's start.
 * @param recordsRead   journal records a scan read; 0 from memory.
 * @param twoPasses     whether a scan met more groups than it keeps and read the journal twice.
 * @param baseline      the group asked for as the baseline, found among all groups (before the cut), or null.
 */
public record Comparison(List<GroupKey> keys, Source source, long fromMs, long toMs, long coveredFromMs,
                         long coveredToMs, List<Group> groups, int groupCount, WindowStats other, boolean incomplete,
                         long recordsRead, boolean twoPasses, Group baseline) {
    /** Where a comparison is answered from. */
    public enum Source {
        /** Memory when it covers the request (every key and filter kept, the range within its buckets), else scan. */
        AUTO,
        /** The in-memory combinations. */
        MEMORY,
        /** A journal scan (a durable store only). */
        SCAN;

        /** @return the name on the wire: auto, memory, scan. */
        public String wireName() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }

        /**
         * @param name auto, memory or scan.
         * @return the source.
         * @throws IllegalArgumentException naming the valid sources.
         */
        public static Source parse(final String name) {
            for (final Source s : values()) {
                if (s.wireName().equals(name)) {
                    return s;
                }
            }
            throw new IllegalArgumentException("no source '" + name + "'; one of auto, memory, scan");
        }
    }

    /**
     * One group.
     *
     * @param values the group's values for the keys.
     * @param stats  its analytics.
     */
    public record Group(GroupValues values, WindowStats stats) {
    }
}
