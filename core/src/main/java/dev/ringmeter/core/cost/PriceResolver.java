package dev.ringmeter.core.cost;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The entries of one revision of the price book, resolved by model name: for each model, the entries that match
 * it in precedence order (the user's first, then the built-in list's: user entries win), computed once per name
 * and kept. The entry that prices an event is the first whose effective-from is not after the event's time.
 * <p>
 * Threading: one thread's (a recompute, a query); not thread-safe. Memory: a list per model name resolved.
 */
public final class PriceResolver {
    private static final PriceEntry[] NONE = new PriceEntry[0];
    private final PriceEntry[] user;
    private final List<PriceEntry> builtIn;
    private final Map<String, PriceEntry[]> byModel = new HashMap<>();

    PriceResolver(final PriceEntry[] user, final List<PriceEntry> builtIn) {
        this.user = user;
        this.builtIn = builtIn;
    }

    /**
     * @param model a model name, or null (an event without a model: never priced).
     * @return its matching entries in precedence order; empty if none.
     */
    public PriceEntry[] candidates(final String model) {
        if (model == null || model.isEmpty()) {
            return NONE;
        }
        PriceEntry[] c = byModel.get(model);
        if (c == null) {
            c = resolve(user, builtIn, model);
            byModel.put(model, c);
        }
        return c;
    }

    /**
     * @param model  a model name.
     * @param timeMs the event's time.
     * @return the entry in force for it, or null if none.
     */
    public PriceEntry entry(final String model, final long timeMs) {
        return inForce(candidates(model), timeMs);
    }

    /**
     * The rule of precedence, written once: the user's matching entries in {@link PriceEntry#PRECEDENCE} order, then
     * the built-in list's. Evaluates every pattern (regular expressions included) once.
     */
    static PriceEntry[] resolve(final PriceEntry[] user, final List<PriceEntry> builtIn, final String model) {
        final List<PriceEntry> mine = new ArrayList<>();
        for (final PriceEntry e : user) {
            if (e.matches(model)) {
                mine.add(e);
            }
        }
        mine.sort(PriceEntry.PRECEDENCE);
        final List<PriceEntry> defaults = new ArrayList<>();
        for (final PriceEntry e : builtIn) {
            if (e.matches(model)) {
                defaults.add(e);
            }
        }
        defaults.sort(PriceEntry.PRECEDENCE);
        mine.addAll(defaults);
        return mine.isEmpty() ? NONE : mine.toArray(NONE);
    }

    /**
     * @param candidates in precedence order.
     * @param timeMs     the event's time.
     * @return the first in force at that time (effective-from not after it), or null. Allocates nothing.
     */
    static PriceEntry inForce(final PriceEntry[] candidates, final long timeMs) {
        for (final PriceEntry e : candidates) {
            if (e.effectiveFromMs() <= timeMs) {
                return e;
            }
        }
        return null;
    }

    @Override
    public String toString() {
        return "PriceResolver" + Arrays.toString(user);
    }
}
