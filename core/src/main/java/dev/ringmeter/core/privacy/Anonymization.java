package dev.ringmeter.core.privacy;

import dev.ringmeter.core.dictionary.Dimension;

import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * What is hidden of an event before it reaches the dictionary and the journal: the run, task and configuration
 * fields and tag values by tag name, each hashed ({@link Mode#HASH}: HMAC-SHA256 under a secret key) or dropped
 * ({@link Mode#DROP}: the field, or the whole tag, left out); and whether free text is redacted
 * ({@link Redaction}: the error type, tag values not hashed or dropped, run names and finish reasons).
 * <p>
 * Written as entries separated by commas: {@code hash:FIELD}, {@code drop:FIELD} with FIELD one of {@code run},
 * {@code task}, {@code config} or {@code tag.NAME}, and {@code redact}; e.g. {@code hash:run,drop:tag.user,redact}.
 * <p>
 * Immutable; any thread.
 */
public final class Anonymization {
    /** Nothing hidden. */
    public static final Anonymization NONE = new Anonymization(Map.of(), Map.of(), false);

    /** What happens to a field's value. */
    public enum Mode {
        /** Kept as it is (redacted if free text and redaction is on). */
        KEEP,
        /** Replaced by its HMAC-SHA256 ({@link Anonymizer#hash}). */
        HASH,
        /** Left out. */
        DROP
    }

    /** The event fields that can be hashed or dropped. */
    public static final Dimension[] FIELDS = {Dimension.RUN, Dimension.TASK, Dimension.CONFIG};

    private final Map<Dimension, Mode> fields;
    private final Map<String, Mode> tags;
    private final boolean redact;

    /**
     * @param fields by field ({@link #FIELDS} only): its mode.
     * @param tags   by tag name: the mode of its values.
     * @param redact whether free text is redacted.
     */
    public Anonymization(final Map<Dimension, Mode> fields, final Map<String, Mode> tags, final boolean redact) {
        for (final Dimension d : fields.keySet()) {
            if (d != Dimension.RUN && d != Dimension.TASK && d != Dimension.CONFIG) {
                throw new IllegalArgumentException("only run, task, config and tags can be hashed or dropped, not "
                    + d.optionName());
            }
        }
        this.fields = fields.isEmpty() ? Map.of() : Collections.unmodifiableMap(new EnumMap<>(fields));
        this.tags = Collections.unmodifiableMap(new LinkedHashMap<>(tags));
        this.redact = redact;
    }

    /**
     * @param spec entries separated by commas (see the class); null or blank for none.
     * @return the anonymization they describe.
     * @throws IllegalArgumentException naming the entry that is not understood.
     */
    public static Anonymization parse(final String spec) {
        if (spec == null || spec.isBlank()) {
            return NONE;
        }
        final Map<Dimension, Mode> fields = new EnumMap<>(Dimension.class);
        final Map<String, Mode> tags = new LinkedHashMap<>();
        boolean redact = false;
        for (final String raw : spec.split(",")) {
            final String entry = raw.trim();
            final int colon = entry.indexOf(':');
            final String mode = colon < 0 ? entry : entry.substring(0, colon);
            final String field = colon < 0 ? "" : entry.substring(colon + 1);
            if (entry.equals("redact")) {
                redact = true;
                continue;
            }
            if (!mode.equals("hash") && !mode.equals("drop") || field.isEmpty()) {
                throw new IllegalArgumentException("anonymization entry '" + entry + "' is not hash:FIELD, drop:FIELD "
                    + "or redact (FIELD: run, task, config or tag.NAME)");
            }
            final Mode m = mode.equals("hash") ? Mode.HASH : Mode.DROP;
            switch (field) {
                case "run" -> fields.put(Dimension.RUN, m);
                case "task" -> fields.put(Dimension.TASK, m);
                case "config" -> fields.put(Dimension.CONFIG, m);
                default -> {
                    if (!field.startsWith("tag.") || field.length() == 4) {
                        throw new IllegalArgumentException("anonymization field '" + field + "' is not run, task, "
                            + "config or tag.NAME");
                    }
                    tags.put(field.substring(4), m);
                }
            }
        }
        return new Anonymization(fields, tags, redact);
    }

    /**
     * @param field one of {@link #FIELDS}, or any other dimension (kept).
     * @return what happens to its values.
     */
    public Mode mode(final Dimension field) {
        return fields.getOrDefault(field, Mode.KEEP);
    }

    /** @return by tag name, the mode of its values; tags not named are kept. */
    public Map<String, Mode> tags() {
        return tags;
    }

    /** @return whether free text is redacted. */
    public boolean redact() {
        return redact;
    }

    /** @return whether some field or tag is hashed, which needs a key. */
    public boolean hashes() {
        return fields.containsValue(Mode.HASH) || tags.containsValue(Mode.HASH);
    }

    /** @return whether nothing is hidden. */
    public boolean none() {
        return fields.isEmpty() && tags.isEmpty() && !redact;
    }

    /** @return the spec {@link #parse} reads back. */
    @Override
    public String toString() {
        final StringBuilder b = new StringBuilder();
        fields.forEach((d, m) -> b.append(b.length() == 0 ? "" : ",").append(m.name().toLowerCase(java.util.Locale.ROOT))
            .append(':').append(d == Dimension.RUN ? "run" : d == Dimension.TASK ? "task" : "config"));
        tags.forEach((t, m) -> b.append(b.length() == 0 ? "" : ",").append(m.name().toLowerCase(java.util.Locale.ROOT))
            .append(":tag.").append(t));
        if (redact) {
            b.append(b.length() == 0 ? "" : ",").append("redact");
        }
        return b.toString();
    }
}
