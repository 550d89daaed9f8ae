package dev.ringmeter;

import java.util.List;
import java.util.Locale;

/**
 * How a model call or pipeline step ended. Each status has the one name the HTTP API spells it with
 * ({@link #wireName()}), used by the client's writer and the server's readers and writers alike.
 */
public enum Status {
    OK, ERROR, TIMEOUT, CANCELLED;

    private static final Status[] VALUES = values();
    private static final List<String> WIRE_NAMES;

    static {
        final String[] names = new String[VALUES.length];
        for (final Status s : VALUES) {
            names[s.ordinal()] = s.wireName;
        }
        WIRE_NAMES = List.of(names);
    }

    private final String wireName = name().toLowerCase(Locale.ROOT);

    /**
     * @param ordinal as returned by {@link #ordinal()}.
     * @return the status with that ordinal.
     */
    public static Status of(final int ordinal) {
        return VALUES[ordinal];
    }

    /**
     * @return the name of the status in the HTTP API: {@code ok}, {@code error}, {@code timeout}, {@code cancelled}.
     */
    public String wireName() {
        return wireName;
    }

    /**
     * @return the names of every status in the HTTP API, in ordinal order.
     */
    public static List<String> wireNames() {
        return WIRE_NAMES;
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
            if (s.wireName.equalsIgnoreCase(name)) {
                return s;
            }
        }
        throw new InvalidEventException(dev.ringmeter.wire.FieldNames.STATUS, "must be one of "
            + String.join(", ", WIRE_NAMES) + " but was '" + name + "'");
    }
}
