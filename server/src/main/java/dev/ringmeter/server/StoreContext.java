package dev.ringmeter.server;

import dev.ringmeter.core.EmbeddedStore;
import dev.ringmeter.core.dictionary.DictionaryAdmission;
import dev.ringmeter.core.ingest.EventRules;
import dev.ringmeter.server.ingest.EventReader;
import dev.ringmeter.server.ingest.MetricReader;

/**
 * The open store and what the request handlers derive from its configuration once: the admission of a batch's
 * strings to its dictionary, and the batch readers, which apply the store's own {@link EventRules}.
 * <p>
 * Threading: immutable; shared by every request thread.
 */
public final class StoreContext {
    public final EmbeddedStore store;
    public final DictionaryAdmission admission;
    public final EventReader events;
    public final MetricReader samples;
    public final EventRules rules;

    /**
     * @param store the open store.
     */
    StoreContext(final EmbeddedStore store) {
        this.store = store;
        this.admission = new DictionaryAdmission(store.dictionary(), store.config().anonymizer());
        this.rules = new EventRules(store.config());
        this.events = new EventReader(rules);
        this.samples = new MetricReader(rules);
    }
}
