package dev.ringmeter.spi;

import dev.ringmeter.EventRecorder;

import java.net.URI;

/**
 * Opens an {@link EventRecorder} for the URIs of a scheme that the client module does not implement itself
 * ({@code file:} and {@code mem:} are provided by {@code ringmeter-core}'s embedded store). Implementations are found
 * with {@link java.util.ServiceLoader} by {@link dev.ringmeter.Ringmeter#open(URI)}: list the class in
 * {@code META-INF/services/dev.ringmeter.spi.RecorderProvider} and give it a public no-argument constructor.
 * <p>
 * Threading: {@link #supports} and {@link #open} may be called from any thread.
 */
public interface RecorderProvider {

    /**
     * @param uri the URI a service was configured with.
     * @return true if {@link #open(URI)} handles it.
     */
    boolean supports(URI uri);

    /**
     * @param uri a URI for which {@link #supports(URI)} returned true.
     * @return a running recorder; the caller closes it.
     * @throws IllegalArgumentException if the URI is malformed for this provider.
     */
    EventRecorder open(URI uri);
}
