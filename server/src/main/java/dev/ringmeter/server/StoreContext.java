package dev.ringmeter.server;

import dev.ringmeter.core.EmbeddedStore;
import dev.ringmeter.core.StoreConfig;
import dev.ringmeter.server.ingest.DictionaryGuard;
import dev.ringmeter.server.ingest.EventReader;
import dev.ringmeter.server.ingest.MetricReader;

/**
 * The open store and what the request handlers derive from its configuration once: the dictionary guard and the
 * batch readers.
 * <p>
 * Threading: immutable; shared by every request thread.
 */
public final class StoreContext {
    public final EmbeddedStore store;
    public final DictionaryGuard guard;
    public final EventReader events;
    public final MetricReader samples;

    /**
     * @param store the open store.
     */
    StoreContext(final EmbeddedStore store) {
        this.store = store;
        final StoreConfig config = store.config();
        this.guard = new DictionaryGuard(store.dictionary(), config.cardinalityLimits(), config.maxStringLength());
        this.events = new EventReader(config.maxFutureSkewMs());
        this.samples = new MetricReader(config.maxFutureSkewMs());
    }
}
