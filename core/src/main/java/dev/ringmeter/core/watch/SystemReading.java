package dev.ringmeter.core.watch;

/**
 * One value a {@link SystemSampler} read.
 * <p>
 * Threading: immutable; any thread.
 *
 * @param metric what was read.
 * @param gpu    the GPU's index for a per-GPU series, else -1.
 * @param value  the value, in the unit the metric's name says.
 */
public record SystemReading(SystemMetric metric, int gpu, double value) {
}
