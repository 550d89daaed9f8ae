package dev.ringmeter.server.otlp;

/**
 * What a translation of one OTLP request refused: the count (the {@code rejected_spans} or
 * {@code rejected_data_points} of the reply's {@code partial_success}) and the first reason, as its message; and
 * the spans it ignored, which were not GenAI spans (not refused: nothing is wrong with them).
 * <p>
 * Threading: one request's thread.
 */
final class Refusals {
    private long count;
    private String first;
    private long ignored;

    /** @param n more items ignored. */
    void ignore(final long n) {
        ignored += n;
    }

    /** @return items ignored. */
    long ignored() {
        return ignored;
    }

    /**
     * @param what  which item, e.g. "span 3 of scope 0 of resource 1".
     * @param cause why it was refused.
     */
    void refuse(final String what, final String cause) {
        if (count++ == 0) {
            first = what + ": " + cause;
        }
    }

    /** @return items refused. */
    long count() {
        return count;
    }

    /** @return the reply's message: the first reason and how many were refused, or "" if none was. */
    String message() {
        return count == 0 ? "" : count == 1 ? first : first + " (and " + (count - 1) + " more refused)";
    }
}
