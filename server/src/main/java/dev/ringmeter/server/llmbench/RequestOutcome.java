package dev.ringmeter.server.llmbench;

/**
 * One request's measurement, as {@link RequestLog} writes it. Immutable. Times are from {@link System#nanoTime()}
 * taken when bytes arrived; latencies count from the request's scheduled time (open loop) or its send (closed loop).
 * A value that does not apply is -1.
 *
 * @param cell             the cell's index.
 * @param task             the request's number in the cell, from 0.
 * @param phase            warm-up, measuring or cool-down (only measuring requests are in results).
 * @param startEpochMs     when it was sent (epoch ms).
 * @param scheduleLagNs    how late it was sent after its scheduled time (0 closed loop).
 * @param ttftNs           time to the first content or reasoning chunk (-1: none, or not streamed).
 * @param e2eNs            time to its last byte (or to its failure).
 * @param itlCount         inter-token latencies it contributed (one per output token after the first chunk's).
 * @param itlMeanNs        their mean, or -1.
 * @param itlMaxNs         the largest gap between content chunks divided over its tokens, or -1.
 * @param tpotNs           (e2e - TTFT) / (output tokens - 1), or -1.
 * @param promptTokens     from usage, or -1.
 * @param completionTokens from usage, or -1.
 * @param contentChunks    content or reasoning chunks received.
 * @param status           ok, error, timeout or cancelled.
 * @param errorType        e.g. http_429, http_500, stream_error, incomplete_stream, connection_error, timeout; or null.
 * @param errorMessage     the error's message (at most 512 characters), or null.
 * @param requestId        the server's id ({@code x-request-id}, else the body's {@code id}), or null.
 * @param answer           the answer's text (at most 64 KiB), for quality scores; not logged.
 */
public record RequestOutcome(int cell, long task, BenchmarkProgress.Phase phase, long startEpochMs,
                             long scheduleLagNs, long ttftNs, long e2eNs, long itlCount, long itlMeanNs,
                             long itlMaxNs, long tpotNs, long promptTokens, long completionTokens,
                             long contentChunks, dev.ringmeter.Status status, String errorType, String errorMessage,
                             String requestId, String answer) {
    /** @return whether it succeeded. */
    public boolean ok() {
        return status == dev.ringmeter.Status.OK;
    }
}
