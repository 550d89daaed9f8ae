package dev.ringmeter.core.export;

import java.util.Locale;

/**
 * How an export writes its rows: CSV (RFC 4180, a header line, the summary as a final {@code #} comment line),
 * a JSON array (the summary its last element) or NDJSON (one object a line, the summary the last line).
 * <p>
 * Threading: immutable.
 */
public enum ExportFormat {
    CSV("text/csv; charset=utf-8", "csv"),
    JSON("application/json", "json"),
    NDJSON("application/x-ndjson", "ndjson");

    private final String contentType;
    private final String extension;

    ExportFormat(final String contentType, final String extension) {
        this.contentType = contentType;
        this.extension = extension;
    }

    /** @return the media type of what the format writes. */
    public String contentType() {
        return contentType;
    }

    /** @return the usual file name extension, without the dot. */
    public String extension() {
        return extension;
    }

    /**
     * @param name csv, json or ndjson, in any case.
     * @return the format.
     * @throws IllegalArgumentException if the name is none of those.
     */
    public static ExportFormat of(final String name) {
        for (final ExportFormat f : values()) {
            if (f.extension.equalsIgnoreCase(name)) {
                return f;
            }
        }
        throw new IllegalArgumentException("must be csv, json or ndjson, not '" + name + "'");
    }

    /** @return the format's name as a request gives it (csv, json, ndjson). */
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }
}
