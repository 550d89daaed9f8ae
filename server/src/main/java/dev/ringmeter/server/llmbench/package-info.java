/**
 * The LLM benchmark runner's engine: sends a {@link dev.ringmeter.server.llmbench.BenchmarkSpec}'s requests to
 * OpenAI-compatible endpoints ({@code /chat/completions}, {@code /completions}; streamed as SSE or not), measures
 * each one, and hands the results to a {@link dev.ringmeter.server.llmbench.BenchmarkSink}: with
 * {@link dev.ringmeter.server.llmbench.StoreSink} each matrix cell becomes a run of an embedded store whose
 * configuration is the cell, so run comparisons, compare, best, reports, exports and the dashboard read it as any
 * other run. It lives in the server module: an embedded user adds {@code ringmeter-server} to use it.
 *
 * <h2>The matrix</h2>
 * Cells are targets x models x configurations x load points (each concurrency or rate of a sweep), run one after
 * the other. A cell sends its work list (every prompt, {@code trials} times, in order, cycled if a stop condition asks
 * for more) in three phases: warm-up (excluded), measuring, cool-down (the load kept on while the measured requests
 * finish; excluded). A request belongs to the phase in which it was sent. The stop conditions (duration, measured
 * requests sent, measured failures, saturation) end the measuring phase; with neither a duration nor a request count
 * the work list is sent once.
 *
 * <h2>Load</h2>
 * <ul>
 * <li>Closed loop: at most N requests in flight; an ended request frees its slot at once. With a ramp-up the limit
 * grows linearly from 1 to N.</li>
 * <li>Open loop: arrivals are scheduled on absolute {@link System#nanoTime()} times, at a constant rate or with
 * gamma-distributed gaps of mean 1/rate and shape {@code burstiness} (Poisson at 1, as vLLM's
 * {@code --burstiness}). Schedules never slip: a send that is late (no free slot under {@code maxInFlight}, or a
 * slow driver) is still measured from its scheduled time, so its wait is in its TTFT and end-to-end latency (no
 * coordinated omission), and its lag behind the schedule is recorded apart (schedule lag; the event's queue
 * wait). Saturation: arrivals waiting beyond {@code maxQueued}, or, after a second of measuring, sends below
 * {@code minRateFraction} of the asked rate; a sweep stops at its first saturated point.</li>
 * </ul>
 *
 * <h2>What is measured</h2>
 * <ul>
 * <li>The HTTP client is the JDK's {@link java.net.http.HttpClient} (HTTP/1.1) with a body subscriber of our own,
 * whose executor runs in place: {@code onNext} runs on the thread that read the socket, and takes
 * {@link System#nanoTime()} before anything else, so a timestamp is the bytes' arrival, not the parse. It was chosen
 * over a raw socket reader for TLS, proxies, chunked decoding and connection reuse that are correct already; its
 * cost is that every stream's events are parsed on the client's one selector thread, so a slow parse delays the
 * stamps of bytes read after it (Jackson's classes are loaded before the first request for that reason). The
 * runner's own limits against mock-llm are measured in {@code bench}.</li>
 * <li>SSE is parsed incrementally: a line, an event or a JSON value cut across reads is joined; each event is
 * stamped with the arrival of the bytes that completed it.</li>
 * <li>TTFT: from the send (closed loop) or the scheduled time (open loop) to the first event whose choice carries
 * non-empty {@code delta.content}, {@code delta.reasoning_content}, {@code delta.reasoning} or {@code text}. A
 * non-streamed answer has no TTFT, ITL or TPOT; its end-to-end latency only.</li>
 * <li>ITL: the gaps between such content events after the first. When an event carries several tokens, the usage's
 * {@code completion_tokens} are spread evenly over the content events (the remainder one each to the first ones) and
 * each gap is divided over the tokens of the event that ended it, giving one value per token; the first event's
 * tokens have no gap and give none. So ITL counts (output tokens - first event's tokens) values per request.</li>
 * <li>TPOT: (end-to-end - TTFT) / (output tokens - 1), for successful streamed requests of two tokens or more.</li>
 * <li>End-to-end: to the arrival of the last byte.</li>
 * <li>Tokens come from the answer's {@code usage} (streams ask for it with
 * {@code stream_options.include_usage}), never from re-tokenizing; without usage each content event counts one.
 * Output tokens/s per request = tokens / end-to-end; in total = all tokens / the measuring window (first measured
 * send to last measured end); requests/s likewise.</li>
 * <li>Failures, by type: {@code http_<status>} (e.g. http_429, http_500) for any status but 200;
 * {@code stream_error} for an event carrying {@code error} (or a 200 body with {@code error});
 * {@code incomplete_stream} for a stream ending without {@code [DONE]} or a finish reason; {@code connection_error};
 * {@code timeout} (no complete answer within the request timeout from the send; the connection is closed);
 * {@code bad_response} for an answer that is not JSON. A failed request has no TTFT, ITL or TPOT in the
 * distributions; it counts in requests, errors and goodput's denominator.</li>
 * <li>The server's request id: the {@code x-request-id} header, else the body's {@code id}.</li>
 * <li>Goodput: successful requests meeting every SLO threshold (TTFT, TPOT, end-to-end; a request lacking a value an
 * SLO names misses it) per second of the measuring window; a load point meets the SLOs when that fraction of its
 * requests reaches {@code attainment}. A sweep's best point is the highest concurrency or rate that meets them.</li>
 * <li>Quality, for prompts with an expected answer: {@code match_exact} (trimmed equality), {@code match_contains},
 * {@code match_regex} (a find) and {@code match_f1} (SQuAD's token F1), 0 to 1, on the content (not the
 * reasoning), recorded as the event's quality score.</li>
 * <li>Synthetic prompts: no tokenizer is at hand, so a prompt of N tokens is round(0.75 N) words of a fixed
 * vocabulary (OpenAI's 0.75 words a token for English); the result reports the server's mean
 * {@code prompt_tokens} beside it. The output length is fixed with {@code max_tokens} and, unless turned off,
 * {@code ignore_eos} and {@code min_tokens}.</li>
 * </ul>
 * Distributions are full-resolution HdrHistograms (1 us to an hour, 3 significant digits), exposed as p50, p90, p95,
 * p99, p99.9, mean and max in milliseconds.
 *
 * <h2>Where results go</h2>
 * Each measured request is an event of its cell's run: model, operation {@code chat} or {@code completions},
 * provider (the target's name), config (the configuration's name), latency (end-to-end), TTFT, queue wait (the open
 * loop's schedule lag), prompt and completion tokens, status, error type and quality scores. Warm-up and cool-down
 * requests go only to the {@link dev.ringmeter.server.llmbench.RequestLog}, marked with their phase, and so do
 * the requests a cancel abandoned in flight (status cancelled): they are neither successes nor failures.
 */
package dev.ringmeter.server.llmbench;
