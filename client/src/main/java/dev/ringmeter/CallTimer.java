package dev.ringmeter;

import java.util.concurrent.CancellationException;
import java.util.concurrent.TimeoutException;

/**
 * Times model calls and pipeline steps into an {@link EventRecorder} without allocating:
 * <pre>{@code
 * CallTimer timer = new CallTimer(recorder);          // one per recorder, shared by every thread
 *
 * CallTimer.Timing t = timer.start("gpt-4o").operation("chat");
 * try {
 *     Reply r = model.call(prompt);
 *     t.tokens(r.promptTokens(), r.completionTokens());
 * } catch (Exception e) {
 *     t.error(e);                                      // status ERROR (TIMEOUT, CANCELLED), errorType = class name
 *     throw e;
 * } finally {
 *     t.stop();                                        // records latency and status
 * }
 * }</pre>
 * <p>
 * Threading: the timer may be shared by any number of threads. A {@link Timing} belongs to the thread that started
 * it: each thread has its own small stack of reusable timings, so starting one allocates nothing once the thread
 * has reached its deepest nesting, and timings may nest (a pipeline step around its model calls) as long as each
 * thread stops them in the reverse order it started them. A timing must not be handed to another thread, nor used
 * after {@link Timing#stop()}: it is reused by the next {@code start} on its thread. For a call that starts on one
 * thread and ends on another, fill an {@link Event} with {@link System#nanoTime()} differences instead.
 */
public final class CallTimer {
    private final EventRecorder recorder;
    private final ThreadLocal<Stack> stacks = ThreadLocal.withInitial(Stack::new);

    /**
     * @param recorder where the timings are recorded.
     */
    public CallTimer(final EventRecorder recorder) {
        if (recorder == null) {
            throw new IllegalArgumentException("recorder must not be null");
        }
        this.recorder = recorder;
    }

    /**
     * Starts timing a call now.
     *
     * @param model of the call; required.
     * @return this thread's next free timing, reset and started.
     */
    public Timing start(final String model) {
        final Stack stack = stacks.get();
        final Timing t = stack.push(this);
        t.event.reset().model(model);
        t.startNs = System.nanoTime();
        return t;
    }

    /** The timings of one thread, reused in LIFO order. */
    private static final class Stack {
        private final Thread owner = Thread.currentThread();
        private Timing[] timings = new Timing[4];
        private int depth;

        Timing push(final CallTimer timer) {
            if (depth == timings.length) {
                timings = java.util.Arrays.copyOf(timings, depth * 2);
            }
            Timing t = timings[depth];
            if (t == null) {
                t = new Timing(timer, this);
                timings[depth] = t;
            }
            depth++;
            t.active = true;
            return t;
        }

        void pop(final Timing t) {
            if (Thread.currentThread() != owner) {
                throw new IllegalStateException("a timing must be stopped on the thread that started it");
            }
            if (!t.active || depth == 0 || timings[depth - 1] != t) {
                throw new IllegalStateException(t.active ? "timings must be stopped in the reverse order of their "
                    + "start, on the thread that started them" : "this timing was already stopped");
            }
            t.active = false;
            depth--;
        }
    }

    /**
     * One call being timed: a reusable, thread-confined handle. Its setters return this, so they chain.
     */
    public static final class Timing {
        private final CallTimer timer;
        private final Stack stack;
        private final Event event = new Event();
        private long startNs;
        private boolean active;

        private Timing(final CallTimer timer, final Stack stack) {
            this.timer = timer;
            this.stack = stack;
        }

        /**
         * @return the event being filled, for any field without a shortcut here (run, task, config, quality,
         * cost, memory, ...). Its latency is set by {@link #stop()}.
         */
        public Event event() {
            return event;
        }

        /**
         * @param operation chat, completion, embedding, tool_call, ...
         * @return this.
         */
        public Timing operation(final String operation) {
            event.operation(operation);
            return this;
        }

        /**
         * @param pipeline the pipeline of the call.
         * @param step     its step.
         * @return this.
         */
        public Timing pipeline(final String pipeline, final String step) {
            event.pipeline(pipeline).step(step);
            return this;
        }

        /**
         * @param key   of a tag.
         * @param value of the tag.
         * @return this.
         */
        public Timing tag(final String key, final String value) {
            event.tag(key, value);
            return this;
        }

        /**
         * Marks the first token as arrived now: time to first token is now minus the start.
         *
         * @return this.
         */
        public Timing firstToken() {
            event.ttftNs(System.nanoTime() - startNs);
            return this;
        }

        /**
         * @param promptTokens     input tokens.
         * @param completionTokens output tokens.
         * @return this.
         */
        public Timing tokens(final long promptTokens, final long completionTokens) {
            event.promptTokens(promptTokens).completionTokens(completionTokens);
            return this;
        }

        /**
         * @param retries how many times the call was retried.
         * @return this.
         */
        public Timing retries(final int retries) {
            event.retries(retries);
            return this;
        }

        /**
         * @param cache whether a cache served the call.
         * @return this.
         */
        public Timing cache(final CacheResult cache) {
            event.cache(cache);
            return this;
        }

        /**
         * Marks the call as succeeded, the default.
         *
         * @return this.
         */
        public Timing ok() {
            event.status(Status.OK).errorType(null);
            return this;
        }

        /**
         * Marks the call as failed with an exception, by the rule of {@link Failures}: status {@link Status#TIMEOUT}
         * for a {@link TimeoutException}, {@link Status#CANCELLED} for a {@link CancellationException}, else
         * {@link Status#ERROR}; the error type is the exception's simple class name.
         *
         * @param failure what the call threw.
         * @return this.
         */
        public Timing error(final Throwable failure) {
            Failures.fail(event, failure);
            return this;
        }

        /**
         * @param status    how the call ended.
         * @param errorType category of the failure, or null.
         * @return this.
         */
        public Timing status(final Status status, final String errorType) {
            event.status(status).errorType(errorType);
            return this;
        }

        /**
         * Records the call: latency from {@link CallTimer#start} to now, and the status set (OK unless
         * {@link #error} or {@link #status} said otherwise). The timing is then free for reuse.
         *
         * @return what {@link EventRecorder#record(Event)} returned: false if the recorder dropped it.
         * @throws IllegalStateException if already stopped, or stopped out of order or on another thread.
         * @throws InvalidEventException if the event is missing a required field (the timing is freed all the same).
         */
        public boolean stop() {
            final long latencyNs = System.nanoTime() - startNs;
            stack.pop(this);
            event.latencyNs(latencyNs);
            return timer.recorder.record(event);
        }

        /** @return nanoseconds since the start. */
        public long elapsedNs() {
            return System.nanoTime() - startNs;
        }
    }
}
