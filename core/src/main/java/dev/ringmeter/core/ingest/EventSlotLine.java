package dev.ringmeter.core.ingest;

/**
 * The first part of an {@link EventSlot}: the fields every event writes and those the consumers write, in a
 * superclass so that the JVM lays them out first, together (a superclass's fields precede its subclass's), about
 * 100 bytes from the object's start: what crosses from the producer's core to the consumers' for an event without
 * rare fields. The fields are documented here and used through {@link EventSlot}.
 * <p>
 * Threading: that of {@link EventSlot}.
 */
abstract class EventSlotLine {
    public byte kind;
    /** Journal readers only: the version of the record the slot was read from. */
    public byte recordVersion;
    /** Whether the journal handler closed a document at this slot: every slot up to it is journaled. */
    public boolean endsDocument;
    /** Whether the store priced the event (its cost is not the caller's), journaled with it. */
    public boolean costPriced;
    public byte status;
    public byte cache;
    /**
     * Whether the fields after this part may hold anything but an event's defaults (no pipeline, step, run, task,
     * configuration, tool, agent, quality score or tag; queue wait, cached, cache-write and reasoning tokens,
     * memory and CPU {@link dev.ringmeter.Event#NONE}): true on a new slot and after a metric sample, a cost change
     * or an event that has one of them. Read and written by the slot's producer only.
     */
    public boolean extras = true;
    public int model;
    public int operation;
    public int errorType;
    public int provider;
    public int retries;
    /**
     * Set by the journal handler for an event (sampling, docs/privacy.md): 0 if the journal left it out, else the
     * events it stands for in the journal (1, or the N of its sampling rule); read back from a journal record, 1 for
     * a record of kind 1 and N for one of kind 12. The aggregates count every event once whatever its weight.
     */
    public int weight = 1;
    /** Index of the journal document holding the slot, set by the journal handler; -1 without a journal. */
    public long journalIndex = -1;
    public long timestampMs;
    public long latencyNs;
    public long ttftNs;
    public long promptTokens;
    public long completionTokens;
    public double costUsd;
}
