package dev.ringmeter.core.export;

import dev.ringmeter.core.query.EventFilter;

/**
 * What an export writes: the events recorded in a time range (by their timestamps) that match a filter, in a
 * format, gzipped or not, from a cursor (to resume an export that ended early) or from the range's start.
 * <p>
 * Threading: filled by one thread, then read by the export that runs it; not changed while it runs.
 */
public final class ExportRequest {
    private final long fromMs;
    private final long toMs;
    private EventFilter filter = new EventFilter();
    private ExportFormat format = ExportFormat.NDJSON;
    private boolean gzip;
    private long cursor = -1;

    /**
     * @param fromMs start of the range, inclusive, epoch ms.
     * @param toMs   end of the range, exclusive, epoch ms.
     * @throws IllegalArgumentException if the range is empty or negative.
     */
    public ExportRequest(final long fromMs, final long toMs) {
        if (fromMs < 0 || toMs <= fromMs) {
            throw new IllegalArgumentException("an export's range must be 0 <= from < to, not [" + fromMs + ", "
                + toMs + ")");
        }
        this.fromMs = fromMs;
        this.toMs = toMs;
    }

    /**
     * @param filter the events to keep (by model, provider, pipeline, step, tool, agent, run, task, config, error
     *               type, status, tag).
     * @return this.
     */
    public ExportRequest filter(final EventFilter filter) {
        this.filter = filter;
        return this;
    }

    /**
     * @param format of the rows; NDJSON by default.
     * @return this.
     */
    public ExportRequest format(final ExportFormat format) {
        this.format = format;
        return this;
    }

    /**
     * @param gzip whether to gzip what is written.
     * @return this.
     */
    public ExportRequest gzip(final boolean gzip) {
        this.gzip = gzip;
        return this;
    }

    /**
     * @param cursor the cursor of an earlier export of the same request that ended early (its summary's), to write
     *               only what it did not; -1 (the default) to start at the range's start.
     * @return this.
     * @throws IllegalArgumentException if negative and not -1.
     */
    public ExportRequest cursor(final long cursor) {
        if (cursor < -1) {
            throw new IllegalArgumentException("an export's cursor is a journal index from an earlier export, not "
                + cursor);
        }
        this.cursor = cursor;
        return this;
    }

    public long fromMs() {
        return fromMs;
    }

    public long toMs() {
        return toMs;
    }

    public EventFilter filter() {
        return filter;
    }

    public ExportFormat format() {
        return format;
    }

    public boolean gzip() {
        return gzip;
    }

    public long cursor() {
        return cursor;
    }
}
