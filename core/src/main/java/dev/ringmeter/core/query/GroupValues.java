package dev.ringmeter.core.query;

/**
 * The values of one group of a comparison: its value for the first key and, when grouped by two keys, for the
 * second ("" for events without a value). A hash key for the groups of a scan or an in-memory comparison.
 * <p>
 * Threading: immutable; any thread.
 *
 * @param first  the value for the first key.
 * @param second the value for the second key, or null when grouped by one key.
 */
public record GroupValues(String first, String second) {
}
