package dev.ringmeter.core.journal;

import org.agrona.collections.Object2LongHashMap;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The most frequent keys of a stream, in memory bounded by a number of counters whatever the number of distinct
 * keys: the Misra-Gries summary. Each key holds a counter while there is room; a new key when the counters are
 * full lowers every counter by one and drops those at zero. A key seen more than {@code n / (capacity + 1)} times
 * in a stream of n keeps its counter, which undercounts it by at most the times the counters made room, never more than that
 * ({@link #errorBound()}); so the
 * keys with the highest counters are the most frequent ones whenever those stand out by more than the bound.
 * Adding costs amortized O(1): every decrement is paid for by an earlier increment.
 * <p>
 * Threading: single thread; build one per scan.
 *
 * @param <K> the key type, with hashCode and equals (a group's name).
 */
final class FrequentKeys<K> {
    private final int capacity;
    private final Object2LongHashMap<K> counters;
    private long total;
    private long rounds;

    /**
     * @param capacity counters kept, at least 1.
     */
    FrequentKeys(final int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be at least 1 but was " + capacity);
        }
        this.capacity = capacity;
        this.counters = new Object2LongHashMap<>(Math.min(capacity, 1 << 16) * 2, 0.65f, 0);
    }

    /**
     * Counts one occurrence.
     *
     * @param key the occurrence's key, not null.
     */
    void add(final K key) {
        total++;
        final long count = counters.getValue(key);
        if (count != 0) {
            counters.put(key, count + 1);
        } else if (counters.size() < capacity) {
            counters.put(key, 1);
        } else {
            rounds++;
            final Object2LongHashMap<K>.EntryIterator it = counters.entrySet().iterator();
            while (it.hasNext()) {
                it.next();
                final long lowered = it.getLongValue() - 1;
                if (lowered == 0) {
                    it.remove();
                } else {
                    it.setValue(lowered);
                }
            }
        }
    }

    /**
     * @param n how many keys at most.
     * @return the keys with the highest counters, highest first (ties in no set order).
     */
    List<K> top(final int n) {
        final List<K> keys = new ArrayList<>(counters.keySet());
        keys.sort(Comparator.comparingLong(counters::getValue).reversed());
        return keys.size() > n ? new ArrayList<>(keys.subList(0, n)) : keys;
    }

    /**
     * @return how far below its true count a key's counter may be: the times the counters made room, at most the
     * occurrences seen / (capacity + 1).
     */
    long errorBound() {
        return rounds;
    }

    /**
     * @return the occurrences counted.
     */
    long total() {
        return total;
    }

    /**
     * @return whether every distinct key seen still holds its exact count (the counters never had to make room).
     */
    boolean exact() {
        return rounds == 0;
    }
}
