package dev.ringmeter;

import dev.ringmeter.remote.RemoteConfig;
import dev.ringmeter.remote.RemoteRecorder;
import dev.ringmeter.spi.RecorderProvider;

import java.net.URI;
import java.util.ServiceLoader;

/**
 * Opens the {@link EventRecorder} a URI names, so that a service switches between the embedded store and a remote
 * server by configuration alone:
 * <ul>
 *     <li>{@code http://host:port} or {@code https://...} (options as query parameters, see
 *     {@link RemoteConfig#fromUri(URI)}): a {@link RemoteRecorder};</li>
 *     <li>{@code file:./data}, {@code file:/abs/path} or {@code file:///abs/path}: the durable embedded store with
 *     that data directory;</li>
 *     <li>{@code mem:}: the in-memory embedded store.</li>
 * </ul>
 * {@code file:} and {@code mem:} need {@code dev.ringmeter:ringmeter-core} on the classpath: it provides them
 * through the {@link RecorderProvider} service, found with {@link ServiceLoader}, so this module does not depend
 * on it.
 * <p>
 * Threading: any thread.
 */
public final class Ringmeter {
    private Ringmeter() {
    }

    /**
     * @param uri {@code http://host:port[?token=...&option=...]}, {@code file:<dir>} or {@code mem:}.
     * @return a running recorder; close it when done.
     * @throws IllegalArgumentException for a malformed URI, an unsupported scheme, or {@code file:}/{@code mem:}
     *                                  without ringmeter-core on the classpath.
     */
    public static EventRecorder open(final String uri) {
        if (uri == null || uri.isBlank()) {
            throw new IllegalArgumentException("a recorder URI is required: http://host:port, file:<dir> or mem:");
        }
        final String u = uri.trim();
        if (u.equalsIgnoreCase("mem:") || u.equalsIgnoreCase("mem")) {
            return open(URI.create("mem:/"));
        }
        final URI parsed;
        try {
            parsed = URI.create(u);
        } catch (final IllegalArgumentException e) {
            throw new IllegalArgumentException("malformed recorder URI '" + RemoteConfig.redacted(u) + "': "
                + e.getMessage(), e);
        }
        return open(parsed);
    }

    /**
     * @param uri   {@code http://host:port}, {@code file:<dir>} or {@code mem:...}.
     * @param token bearer token of the server (for {@code http}/{@code https}; ignored by the embedded store), or
     *              null. Keeps the secret out of a URI that may be logged.
     * @return a running recorder.
     * @throws IllegalArgumentException as {@link #open(String)}.
     */
    public static EventRecorder open(final String uri, final String token) {
        if (token == null) {
            return open(uri);
        }
        final URI parsed = URI.create(uri.trim());
        if (isHttp(parsed)) {
            return new RemoteRecorder(RemoteConfig.fromUri(parsed).token(token));
        }
        return open(parsed);
    }

    /**
     * @param uri {@code http://host:port[?token=...]}, {@code file:<dir>} or {@code mem:/}.
     * @return a running recorder.
     * @throws IllegalArgumentException for an unsupported scheme, or {@code file:}/{@code mem:} without
     *                                  ringmeter-core on the classpath.
     */
    public static EventRecorder open(final URI uri) {
        if (uri.getScheme() == null) {
            throw new IllegalArgumentException("the recorder URI '" + RemoteConfig.redacted(uri.toString())
                + "' has no scheme; use http://host:port, file:<dir> or mem:");
        }
        if (isHttp(uri)) {
            return RemoteRecorder.open(uri);
        }
        for (final RecorderProvider provider : providers()) {
            if (provider.supports(uri)) {
                return provider.open(uri);
            }
        }
        final String scheme = uri.getScheme().toLowerCase(java.util.Locale.ROOT);
        if (scheme.equals("file") || scheme.equals("mem")) {
            throw new IllegalArgumentException(scheme + ": needs the embedded store: add dev.ringmeter:ringmeter-core "
                + "to the classpath (it provides " + RecorderProvider.class.getName() + "), or record to a server "
                + "with http://host:port");
        }
        throw new IllegalArgumentException("unsupported scheme '" + uri.getScheme() + "' in "
            + RemoteConfig.redacted(uri.toString())
            + "; supported: http, https, file and mem (file and mem with ringmeter-core)");
    }

    private static boolean isHttp(final URI uri) {
        return "http".equalsIgnoreCase(uri.getScheme()) || "https".equalsIgnoreCase(uri.getScheme());
    }

    private static Iterable<RecorderProvider> providers() {
        final ClassLoader context = Thread.currentThread().getContextClassLoader();
        return ServiceLoader.load(RecorderProvider.class,
            context != null ? context : Ringmeter.class.getClassLoader());
    }
}
