package dev.ringmeter.core.run;

import java.util.List;

/**
 * One page of a list of runs.
 * <p>
 * Threading: immutable; any thread.
 *
 * @param runs       the runs of the page, in order (their summaries without the latency histogram).
 * @param total      runs that match the filters.
 * @param offset     of the page's first run.
 * @param nextOffset of the next page, -1 if this is the last.
 * @param evicted    finished runs pushed out of memory since the store was created (not listed).
 */
public record RunPage(List<RunSummary> runs, int total, int offset, int nextOffset, long evicted) {
}
