package dev.ringmeter.core.test;

import dev.ringmeter.Event;
import dev.ringmeter.EventRecorder;
import dev.ringmeter.Status;

/**
 * A deterministic workload of one run, and the figures it must give, summed here event by event as it is
 * recorded: per task, two calls (steps "retrieve" and "generate") and one task event. Shared by the run tests of
 * the core and the server.
 */
public final class RunWorkload {
    public long events;
    public long ok;
    public long errors;
    public long calls;
    public double latencyNsSum;
    public long promptTokens;
    public long completionTokens;
    public long cachedTokens;
    public long reasoningTokens;
    public double costUsd;
    public long costUnknown;
    public long retries;
    public long tasks;
    public long tasksSucceeded;
    public long firstTimeRight;
    public long taskRetries;
    public long qualityCount;
    public double qualitySum;
    public long retrieveCount;
    public double retrieveNsSum;

    /**
     * Records tasks [from, to) of a run.
     *
     * @param recorder to record into.
     * @param run      the run's id.
     * @param from     first task.
     * @param to       after the last.
     * @param errorEvery every this many tasks fails (and its second call errs), 0 for none.
     * @return this.
     */
    public RunWorkload record(final EventRecorder recorder, final String run, final int from, final int to,
                              final int errorEvery) {
        final Event e = new Event();
        for (int i = from; i < to; i++) {
            for (int c = 0; c < 2; c++) {
                final boolean fails = c == 1 && errorEvery > 0 && i % errorEvery == 0;
                final long latencyNs = (1 + (i * 7L + c * 13) % 50) * 1_000_000L;
                e.reset().model("m").operation("chat").run(run).task("t" + i).step(c == 0 ? "retrieve" : "generate")
                    .latencyNs(latencyNs).promptTokens(100 + i).completionTokens(20).cachedTokens(10)
                    .reasoningTokens(5).retries(c == 1 && i % 3 == 0 ? 1 : 0)
                    .status(fails ? Status.ERROR : Status.OK);
                if (fails) {
                    e.errorType("bad_json");
                }
                if (i % 5 != 0) {
                    e.costUsd(0.001 * (1 + i % 3));
                }
                count(e, fails, latencyNs, i % 5 != 0 ? 0.001 * (1 + i % 3) : Double.NaN, c == 1 && i % 3 == 0);
                calls++;
                latencyNsSum += latencyNs;
                if (c == 0) {
                    retrieveCount++;
                    retrieveNsSum += latencyNs;
                }
                recorder.record(e);
            }
            final boolean taskFails = errorEvery > 0 && i % errorEvery == 0;
            final int r = i % 3 == 0 ? 1 : 0;
            final double q = (i % 4) / 4.0;
            e.reset().model("m").operation("task").run(run).task("t" + i).latencyMs(100).retries(r)
                .status(taskFails ? Status.ERROR : Status.OK).quality("accuracy", q).costUsd(0);
            if (taskFails) {
                e.errorType("bad_json");
            }
            count(e, taskFails, 0, 0, r > 0);
            tasks++;
            taskRetries += r;
            if (!taskFails) {
                tasksSucceeded++;
                if (r == 0) {
                    firstTimeRight++;
                }
            }
            qualityCount++;
            qualitySum += q;
            recorder.record(e);
        }
        return this;
    }

    private void count(final Event e, final boolean fails, final long latencyNs, final double cost,
                       final boolean retried) {
        events++;
        if (fails) {
            errors++;
        } else {
            ok++;
        }
        if (e.promptTokens() != Event.NONE) {
            promptTokens += e.promptTokens();
            completionTokens += e.completionTokens();
            cachedTokens += e.cachedTokens();
            reasoningTokens += e.reasoningTokens();
        }
        if (Double.isNaN(cost)) {
            costUnknown++;
        } else {
            costUsd += cost;
        }
        retries += retried ? 1 : 0;
    }
}
