package dev.ringmeter;

/**
 * An event or metric was rejected because one of its fields holds a bad value. Thrown on the caller's thread,
 * before anything of the event is stored.
 */
public class InvalidEventException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    private final String field;

    /**
     * @param field   the name of the offending field, as in the HTTP API ({@code latencyMs}, {@code model}, ...).
     * @param problem what is wrong with it.
     */
    public InvalidEventException(final String field, final String problem) {
        super(field + " " + problem);
        this.field = field;
    }

    /**
     * @return the name of the offending field.
     */
    public String field() {
        return field;
    }
}
