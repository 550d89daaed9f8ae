package dev.ringmeter.server.ops;

import com.fasterxml.jackson.core.JsonGenerator;
import dev.ringmeter.core.HeapBudget;
import dev.ringmeter.core.StoreStats;
import dev.ringmeter.core.dictionary.Dimension;
import dev.ringmeter.server.http.Json;
import dev.ringmeter.server.ingest.IngestGate;
import dev.ringmeter.server.query.ScanCounters;

import java.io.IOException;
import java.lang.management.GarbageCollectorMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryUsage;
import java.lang.management.OperatingSystemMXBean;
import java.lang.management.RuntimeMXBean;
import java.lang.management.ThreadMXBean;
import java.util.Locale;

/**
 * JVM and host metrics from java.lang.management (and com.sun.management where the JVM has it), written as JSON.
 * <p>
 * Threading: stateless; any thread.
 */
final class SystemInfo {
    private SystemInfo() {
    }

    /**
     * @param g     the generator.
     * @param stats       the store's counters, or null when it is not open.
     * @param budget      the store's heap budget and limits, or null when it is not open.
     * @param gate        the write-request permits.
     * @param scans       how the journal scans ended early.
     * @param startTimeMs when the server started, by its clock.
     * @param nowMs       the server's clock now.
     * @throws IOException never in practice.
     */
    static void write(final JsonGenerator g, final StoreStats stats, final HeapBudget budget, final IngestGate gate,
                      final ScanCounters scans, final long startTimeMs, final long nowMs) throws IOException {
        final RuntimeMXBean runtime = ManagementFactory.getRuntimeMXBean();
        final MemoryUsage heap = ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
        final MemoryUsage nonHeap = ManagementFactory.getMemoryMXBean().getNonHeapMemoryUsage();
        final ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        final OperatingSystemMXBean os = ManagementFactory.getOperatingSystemMXBean();
        g.writeStartObject();

        g.writeObjectFieldStart("jvm");
        g.writeStringField("version", runtime.getVmVendor() + " " + runtime.getVmName() + " " + runtime.getVmVersion());
        Json.time(g, "startTime", runtime.getStartTime());
        g.writeNumberField("uptimeMs", runtime.getUptime());
        g.writeNumberField("availableProcessors", Runtime.getRuntime().availableProcessors());
        g.writeObjectFieldStart("heap");
        memory(g, heap);
        g.writeEndObject();
        g.writeObjectFieldStart("nonHeap");
        memory(g, nonHeap);
        g.writeEndObject();
        g.writeObjectFieldStart("threads");
        g.writeNumberField("live", threads.getThreadCount());
        g.writeNumberField("daemon", threads.getDaemonThreadCount());
        g.writeNumberField("peak", threads.getPeakThreadCount());
        g.writeNumberField("started", threads.getTotalStartedThreadCount());
        g.writeEndObject();
        g.writeArrayFieldStart("gc");
        for (final GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
            g.writeStartObject();
            g.writeStringField("name", gc.getName());
            g.writeNumberField("count", gc.getCollectionCount());
            g.writeNumberField("timeMs", gc.getCollectionTime());
            g.writeEndObject();
        }
        g.writeEndArray();
        g.writeEndObject();

        g.writeObjectFieldStart("host");
        g.writeStringField("os", os.getName() + " " + os.getVersion() + " " + os.getArch());
        g.writeNumberField("availableProcessors", os.getAvailableProcessors());
        Json.number(g, "loadAverage", os.getSystemLoadAverage() < 0 ? Double.NaN : os.getSystemLoadAverage());
        if (os instanceof com.sun.management.OperatingSystemMXBean) {
            final com.sun.management.OperatingSystemMXBean sun = (com.sun.management.OperatingSystemMXBean)os;
            Json.number(g, "processCpuLoad", nonNegative(sun.getProcessCpuLoad()));
            Json.number(g, "systemCpuLoad", nonNegative(sun.getCpuLoad()));
            g.writeNumberField("processCpuTimeNs", sun.getProcessCpuTime());
            g.writeNumberField("totalMemoryBytes", sun.getTotalMemorySize());
            g.writeNumberField("freeMemoryBytes", sun.getFreeMemorySize());
        } else {
            g.writeNullField("processCpuLoad");
            g.writeNullField("systemCpuLoad");
        }
        g.writeEndObject();

        g.writeObjectFieldStart("store");
        if (stats == null) {
            g.writeBooleanField("ready", false);
        } else {
            g.writeBooleanField("ready", true);
            g.writeNumberField("published", stats.published());
            g.writeNumberField("dropped", stats.dropped());
            g.writeNumberField("aggregatedEvents", stats.aggregatedEvents());
            g.writeNumberField("aggregatedSamples", stats.aggregatedSamples());
            g.writeNumberField("expired", stats.expired());
            g.writeNumberField("ringCapacity", stats.ringCapacity());
            g.writeNumberField("ringOccupied", stats.ringOccupied());
            g.writeNumberField("models", stats.models());
            g.writeNumberField("aggregateHeapBytes", stats.aggregateHeapBytes());
            g.writeNumberField("lateEvents", stats.lateEvents());
            g.writeNumberField("heldEvents", stats.heldEvents());
            g.writeNumberField("snapshotsSkipped", stats.snapshotsSkipped());
            g.writeNumberField("snapshotCaptureNs", stats.snapshotCaptureNs());
            if (stats.snapshotWrittenAtMs() == 0) {
                g.writeNullField("snapshotWrittenAt");
            } else {
                Json.time(g, "snapshotWrittenAt", stats.snapshotWrittenAtMs());
            }
            if (budget != null) {
                limits(g, budget);
            }
        }
        g.writeEndObject();

        g.writeObjectFieldStart("server");
        Json.time(g, "startTime", startTimeMs);
        Json.time(g, "time", nowMs);
        g.writeNumberField("writesInFlight", gate.inFlight());
        g.writeNumberField("maxWritesInFlight", gate.permits());
        g.writeNumberField("writesRejected", gate.rejected());
        g.writeNumberField("bodiesReading", gate.bodiesReading());
        g.writeNumberField("bodyTimeouts", gate.bodyTimeouts());
        g.writeNumberField("scansTimedOut", scans.timedOutCount());
        g.writeNumberField("scansCancelled", scans.cancelledCount());
        g.writeEndObject();

        g.writeEndObject();
    }

