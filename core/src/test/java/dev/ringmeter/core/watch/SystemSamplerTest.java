package dev.ringmeter.core.watch;

import dev.ringmeter.core.EmbeddedStore;
import dev.ringmeter.core.StoreConfig;
import dev.ringmeter.core.query.WindowStats;
import dev.ringmeter.core.test.StandInNvidiaSmi;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class SystemSamplerTest {
    private static final double MIB = 1024.0 * 1024.0;

    @TempDir
    Path dir;
    private EmbeddedStore store;

    @AfterEach
    void close() {
        if (store != null) {
            store.close();
        }
    }

    @Test
    void shouldSampleTheJvmHostAndStoreIntoCustomMetricsEveryInterval() {
        store = EmbeddedStore.open(new StoreConfig().dataDirectory(dir.resolve("data")).shutdownHook(false)
            .systemSampleIntervalMs(200).gpuCommand(null).snapshotIntervalMs(1_000));
        assertTrue(Thread.getAllStackTraces().keySet().stream()
            .anyMatch(t -> t.getName().equals(SystemSampler.THREAD_NAME) && t.isDaemon()));
        final String[] names = {"system.heap.used_bytes", "system.heap.max_bytes", "system.nonheap.used_bytes",
            "system.gc.count", "system.gc.time_ms", "system.cpu.process", "system.cpu.system", "system.threads",
            "system.load.1m", "system.disk.free_bytes", "store.ring.occupancy", "store.dropped",
            "store.journal.bytes"};
        await(() -> {
            for (final String name : names) {
                if (window(name).count() < 2) {
                    return false;
                }
            }
            return true;
        }, "two rounds of every system series");
        final WindowStats used = window("system.heap.used_bytes");
        final WindowStats max = window("system.heap.max_bytes");
        assertTrue(used.valueMin() > 0, "heap used " + used.valueMin());
        assertTrue(used.valueMax() <= max.valueMin(), "heap used " + used.valueMax() + " max " + max.valueMin());
        assertEquals(Runtime.getRuntime().maxMemory(), max.valueMax(), 0);
        assertTrue(window("system.disk.free_bytes").valueMin() > 0);
        assertTrue(window("system.threads").valueMin() >= 2);
        assertTrue(window("system.cpu.process").valueMax() <= 1);
        assertTrue(window("store.journal.bytes").valueMax() > 0);
        assertEquals(0, window("store.dropped").valueMax());
        await(() -> store.snapshotWrittenAtMs() > 0 && window("store.snapshot.age_ms").count() >= 1,
            "a snapshot and its age");
        final WindowStats age = window("store.snapshot.age_ms");
        assertTrue(age.valueMin() >= 0 && age.valueMax() < 60_000, "snapshot age " + age.valueMax());
        assertFalse(store.aggregates().metricNames().stream().anyMatch(n -> n.startsWith("gpu.")));
        assertNull(store.systemSampler().gpus());

        store.close();
        await(() -> Thread.getAllStackTraces().keySet().stream()
            .noneMatch(t -> t.getName().equals(SystemSampler.THREAD_NAME)), "the sampler thread to end");
    }

    @Test
    void shouldRecordExactlyWhatNvidiaSmiPrintsPerGpuAndSkipNotAvailableValues() throws Exception {
        final Path nvidiaSmi = StandInNvidiaSmi.write(dir);
        store = EmbeddedStore.open(new StoreConfig().shutdownHook(false).systemSampleIntervalMs(200)
            .gpuCommand(nvidiaSmi.toString()));
        await(() -> store.systemSampler().rounds() >= 2 && window("gpu.power_w").count() >= 2, "two GPU rounds");
        final List<SystemReading> gpus = store.systemSampler().latest().stream()
            .filter(r -> r.metric().perGpu()).toList();
        assertEquals(List.of(
            new SystemReading(SystemMetric.GPU_UTILIZATION, 0, 45),
            new SystemReading(SystemMetric.GPU_MEMORY_USED, 0, 1024 * MIB),
            new SystemReading(SystemMetric.GPU_MEMORY_TOTAL, 0, 81920 * MIB),
            new SystemReading(SystemMetric.GPU_TEMPERATURE, 0, 60),
            new SystemReading(SystemMetric.GPU_POWER, 0, 250.5),
            new SystemReading(SystemMetric.GPU_MEMORY_USED, 1, 2048 * MIB),
            new SystemReading(SystemMetric.GPU_MEMORY_TOTAL, 1, 81920 * MIB),
            new SystemReading(SystemMetric.GPU_TEMPERATURE, 1, 70)), gpus);
        // two [N/A] values and one unreadable line per round
        final long rounds = store.systemSampler().rounds();
        assertTrue(store.systemSampler().gpus().skipped() >= 3 * rounds, "skipped " + store.systemSampler().gpus()
            .skipped());
        assertEquals(0, store.systemSampler().gpus().failures());

        final WindowStats utilization = window("gpu.utilization");
        assertEquals(45, utilization.valueMin(), 0);
        assertEquals(45, utilization.valueMax(), 0);
        final WindowStats power = window("gpu.power_w");
        assertEquals(250.5, power.valueMin(), 0);
        assertEquals(250.5, power.valueMax(), 0);
        assertEquals(1024 * MIB, window("gpu.memory.used_bytes").valueMin(), 0);
        assertEquals(2048 * MIB, window("gpu.memory.used_bytes").valueMax(), 0);
        assertEquals(60, window("gpu.temperature_c").valueMin(), 0);
        assertEquals(70, window("gpu.temperature_c").valueMax(), 0);
        // a store in memory has no data directory: no disk, journal or snapshot series
        assertEquals(0, window("system.disk.free_bytes").count());
        assertEquals(0, window("store.journal.bytes").count());
    }

    @Test
    void shouldHaveNoGpuSeriesAndNoErrorWhenNvidiaSmiIsAbsent() throws Exception {
        store = EmbeddedStore.open(new StoreConfig().shutdownHook(false).systemSampleIntervalMs(200)
            .gpuCommand(dir.resolve("nvidia-smi").toString()));
        await(() -> store.systemSampler().rounds() >= 2 && window("system.threads").count() >= 2, "two rounds");
        assertTrue(store.flush(5, TimeUnit.SECONDS));
        assertNull(store.systemSampler().gpus());
        assertFalse(store.aggregates().metricNames().stream().anyMatch(n -> n.startsWith("gpu.")));
        assertNull(GpuQuery.resolve("nvidia-smi", dir.toString()));
    }

    @Test
    void shouldCountAFailingNvidiaSmiAndKeepSampling() throws Exception {
        final Path failing = dir.resolve("nvidia-smi");
        Files.writeString(failing, "#!/bin/sh\nexit 9\n");
        Files.setPosixFilePermissions(failing, PosixFilePermissions.fromString("rwxr-xr-x"));
        store = EmbeddedStore.open(new StoreConfig().shutdownHook(false).systemSampleIntervalMs(200)
            .gpuCommand(failing.toString()));
        await(() -> store.systemSampler().rounds() >= 2, "two rounds");
        assertNotNull(store.systemSampler().gpus());
        assertTrue(store.systemSampler().gpus().failures() >= 2);
        assertTrue(store.flush(5, TimeUnit.SECONDS));
        assertTrue(window("system.threads").count() >= 2);
        assertFalse(store.aggregates().metricNames().stream().anyMatch(n -> n.startsWith("gpu.")));
    }

    @Test
    void shouldSampleNothingInAnEmbeddedStoreByDefault() {
        store = EmbeddedStore.open(new StoreConfig().shutdownHook(false));
        assertNull(store.systemSampler());
        assertFalse(Thread.getAllStackTraces().keySet().stream()
            .anyMatch(t -> t.getName().equals(SystemSampler.THREAD_NAME)));
    }

    @Test
    void shouldRefuseAnIntervalShorterThan100Ms() {
        final IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
            () -> new StoreConfig().systemSampleIntervalMs(50).conclude());
        assertTrue(e.getMessage().contains("systemSampleIntervalMs"), e.getMessage());
    }

    private WindowStats window(final String name) {
        final long now = System.currentTimeMillis();
        return store.aggregates().metricWindow(name, now - 60_000, now + 1_000, new WindowStats());
    }

    static void await(final BooleanSupplier condition, final String what) {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
        }
    }
}
