package dev.ringmeter.core.run;

import java.util.Comparator;
import java.util.List;
import java.util.Locale;

/**
 * What a list of runs asks for: filters (status, a substring of the name, a tag, a created-time range), a sort and
 * a page (offset and limit). Unset filters match every run.
 * <p>
 * Threading: a value built on one thread; immutable.
 *
 * @param status        only runs of this status, or null.
 * @param nameContains  only runs whose name contains this (any case), or null.
 * @param tag           only runs with this tag, or null.
 * @param createdFromMs only runs created at or after this, epoch ms (0 for no bound).
 * @param createdToMs   only runs created before this ({@link Long#MAX_VALUE} for no bound).
 * @param sort          the order.
 * @param descending    whether from the largest.
 * @param offset        runs to skip, at least 0.
 * @param limit         runs to return, 1 to {@value #MAX_LIMIT}.
 */
public record RunQuery(RunStatus status, String nameContains, String tag, long createdFromMs, long createdToMs,
                       Sort sort, boolean descending, int offset, int limit) {
    /** Runs a page returns unless asked. */
    public static final int DEFAULT_LIMIT = 50;
    /** The most runs a page returns. */
    public static final int MAX_LIMIT = 1_000;

    /** What a list is sorted by; a run without the figure (no latency, no cost) sorts last. */
    public enum Sort {
        CREATED(Comparator.comparingLong(RunSummary::createdAtMs)),
        NAME(Comparator.comparing(RunSummary::name)),
        STATUS(Comparator.comparing(RunSummary::status)),
        COST(Comparator.comparingDouble(s -> s.cost().usd())),
        P95(Comparator.comparingDouble(s -> s.latency().p95Ms()));

        private final Comparator<RunSummary> order;

        Sort(final Comparator<RunSummary> order) {
            this.order = order;
        }

        /** @return the names the HTTP API takes. */
        public static List<String> wireNames() {
            return List.of("created", "name", "status", "cost", "p95");
        }

        /**
         * @param text a sort name, any case.
         * @return the sort.
         * @throws RunException (invalid, field {@code sort}) for an unknown name.
         */
        public static Sort parse(final String text) {
            for (final Sort s : values()) {
                if (s.name().equalsIgnoreCase(text)) {
                    return s;
                }
            }
            throw RunException.invalid("sort", "must be one of " + String.join(", ", wireNames()) + " but was '"
                + text + "'");
        }

        Comparator<RunSummary> order(final boolean descending) {
            final Comparator<RunSummary> o = descending ? order.reversed() : order;
            final Comparator<RunSummary> nanLast = Comparator.comparing(s -> this == P95 && Double.isNaN(
                s.latency().p95Ms()));
            // ties (runs created in the same millisecond, say) in the direction asked, by creation time then id
            final Comparator<RunSummary> ties = Comparator.comparingLong(RunSummary::createdAtMs)
                .thenComparing(RunSummary::id);
            return nanLast.thenComparing(o).thenComparing(descending ? ties.reversed() : ties);
        }
    }

    public RunQuery {
        if (sort == null) {
            sort = Sort.CREATED;
        }
        if (offset < 0) {
            throw RunException.invalid("offset", "must be at least 0, got " + offset);
        }
        if (limit < 1 || limit > MAX_LIMIT) {
            throw RunException.invalid("limit", "must be 1 to " + MAX_LIMIT + ", got " + limit);
        }
        if (createdFromMs > createdToMs) {
            throw RunException.invalid("createdFrom", "must not be after createdTo");
        }
    }

    /** @return every run, newest first, the first page. */
    public static RunQuery all() {
        return new RunQuery(null, null, null, 0, Long.MAX_VALUE, Sort.CREATED, true, 0, DEFAULT_LIMIT);
    }

    boolean matches(final RunState r) {
        return (status == null || r.status == status)
            && (nameContains == null || r.name.toLowerCase(Locale.ROOT).contains(
                nameContains.toLowerCase(Locale.ROOT)))
            && (tag == null || r.tags.contains(tag))
            && r.createdAtMs >= createdFromMs && r.createdAtMs < createdToMs;
    }
}
