package dev.ringmeter;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(30)
class CallTimerTest {

    /** Keeps a copy of what each record() saw. */
    private static final class Capture implements EventRecorder {
        final List<String> seen = new ArrayList<>();
        final List<Long> latenciesNs = new ArrayList<>();
        boolean keep = true;

        @Override
        public boolean record(final Event e) {
            e.validate();
            if (keep) {
                seen.add(e.model() + "/" + e.status() + "/" + e.errorType() + "/" + e.promptTokens() + "/"
                    + e.completionTokens() + "/" + e.operation());
                latenciesNs.add(e.latencyNs());
            }
            return true;
        }

        @Override
        public boolean record(final MetricSample sample) {
            return true;
        }

        @Override
        public boolean flush(final long timeout, final TimeUnit unit) {
            return true;
        }

        @Override
        public void close() {
        }
    }

    @Test
    void shouldRecordLatencyTokensAndStatus() throws Exception {
        final Capture c = new Capture();
        final CallTimer timer = new CallTimer(c);
        final CallTimer.Timing t = timer.start("gpt-4o").operation("chat");
        Thread.sleep(5);
        t.tokens(10, 20);
        assertTrue(t.stop());
        assertEquals("gpt-4o/OK/null/10/20/chat", c.seen.get(0));
        assertTrue(c.latenciesNs.get(0) >= TimeUnit.MILLISECONDS.toNanos(5), "latency " + c.latenciesNs.get(0));
    }

    @Test
    void shouldTakeStatusAndErrorTypeFromTheException() {
        final Capture c = new Capture();
        final CallTimer timer = new CallTimer(c);
        timer.start("a").error(new IllegalStateException("x")).stop();
        timer.start("a").error(new TimeoutException()).stop();
        timer.start("a").error(new InterruptedException()).stop();
        timer.start("a").error(new RuntimeException() { }).stop();
        timer.start("a").status(Status.ERROR, "rate_limit").ok().stop();
        assertEquals("a/ERROR/IllegalStateException/" + Event.NONE + "/" + Event.NONE + "/null", c.seen.get(0));
        assertTrue(c.seen.get(1).startsWith("a/TIMEOUT/TimeoutException/"));
        assertTrue(c.seen.get(2).startsWith("a/CANCELLED/InterruptedException/"));
        assertTrue(c.seen.get(3).startsWith("a/ERROR/dev.ringmeter.CallTimerTest$"), c.seen.get(3));
        assertTrue(c.seen.get(4).startsWith("a/OK/null/"));
    }

    @Test
    void shouldNestAndReuseTimingsPerThread() {
        final Capture c = new Capture();
        final CallTimer timer = new CallTimer(c);
        final CallTimer.Timing outer = timer.start("pipeline");
        final CallTimer.Timing inner = timer.start("gpt-4o");
        assertThrows(IllegalStateException.class, outer::stop, "out of order");
        inner.stop();
        outer.stop();
        assertThrows(IllegalStateException.class, outer::stop, "twice");
        assertEquals(List.of("gpt-4o", "pipeline"), c.seen.stream().map(s -> s.split("/")[0]).toList());
        assertSame(outer, timer.start("again"), "the thread's first timing is reused");
    }

    @Test
    void shouldRefuseAStopOnAnotherThread() throws Exception {
        final CallTimer timer = new CallTimer(new Capture());
        final CallTimer.Timing t = timer.start("m");
        final Throwable[] thrown = new Throwable[1];
        final Thread other = new Thread(() -> {
            try {
                t.stop();
            } catch (final Throwable e) {
                thrown[0] = e;
            }
        });
        other.start();
        other.join();
        assertTrue(thrown[0] instanceof IllegalStateException, String.valueOf(thrown[0]));
        t.stop();
    }

    @Test
    void shouldNotAllocateOnceWarm() {
        final Capture c = new Capture();
        c.keep = false;
        final CallTimer timer = new CallTimer(c);
        final com.sun.management.ThreadMXBean threads =
            (com.sun.management.ThreadMXBean)ManagementFactory.getThreadMXBean();
        final IllegalStateException failure = new IllegalStateException();
        Runnable call = () -> {
            final CallTimer.Timing t = timer.start("gpt-4o").operation("chat");
            final CallTimer.Timing inner = timer.start("embedder");
            inner.error(failure).stop();
            t.tokens(1, 2).stop();
        };
        for (int i = 0; i < 100_000; i++) {
            call.run();
        }
        final long before = threads.getThreadAllocatedBytes(Thread.currentThread().getId());
        for (int i = 0; i < 100_000; i++) {
            call.run();
        }
        final long allocated = threads.getThreadAllocatedBytes(Thread.currentThread().getId()) - before;
        assertTrue(allocated < 4_096, "100,000 timings allocated " + allocated + " bytes");
    }
}
