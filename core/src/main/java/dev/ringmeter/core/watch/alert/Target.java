package dev.ringmeter.core.watch.alert;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;
import java.util.Objects;

/**
 * One destination of an alert rule's notices: a kind and an http(s) URL.
 * <p>
 * Threading: an immutable value; any thread.
 *
 * @param kind the payload's shape.
 * @param url  an absolute http or https URL of at most {@link #MAX_URL_LENGTH} characters; for
 *             {@link TargetKind#ALERTMANAGER} the Alertmanager's base URL.
 */
public record Target(TargetKind kind, String url) {
    /** The longest URL taken. */
    public static final int MAX_URL_LENGTH = 2_048;

    /** @throws IllegalArgumentException naming the field and the problem. */
    public Target {
        Objects.requireNonNull(kind, "kind");
        if (url == null || url.isEmpty()) {
            throw new IllegalArgumentException("url is required");
        }
        if (url.length() > MAX_URL_LENGTH) {
            throw new IllegalArgumentException("url is longer than " + MAX_URL_LENGTH + " characters");
        }
        final URI uri = parse(url);
        final String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https") || uri.getHost() == null) {
            throw new IllegalArgumentException("url must be an absolute http or https URL: " + url);
        }
    }

    private static URI parse(final String url) {
        try {
            return new URI(url);
        } catch (final URISyntaxException e) {
            throw new IllegalArgumentException("url is not a URL: " + e.getMessage());
        }
    }
}
