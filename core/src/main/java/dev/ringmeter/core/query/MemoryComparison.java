package dev.ringmeter.core.query;

import java.util.Map;

/**
 * What the in-memory comparisons answer: the analytics of each group, those of the events counted past the
 * combination limit (which no group holds), and the span the buckets covered.
 * <p>
 * Threading: a value owned by the thread that asked; its stats are copies.
 *
 * @param groups        the analytics by group values.
 * @param other         the events of the combinations past the limit in the span, or null if none.
 * @param coveredFromMs start of the span the buckets covered (the range widened to their edges, or clipped to the
 *                      oldest bucket kept).
 * @param coveredToMs   end of that span, exclusive.
 * @param incomplete    whether events past the combination limit fell in the span, so that the groups may lack some.
 * @param rangeKept     whether the buckets reach back to the start of the range asked for.
 */
public record MemoryComparison(Map<GroupValues, WindowStats> groups, WindowStats other, long coveredFromMs,
                               long coveredToMs, boolean incomplete, boolean rangeKept) {
}
