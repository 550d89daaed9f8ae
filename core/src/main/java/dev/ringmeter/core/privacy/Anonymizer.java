package dev.ringmeter.core.privacy;

import dev.ringmeter.core.dictionary.Dimension;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Arrays;
import java.util.Base64;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Applies an {@link Anonymization} to an event's strings before they are turned into dictionary ids, so that no raw
 * hashed, dropped or redacted value reaches the dictionary, the journal or a snapshot. A hashed value is
 * {@value #PREFIX} and the base64url of the first {@value #HASH_BYTES} bytes of the value's HMAC-SHA256 under the
 * store's key: the same value gives the same hash under the same key, in every field and after a restart.
 * <p>
 * Memory: each result is cached by its raw value, up to {@value #CACHE_ENTRIES} values hashed and as many values
 * redacted, each at most the store's longest string ({@link #cacheBytes}, in HeapBudget); beyond that a new value is
 * hashed or redacted on each use, without being kept.
 * <p>
 * Threading: any number of threads. With nothing configured, and for a value in the cache, every method returns
 * without allocating or locking; a miss allocates (a per-thread {@link Mac} does the hashing).
 */
public final class Anonymizer {
    /** What a hashed value starts with. */
    public static final String PREFIX = "h:";
    /** The bytes of the HMAC kept in a hashed value: 96 bits, 16 characters of base64url. */
    public static final int HASH_BYTES = 12;
    /** The values each cache keeps. */
    public static final int CACHE_ENTRIES = 4_096;
    /** The shortest key, bytes. */
    public static final int MIN_KEY_BYTES = 16;
    /** Keeps every value. */
    public static final Anonymizer NONE = new Anonymizer(Anonymization.NONE, null, 0);

    private final Anonymization anonymization;
    private final boolean none;
    private final boolean redact;
    private final int maxCachedChars;
    private final Anonymization.Mode[] modes = new Anonymization.Mode[Dimension.VALUES.length];
    private final SecretKeySpec key;
    private final ThreadLocal<Mac> macs;
    private final ConcurrentHashMap<String, String> hashed = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, String> redacted = new ConcurrentHashMap<>();

    /**
     * @param anonymization what to hide.
     * @param key           the HMAC key; needed (at least {@value #MIN_KEY_BYTES} bytes) when something is hashed.
     * @param maxCachedChars the longest raw value cached (the store's longest string): a longer one is hashed or
     *                       redacted on each use.
     * @throws IllegalArgumentException if something is hashed and there is no key, or it is too short.
     */
    public Anonymizer(final Anonymization anonymization, final byte[] key, final int maxCachedChars) {
        this.maxCachedChars = maxCachedChars;
        this.anonymization = anonymization;
        this.none = anonymization.none();
        this.redact = anonymization.redact();
        for (final Dimension d : Dimension.VALUES) {
            modes[d.ordinal()] = anonymization.mode(d);
        }
        if (anonymization.hashes()) {
            if (key == null || key.length < MIN_KEY_BYTES) {
                throw new IllegalArgumentException("anonymization hashes " + anonymization + " but the hash key "
                    + (key == null ? "is not set" : "has " + key.length + " bytes") + ": set RINGMETER_HASH_KEY to a "
                    + "secret of at least " + MIN_KEY_BYTES + " bytes (the same one on every start, or the hashes change)");
            }
            this.key = new SecretKeySpec(Arrays.copyOf(key, key.length), "HmacSHA256");
            this.macs = ThreadLocal.withInitial(this::newMac);
        } else {
            this.key = null;
            this.macs = null;
        }
    }

    /** @return what this anonymizer hides. */
    public Anonymization anonymization() {
        return anonymization;
    }

    /** @return whether it hides nothing: every method returns its argument. */
    public boolean none() {
        return none;
    }

    /**
     * @param dimension an event's string field.
     * @param value     its value, or null.
     * @return what is stored instead: the value, its hash, its redaction (the error type), or null when dropped.
     */
    public String field(final Dimension dimension, final String value) {
        if (none || value == null) {
            return value;
        }
        switch (modes[dimension.ordinal()]) {
            case HASH:
                return hash(value);
            case DROP:
                return null;
            default:
                return redact && dimension == Dimension.ERROR_TYPE ? redact(value) : value;
        }
    }

    /**
     * @param tagName the tag's name (kept as it is: names are chosen by the code that records, not by users).
     * @param value   the tag's value.
     * @return what is stored instead: the value, its hash, its redaction, or null when the tag is dropped.
     */
    public String tagValue(final String tagName, final String value) {
        if (none) {
            return value;
        }
        final Anonymization.Mode mode = anonymization.tags().get(tagName);
        if (mode == Anonymization.Mode.HASH) {
            return hash(value);
        }
        if (mode == Anonymization.Mode.DROP) {
            return null;
        }
        return redact ? redact(value) : value;
    }

    /**
     * @param text free text (a run's name or finish reason), or null.
     * @return it redacted if redaction is on.
     */
    public String freeText(final String text) {
        return none || !redact || text == null ? text : redact(text);
    }

    /**
     * @param value a value of a field a caller names by its raw value or by its hash (a run's id in the run API).
     * @param dimension the field.
     * @return the value as stored: its hash when the field is hashed and it is not a hash already, else as
     * {@link #field}.
     */
    public String lookupKey(final Dimension dimension, final String value) {
        if (value != null && modes[dimension.ordinal()] == Anonymization.Mode.HASH && isHash(value)) {
            return value;
        }
        return field(dimension, value);
    }

    /**
     * @param value any string.
     * @return whether it has the form of a hash this class makes.
     */
    public static boolean isHash(final String value) {
        return value.length() == PREFIX.length() + 16 && value.startsWith(PREFIX);
    }

    /**
     * @param value a raw value.
     * @return its hash: {@value #PREFIX} and the base64url (no padding) of the first {@value #HASH_BYTES} bytes of
     * its HMAC-SHA256 over its UTF-8 bytes.
     */
    public String hash(final String value) {
        final String cached = hashed.get(value);
        if (cached != null) {
            return cached;
        }
        final byte[] mac = macs.get().doFinal(value.getBytes(StandardCharsets.UTF_8));
        final String h = PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(Arrays.copyOf(mac, HASH_BYTES));
        if (hashed.size() < CACHE_ENTRIES && value.length() <= maxCachedChars) {
            hashed.putIfAbsent(value, h);
        }
        return h;
    }

    private String redact(final String value) {
        final String cached = redacted.get(value);
        if (cached != null) {
            return cached;
        }
        final String r = Redaction.redact(value);
        if (redacted.size() < CACHE_ENTRIES && value.length() <= maxCachedChars) {
            redacted.putIfAbsent(value, r);
        }
        return r;
    }

    /**
     * @param anonymization    what is hidden.
     * @param maxStringLength  the longest value, chars.
     * @return the most bytes both caches hold: none when nothing is hidden; else {@value #CACHE_ENTRIES} entries
     * each, a raw value and its result of the longest string (a hash is 18 chars) and a map entry.
     */
    public static long cacheBytes(final Anonymization anonymization, final int maxStringLength) {
        if (anonymization.none()) {
            return 0;
        }
        final long entry = 64 + 2 * (40 + 2L * maxStringLength);
        return 2L * CACHE_ENTRIES * entry;
    }

    private Mac newMac() {
        try {
            final Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(key);
            return mac;
        } catch (final GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is not available in this JVM", e);
        }
    }
}