    /** The limits in force and the heap budget they were derived from (docs/configuration.md). */
    private static void limits(final JsonGenerator g, final HeapBudget budget) throws IOException {
        g.writeObjectFieldStart("limits");
        g.writeNumberField("heapShare", budget.heapShare());
        g.writeNumberField("maxHeapBytes", budget.maxHeapBytes());
        g.writeNumberField("budgetBytes", budget.budgetBytes());
        g.writeNumberField("bytesAtLimits", budget.estimatedBytes());
        g.writeBooleanField("exceeded", budget.exceeded());
        g.writeObjectFieldStart("dimensions");
        for (final Dimension d : Dimension.VALUES) {
            g.writeObjectFieldStart(d.name().toLowerCase(Locale.ROOT));
            g.writeNumberField("limit", budget.limit(d));
            g.writeBooleanField("derived", budget.derived(d));
            g.writeNumberField("bytesEach", budget.bytesEach(d));
            g.writeEndObject();
        }
        g.writeEndObject();
        g.writeEndObject();
    }

    private static void memory(final JsonGenerator g, final MemoryUsage m) throws IOException {
        g.writeNumberField("usedBytes", m.getUsed());
        g.writeNumberField("committedBytes", m.getCommitted());
        g.writeNumberField("maxBytes", m.getMax());
    }

    private static double nonNegative(final double v) {
        return v < 0 ? Double.NaN : v;
    }
}
