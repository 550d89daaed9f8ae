package dev.ringmeter;

/**
 * How a model call or pipeline step ended.
 */
public enum Status {
    OK, ERROR, TIMEOUT, CANCELLED;

    private static final Status[] VALUES = values();

    /**
     * @param ordinal as returned by {@link #ordinal()}.
     * @return the status with that ordinal.
     */
    public static Status of(final int ordinal) {
        return VALUES[ordinal];
    }

    /**
     * Parses a status name case-insensitively ({@code ok}, {@code error}, {@code timeout}, {@code cancelled}).
     *
     * @param name of the status.
     * @return the status.
     * @throws InvalidEventException naming the field {@code status} when the name is unknown.
     */
    public static Status parse(final String name) {
        for (final Status s : VALUES) {
            if (s.name().equalsIgnoreCase(name)) {
                return s;
            }
        }
        throw new InvalidEventException("status", "must be one of ok, error, timeout, cancelled but was '" + name + "'");
    }
}
