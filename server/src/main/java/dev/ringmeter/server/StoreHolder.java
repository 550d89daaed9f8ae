package dev.ringmeter.server;

import dev.ringmeter.server.http.ApiException;

/**
 * Holds the store once it is open (and, later, recovered from its journal): until then, and again from the moment
 * shutdown begins, the API answers 503 and /ready says not ready, while /health stays up.
 * <p>
 * Threading: set by the server's start and stop; read by any request thread.
 */
public final class StoreHolder {
    private volatile StoreContext context;

    /**
     * @return the store's context.
     * @throws ApiException 503 when the store is not open.
     */
    public StoreContext get() {
        final StoreContext c = context;
        if (c == null) {
            throw ApiException.unavailable("the store is not ready", 1);
        }
        return c;
    }

    /** @return whether the store is open and serving. */
    public boolean ready() {
        return context != null;
    }

    void set(final StoreContext context) {
        this.context = context;
    }
}
