package dev.ringmeter.core;

import dev.ringmeter.EventRecorder;
import dev.ringmeter.spi.RecorderProvider;

import java.net.URI;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Gives {@link dev.ringmeter.Ringmeter#open(URI)} the embedded store, found through {@link java.util.ServiceLoader}
 * (listed in {@code META-INF/services/dev.ringmeter.spi.RecorderProvider}), so the client module needs no
 * compile-time dependency on this one:
 * <ul>
 *     <li>{@code file:./data}, {@code file:data}, {@code file:/abs/path}, {@code file:///abs/path}: a durable
 *     {@link EmbeddedStore} with that data directory (created if absent);</li>
 *     <li>{@code mem:} (any scheme-specific part): an in-memory store.</li>
 * </ul>
 * The other options are the defaults of {@link StoreConfig}; open the store with {@link EmbeddedStore#open} to set
 * them.
 * <p>
 * Threading: stateless; any thread.
 */
public final class EmbeddedRecorderProvider implements RecorderProvider {

    /** For {@link java.util.ServiceLoader}. */
    public EmbeddedRecorderProvider() {
    }

    @Override
    public boolean supports(final URI uri) {
        final String scheme = uri.getScheme();
        return scheme != null && (scheme.equalsIgnoreCase("file") || scheme.equalsIgnoreCase("mem"));
    }

    @Override
    public EventRecorder open(final URI uri) {
        final String scheme = uri.getScheme().toLowerCase(Locale.ROOT);
        if (scheme.equals("mem")) {
            return EmbeddedStore.open(new StoreConfig());
        }
        if (!scheme.equals("file")) {
            throw new IllegalArgumentException("not an embedded store URI: " + uri);
        }
        if (uri.getRawQuery() != null || uri.getRawFragment() != null
            || !uri.isOpaque() && uri.getRawAuthority() != null) {
            throw new IllegalArgumentException("a file: URI names a local directory only (file:./data, "
                + "file:/abs/path), without host, query or fragment: " + uri);
        }
        final String path = uri.isOpaque() ? uri.getSchemeSpecificPart() : uri.getPath();
        if (path == null || path.isEmpty() || path.indexOf('?') >= 0) {
            throw new IllegalArgumentException("a file: URI needs a directory, e.g. file:./data, and no query: "
                + uri);
        }
        return EmbeddedStore.open(new StoreConfig().dataDirectory(Path.of(path)));
    }
}
