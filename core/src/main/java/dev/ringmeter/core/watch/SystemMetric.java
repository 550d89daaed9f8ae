package dev.ringmeter.core.watch;

/**
 * The series a {@link SystemSampler} records, each under its custom metric name ({@link #metricName()}): the JVM,
 * the host, the store's own state and, per GPU (tag {@code gpu=<index>}), what {@code nvidia-smi} reports. The one
 * list of them: the sampler, the Prometheus exposition and docs/alerts.md follow it.
 * <p>
 * Threading: immutable; any thread.
 */
public enum SystemMetric {
    HEAP_USED("system.heap.used_bytes", Kind.GAUGE, "Heap in use, bytes."),
    HEAP_MAX("system.heap.max_bytes", Kind.GAUGE, "Largest heap the JVM may use (-Xmx), bytes."),
    NON_HEAP_USED("system.nonheap.used_bytes", Kind.GAUGE, "Non-heap memory in use (metaspace, code cache), bytes."),
    GC_COUNT("system.gc.count", Kind.COUNTER, "Garbage collections since the JVM started."),
    GC_TIME("system.gc.time_ms", Kind.COUNTER, "Time spent in garbage collection since the JVM started."),
    CPU_PROCESS("system.cpu.process", Kind.GAUGE, "CPU load of this process, 0 to 1 (all cores)."),
    CPU_SYSTEM("system.cpu.system", Kind.GAUGE, "CPU load of the whole host, 0 to 1 (all cores)."),
    THREADS("system.threads", Kind.GAUGE, "Live JVM threads."),
    LOAD_1M("system.load.1m", Kind.GAUGE, "Host load average over the last minute."),
    DISK_FREE("system.disk.free_bytes", Kind.GAUGE, "Usable space of the data directory's file system, bytes."),
    RING_OCCUPANCY("store.ring.occupancy", Kind.STORE_STATS, "Slots published to the ring but not yet consumed."),
    DROPPED("store.dropped", Kind.STORE_STATS, "Events and samples dropped on a full ring."),
    JOURNAL_BYTES("store.journal.bytes", Kind.GAUGE, "Bytes of the journal's files on disk."),
    SNAPSHOT_AGE("store.snapshot.age_ms", Kind.GAUGE, "Time since the latest snapshot was written."),
    GPU_UTILIZATION("gpu.utilization", Kind.GAUGE, "GPU utilisation, percent."),
    GPU_MEMORY_USED("gpu.memory.used_bytes", Kind.GAUGE, "GPU memory in use, bytes."),
    GPU_MEMORY_TOTAL("gpu.memory.total_bytes", Kind.GAUGE, "GPU memory in all, bytes."),
    GPU_TEMPERATURE("gpu.temperature_c", Kind.GAUGE, "GPU temperature, degrees Celsius."),
    GPU_POWER("gpu.power_w", Kind.GAUGE, "GPU power draw, watts.");

    /** How a series reads when exposed elsewhere. */
    public enum Kind {
        /** A value that goes up and down. */
        GAUGE,
        /** A count that only grows while the process lives. */
        COUNTER,
        /** A gauge or counter the store's own statistics already expose under a name of their own. */
        STORE_STATS
    }

    private final String metricName;
    private final Kind kind;
    private final String help;

    SystemMetric(final String metricName, final Kind kind, final String help) {
        this.metricName = metricName;
        this.kind = kind;
        this.help = help;
    }

    /** @return the custom metric name it is recorded under. */
    public String metricName() {
        return metricName;
    }

    /** @return how it reads. */
    public Kind kind() {
        return kind;
    }

    /** @return one sentence saying what it is. */
    public String help() {
        return help;
    }

    /** @return whether it is a per-GPU series, tagged {@code gpu=<index>}. */
    public boolean perGpu() {
        return metricName.startsWith("gpu.");
    }
}
