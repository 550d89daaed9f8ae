package dev.ringmeter.core.run;

/**
 * A run request the store refuses: what kind of refusal (the HTTP API maps it to a status), the field it is about
 * and why. No stack trace: these are answers, not faults.
 * <p>
 * Threading: immutable; any thread.
 */
public final class RunException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** What kind of refusal. */
    public enum Kind {
        /** A value breaks a rule of runs (HTTP 422, or 400 for a query parameter). */
        INVALID,
        /** No run has the id (HTTP 404). */
        NOT_FOUND,
        /** The run's state does not allow it: a run finished already, an id taken, no room for a run (HTTP 409). */
        CONFLICT
    }

    private final Kind kind;
    private final String field;

    private RunException(final Kind kind, final String field, final String message) {
        super(field == null ? message : field + ": " + message, null, false, false);
        this.kind = kind;
        this.field = field;
    }

    static RunException invalid(final String field, final String message) {
        return new RunException(Kind.INVALID, field, message);
    }

    static RunException notFound(final String id) {
        return new RunException(Kind.NOT_FOUND, "id", "no run has the id '" + id + "'");
    }

    static RunException conflict(final String field, final String message) {
        return new RunException(Kind.CONFLICT, field, message);
    }

    /** @return what kind of refusal. */
    public Kind kind() {
        return kind;
    }

    /** @return the field the refusal is about, or null. */
    public String field() {
        return field;
    }
}
