package dev.ringmeter.core.run;

import dev.ringmeter.Event;
import dev.ringmeter.Status;
import dev.ringmeter.core.ingest.EventSlot;
import org.HdrHistogram.AbstractHistogram;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.IntCountsHistogram;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One run in memory: what it was created with, its status, and the accumulators of the events that carry its id
 * (counted from its creation on). A task is an event with the operation {@value RunTable#TASK_OPERATION}: its status
 * is the task's outcome and its retries the task's retries; a task id recorded again replaces its earlier outcome
 * ({@link RunTasks}). Every other event of the run is a call or a step: its latency goes into the run's latency
 * histogram and, with a step, into that step's.
 * <p>
 * Bounds: the latency histogram (the store's histogram digits, values in microseconds up to a day), at most
 * {@value #MAX_STEPS} steps (each with a one-digit histogram: its P95 within 1/16), at most {@value #MAX_ERROR_TYPES}
 * error types and {@value #MAX_QUALITY} quality names (the events beyond are counted as "other"), the tasks table
 * ({@link RunTasks}): {@link #widestBytes} in all.
 * <p>
 * Threading: the aggregate thread's alone, holding the aggregates' lock; readers copy a {@link RunSummary} under the
 * same lock ({@link #summary}). Allocates nothing in steady state (a new step, error type, quality name or a growing
 * tasks table allocates once).
 */
final class RunState {
    static final int MAX_STEPS = 16;
    static final int MAX_ERROR_TYPES = 32;
    static final int MAX_QUALITY = 16;
    /** The seconds the recent task rate looks back over. */
    static final int RATE_WINDOW_S = 60;
    private static final long HIGHEST_US = Event.MAX_DURATION_NS / 1_000;

    final String id;
    /** The order of creation in this store, for sorting and eviction. */
    final long sequence;
    String name;
    Map<String, Object> parameters;
    List<String> tags;
    long expectedTasks;
    RunStatus status = RunStatus.RUNNING;
    String reason;
    long createdAtMs;
    long updatedAtMs;
    long finishedAtMs;

    long events;
    final long[] byStatus = new long[Status.values().length];
    final int[] errorTypes = new int[MAX_ERROR_TYPES];
    final long[] errorCounts = new long[MAX_ERROR_TYPES];
    int errorTypeCount;
    long otherErrors;
    AbstractHistogram latencyUs;
    long latencyNsSum;
    long latencyNsMax;
    long promptTokens;
    long completionTokens;
    long cachedTokens;
    long cacheWriteTokens;
    long reasoningTokens;
    double costUsd;
    long costUnknown;
    long retries;

    final RunTasks tasks;
    long tasksDone;
    long tasksSucceeded;
    long tasksFirstTimeRight;
    long taskRetries;
    long tasksUntracked;
    long firstTaskMs;
    long lastTaskMs;
    final int[] tasksBySecond = new int[RATE_WINDOW_S];
    final long[] secondOfSlot = new long[RATE_WINDOW_S];

    final int[] qualityNames = new int[MAX_QUALITY];
    final long[] qualityCount = new long[MAX_QUALITY];
    final double[] qualitySum = new double[MAX_QUALITY];
    final double[] qualitySumSq = new double[MAX_QUALITY];
    int qualityNameCount;

    final String[] stepNames = new String[MAX_STEPS];
    final long[] stepCount = new long[MAX_STEPS];
    final long[] stepNsSum = new long[MAX_STEPS];
    final AbstractHistogram[] stepUs = new AbstractHistogram[MAX_STEPS];
    int stepCountUsed;
    long otherStepEvents;

    private final int histogramDigits;

    RunState(final String id, final long sequence, final int maxTasks, final int histogramDigits) {
        this.id = id;
        this.sequence = sequence;
        this.tasks = new RunTasks(maxTasks);
        this.histogramDigits = histogramDigits;
        this.latencyUs = newLatencyHistogram(histogramDigits);
        java.util.Arrays.fill(secondOfSlot, Long.MIN_VALUE);
    }

    private static AbstractHistogram newLatencyHistogram(final int digits) {
        final Histogram h = new Histogram(digits);
        h.setAutoResize(true);
        return h;
    }

    private static AbstractHistogram newStepHistogram() {
        final IntCountsHistogram h = new IntCountsHistogram(1);
        h.setAutoResize(true);
        return h;
    }

    /**
     * @param maxTasks        tasks tracked per run.
     * @param histogramDigits the store's.
     * @return the most heap one run holds: its fixed arrays, its histograms at their widest (durations up to a day),
     * its tasks table full, and its strings at their longest (id, name, reason, parameters, tags, step names).
     */
    static long widestBytes(final int maxTasks, final int histogramDigits, final int maxStringLength) {
        final long fixed = 512 + 8L * Status.values().length + 12L * MAX_ERROR_TYPES + 28L * MAX_QUALITY
            + 12L * RATE_WINDOW_S + 24L * MAX_STEPS;
        final long histograms = new Histogram(1, HIGHEST_US, histogramDigits).getEstimatedFootprintInBytes()
            + MAX_STEPS * (new IntCountsHistogram(1, HIGHEST_US, 1).getEstimatedFootprintInBytes()
            + 40 + 2L * maxStringLength);
        // a command's values take at most MAX_VALUES_BYTES in UTF-8, so at most as many characters, two bytes each
        final long strings = 3 * 40 + 2L * maxStringLength + 2L * RunRules.MAX_VALUES_BYTES
            + RunRules.MAX_PARAMETERS * (3 * 40 + 48) + RunRules.MAX_TAGS * (40 + 8);
        return fixed + histograms + strings + RunTasks.widestBytes(maxTasks);
    }

    /** @return an estimate of the heap the run holds now, bytes. */
    long bytes() {
        long b = 512 + latencyUs.getEstimatedFootprintInBytes() + tasks.bytes();
        for (int i = 0; i < stepCountUsed; i++) {
            b += stepUs[i].getEstimatedFootprintInBytes();
        }
        return b;
    }

    /**
     * Counts one event of the run.
     *
     * @param e        the event, its cost stamped.
     * @param timeMs   its time.
     * @param task     whether it is a task event.
     * @param taskName its task id, or null.
     * @param stepName its step, or null.
     */
    void add(final EventSlot e, final long timeMs, final boolean task, final String taskName, final String stepName) {
        events++;
        byStatus[e.status]++;
        if (e.errorType != 0) {
            countError(e.errorType);
        }
        if (e.promptTokens != Event.NONE) {
            promptTokens += e.promptTokens;
        }
        if (e.completionTokens != Event.NONE) {
            completionTokens += e.completionTokens;
        }
        if (e.cachedTokens != Event.NONE) {
            cachedTokens += e.cachedTokens;
        }
        if (e.cacheWriteTokens != Event.NONE) {
            cacheWriteTokens += e.cacheWriteTokens;
        }
        if (e.reasoningTokens != Event.NONE) {
            reasoningTokens += e.reasoningTokens;
        }
        if (e.costUsd == e.costUsd) {
            costUsd += e.costUsd;
        } else {
            costUnknown++;
        }
        retries += e.retries;
        for (int i = 0; i < e.qualityCount; i++) {
            addQuality(e.qualityNames[i], e.qualityValues[i]);
        }
        if (task) {
            addTask(taskName, e.status, e.retries, timeMs);
        } else {
            final long us = Math.min(e.latencyNs / 1_000, HIGHEST_US);
            latencyUs.recordValue(us);
            latencyNsSum += e.latencyNs;
            latencyNsMax = Math.max(latencyNsMax, e.latencyNs);
            if (stepName != null) {
                addStep(stepName, e.latencyNs, us);
            }
        }
    }

    private void countError(final int type) {
        for (int i = 0; i < errorTypeCount; i++) {
            if (errorTypes[i] == type) {
                errorCounts[i]++;
                return;
            }
        }
        if (errorTypeCount < MAX_ERROR_TYPES) {
            errorTypes[errorTypeCount] = type;
            errorCounts[errorTypeCount++] = 1;
        } else {
            otherErrors++;
        }
    }

    private void addQuality(final int nameId, final double value) {
        int i = 0;
        while (i < qualityNameCount && qualityNames[i] != nameId) {
            i++;
        }
        if (i == qualityNameCount) {
            if (i == MAX_QUALITY) {
                return;
            }
            qualityNames[qualityNameCount++] = nameId;
        }
        qualityCount[i]++;
        qualitySum[i] += value;
        qualitySumSq[i] += value * value;
    }

    private void addStep(final String stepName, final long ns, final long us) {
        int i = 0;
        while (i < stepCountUsed && stepNames[i] != stepName && !stepNames[i].equals(stepName)) {
            i++;
        }
        if (i == stepCountUsed) {
            if (i == MAX_STEPS) {
                otherStepEvents++;
                return;
            }
            stepNames[i] = stepName;
            stepUs[i] = newStepHistogram();
            stepCountUsed++;
        }
        stepCount[i]++;
        stepNsSum[i] += ns;
        stepUs[i].recordValue(us);
    }

    private void addTask(final String taskName, final int status, final int taskRetries, final long timeMs) {
        final int outcome = RunTasks.outcome(status, taskRetries);
        final int old = taskName == null ? RunTasks.UNTRACKED : tasks.put(RunTasks.hash(taskName), outcome);
        if (old >= 0) {
            countTask(RunTasks.status(old), RunTasks.retries(old), -1);   // the task again: its last outcome counts
        } else {
            tasksDone++;
            if (old == RunTasks.UNTRACKED) {
                tasksUntracked++;
            }
            countRecent(timeMs);
            firstTaskMs = firstTaskMs == 0 ? timeMs : Math.min(firstTaskMs, timeMs);
            lastTaskMs = Math.max(lastTaskMs, timeMs);
        }
        countTask(status, RunTasks.retries(outcome), 1);
    }

    /** Counts a new task in its second of the recent rate; one older than the rate's window is left out of it. */
    private void countRecent(final long timeMs) {
        final long s = Math.floorDiv(timeMs, 1000L);
        final int slot = (int)Math.floorMod(s, (long)RATE_WINDOW_S);
        if (secondOfSlot[slot] != s) {
            if (secondOfSlot[slot] > s) {
                return;
            }
            secondOfSlot[slot] = s;
            tasksBySecond[slot] = 0;
        }
        tasksBySecond[slot]++;
    }

    private void countTask(final int status, final int taskRetries, final int sign) {
        if (status == Status.OK.ordinal()) {
            tasksSucceeded += sign;
            if (taskRetries == 0) {
                tasksFirstTimeRight += sign;
            }
        }
        this.taskRetries += sign * (long)taskRetries;
    }

    /**
     * @param nowMs the store's clock.
     * @return tasks done in the last {@value #RATE_WINDOW_S} seconds before now (by their events' times).
     */
    long tasksInLastMinute(final long nowMs) {
        final long nowS = Math.floorDiv(nowMs, 1000L);
        long n = 0;
        for (int i = 0; i < RATE_WINDOW_S; i++) {
            if (secondOfSlot[i] > nowS - RATE_WINDOW_S && secondOfSlot[i] <= nowS) {
                n += tasksBySecond[i];
            }
        }
        return n;
    }

    /**
     * Copies the run's figures; under the aggregates' lock.
     *
     * @param nowMs  the store's clock, for the rates and the ETA.
     * @param errorNames     names the error types (pinned ids).
     * @param qualityNamesOf names the quality scores (pinned ids).
     * @param histogram      whether to copy the latency histogram (for a comparison) or leave it null.
     * @return the summary.
     */
    RunSummary summary(final long nowMs, final java.util.function.IntFunction<String> errorNames,
                       final java.util.function.IntFunction<String> qualityNamesOf, final boolean histogram) {
        final Map<String, Long> statuses = new LinkedHashMap<>();
        for (final Status s : Status.values()) {
            statuses.put(s.wireName(), byStatus[s.ordinal()]);
        }
        final Map<String, Long> errors = new LinkedHashMap<>();
        for (int i = 0; i < errorTypeCount; i++) {
            errors.put(errorNames.apply(errorTypes[i]), errorCounts[i]);
        }
        final Map<String, RunSummary.Quality> quality = new LinkedHashMap<>();
        for (int i = 0; i < qualityNameCount; i++) {
            final long n = qualityCount[i];
            final double mean = qualitySum[i] / n;
            final double variance = n < 2 ? 0 : Math.max(0, (qualitySumSq[i] - n * mean * mean) / (n - 1));
            quality.put(qualityNamesOf.apply(qualityNames[i]), new RunSummary.Quality(n, mean, Math.sqrt(variance)));
        }
        final Map<String, RunSummary.Step> steps = new LinkedHashMap<>();
        for (int i = 0; i < stepCountUsed; i++) {
            steps.put(stepNames[i], new RunSummary.Step(stepCount[i], stepNsSum[i] / 1e6 / stepCount[i],
                stepUs[i].getValueAtPercentile(95) / 1e3));
        }
        final long endMs = status.finished() ? finishedAtMs : nowMs;
        final long recent = status.finished() ? 0 : tasksInLastMinute(nowMs);
        final double overall = endMs > createdAtMs ? tasksDone * 1e3 / (endMs - createdAtMs) : Double.NaN;
        final double lastMinute = status.finished() ? Double.NaN : recent / (double)RATE_WINDOW_S;
        final double rate = lastMinute > 0 ? lastMinute : overall;
        final long etaMs = status.finished() || expectedTasks < 0 || !(rate > 0) ? -1
            : (long)Math.ceil(Math.max(0, expectedTasks - tasksDone) * 1e3 / rate);
        final RunSummary.Progress progress = new RunSummary.Progress(tasksDone, expectedTasks,
            expectedTasks > 0 ? Math.min(1.0, (double)tasksDone / expectedTasks) : Double.NaN, lastMinute, overall,
            etaMs);
        final long calls = latencyUs.getTotalCount();
        final RunSummary.Latency latency = new RunSummary.Latency(calls,
            calls == 0 ? Double.NaN : latencyNsSum / 1e6 / calls, percentileMs(50), percentileMs(90),
            percentileMs(95), percentileMs(99), calls == 0 ? Double.NaN : latencyNsMax / 1e6);
        final RunSummary.Tasks taskFigures = new RunSummary.Tasks(tasksDone, tasksSucceeded, tasksFirstTimeRight,
            ratio(tasksFirstTimeRight, tasksDone), ratio(taskRetries, tasksDone), taskRetries, tasksUntracked);
        return new RunSummary(id, name, status, reason, parameters, tags, createdAtMs, updatedAtMs, finishedAtMs,
            progress, events, statuses, errors, otherErrors, latency,
            new RunSummary.Tokens(promptTokens, completionTokens, cachedTokens, cacheWriteTokens, reasoningTokens),
            new RunSummary.Cost(costUsd, costUnknown,
                tasksSucceeded == 0 || costUnknown > 0 ? Double.NaN : costUsd / tasksSucceeded),
            retries, taskFigures, quality, steps, otherStepEvents, histogram ? latencyUs.copy() : null);
    }

    private double percentileMs(final double p) {
        return latencyUs.getTotalCount() == 0 ? Double.NaN
            : Math.min(latencyUs.getValueAtPercentile(p) / 1e3, latencyNsMax / 1e6);
    }

    private static double ratio(final long part, final long whole) {
        return whole == 0 ? Double.NaN : (double)part / whole;
    }

    void write(final DataOutput out) throws IOException {
        out.writeUTF(id);
        out.writeLong(sequence);
        out.writeUTF(name);
        RunParameters.write(out, parameters, tags);
        out.writeLong(expectedTasks);
        out.writeByte(status.ordinal());
        out.writeBoolean(reason != null);
        if (reason != null) {
            out.writeUTF(reason);
        }
        out.writeLong(createdAtMs);
        out.writeLong(updatedAtMs);
        out.writeLong(finishedAtMs);
        out.writeLong(events);
        for (final long n : byStatus) {
            out.writeLong(n);
        }
        out.writeInt(errorTypeCount);
        for (int i = 0; i < errorTypeCount; i++) {
            out.writeInt(errorTypes[i]);
            out.writeLong(errorCounts[i]);
        }
        out.writeLong(otherErrors);
        HistogramCodec.write(out, latencyUs);
        out.writeLong(latencyNsSum);
        out.writeLong(latencyNsMax);
        out.writeLong(promptTokens);
        out.writeLong(completionTokens);
        out.writeLong(cachedTokens);
        out.writeLong(cacheWriteTokens);
        out.writeLong(reasoningTokens);
        out.writeDouble(costUsd);
        out.writeLong(costUnknown);
        out.writeLong(retries);
        tasks.write(out);
        out.writeLong(tasksDone);
        out.writeLong(tasksSucceeded);
        out.writeLong(tasksFirstTimeRight);
        out.writeLong(taskRetries);
        out.writeLong(tasksUntracked);
        out.writeLong(firstTaskMs);
        out.writeLong(lastTaskMs);
        for (int i = 0; i < RATE_WINDOW_S; i++) {
            out.writeLong(secondOfSlot[i]);
            out.writeInt(tasksBySecond[i]);
        }
        out.writeInt(qualityNameCount);
        for (int i = 0; i < qualityNameCount; i++) {
            out.writeInt(qualityNames[i]);
            out.writeLong(qualityCount[i]);
            out.writeDouble(qualitySum[i]);
            out.writeDouble(qualitySumSq[i]);
        }
        out.writeInt(stepCountUsed);
        for (int i = 0; i < stepCountUsed; i++) {
            out.writeUTF(stepNames[i]);
            out.writeLong(stepCount[i]);
            out.writeLong(stepNsSum[i]);
            HistogramCodec.write(out, stepUs[i]);
        }
        out.writeLong(otherStepEvents);
    }

    static RunState read(final DataInput in, final int maxTasks, final int histogramDigits) throws IOException {
        final RunState r = new RunState(in.readUTF(), in.readLong(), maxTasks, histogramDigits);
        r.name = in.readUTF();
        final RunParameters.Read p = RunParameters.read(in);
        r.parameters = p.parameters();
        r.tags = p.tags();
        r.expectedTasks = in.readLong();
        final int status = in.readByte();
        if (status < 0 || status >= RunStatus.values().length) {
            throw new IOException("a run of status " + status);
        }
        r.status = RunStatus.of(status);
        r.reason = in.readBoolean() ? in.readUTF() : null;
        r.createdAtMs = in.readLong();
        r.updatedAtMs = in.readLong();
        r.finishedAtMs = in.readLong();
        r.events = in.readLong();
        for (int i = 0; i < r.byStatus.length; i++) {
            r.byStatus[i] = in.readLong();
        }
        r.errorTypeCount = count(in.readInt(), MAX_ERROR_TYPES);
        for (int i = 0; i < r.errorTypeCount; i++) {
            r.errorTypes[i] = in.readInt();
            r.errorCounts[i] = in.readLong();
        }
        r.otherErrors = in.readLong();
        r.latencyUs = HistogramCodec.read(in, false);
        r.latencyNsSum = in.readLong();
        r.latencyNsMax = in.readLong();
        r.promptTokens = in.readLong();
        r.completionTokens = in.readLong();
        r.cachedTokens = in.readLong();
        r.cacheWriteTokens = in.readLong();
        r.reasoningTokens = in.readLong();
        r.costUsd = in.readDouble();
        r.costUnknown = in.readLong();
        r.retries = in.readLong();
        r.tasks.read(in);
        r.tasksDone = in.readLong();
        r.tasksSucceeded = in.readLong();
        r.tasksFirstTimeRight = in.readLong();
        r.taskRetries = in.readLong();
        r.tasksUntracked = in.readLong();
        r.firstTaskMs = in.readLong();
        r.lastTaskMs = in.readLong();
        for (int i = 0; i < RATE_WINDOW_S; i++) {
            r.secondOfSlot[i] = in.readLong();
            r.tasksBySecond[i] = in.readInt();
        }
        r.qualityNameCount = count(in.readInt(), MAX_QUALITY);
        for (int i = 0; i < r.qualityNameCount; i++) {
            r.qualityNames[i] = in.readInt();
            r.qualityCount[i] = in.readLong();
            r.qualitySum[i] = in.readDouble();
            r.qualitySumSq[i] = in.readDouble();
        }
        r.stepCountUsed = count(in.readInt(), MAX_STEPS);
        for (int i = 0; i < r.stepCountUsed; i++) {
            r.stepNames[i] = in.readUTF();
            r.stepCount[i] = in.readLong();
            r.stepNsSum[i] = in.readLong();
            r.stepUs[i] = HistogramCodec.read(in, true);
        }
        r.otherStepEvents = in.readLong();
        return r;
    }

    private static int count(final int n, final int max) throws IOException {
        if (n < 0 || n > max) {
            throw new IOException("a run count of " + n + ", more than " + max);
        }
        return n;
    }
}
