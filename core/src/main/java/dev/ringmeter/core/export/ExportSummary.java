package dev.ringmeter.core.export;

/**
 * What an export wrote, as its trailer states it: the rows, the range, whether every matching event is in it, and
 * the cursor to go on from (after the last document read when complete; the first not delivered when not).
 * <p>
 * Threading: immutable.
 *
 * @param rows     rows written.
 * @param events   the events they stand for: the sum of their sampling weights (rows kept 1 in N count N).
 * @param fromMs   the range's start, epoch ms.
 * @param toMs     the range's end, exclusive.
 * @param complete whether every matching event the journal held is in the export.
 * @param cursor   the journal index to resume from, or -1 if the export read no record.
 * @param error    why the export ended early, or null when complete.
 * @param lost     whether retention deleted records the export had not delivered (resuming cannot give them).
 */
public record ExportSummary(long rows, long events, long fromMs, long toMs, boolean complete, long cursor,
                            String error, boolean lost) {
    /** @return the share of the events the rows stand for that are rows: 1 when nothing was sampled out. */
    public double sampling() {
        return events == 0 ? 1.0 : (double)rows / events;
    }
}
