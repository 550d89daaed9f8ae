package dev.ringmeter.core;

/**
 * A snapshot of an {@link EmbeddedStore}'s own counters.
 * <p>
 * Threading: immutable. {@link EmbeddedStore#stats()} reads the counters one after another while the store runs,
 * not at one instant together.
 *
 * @param published           slots published to the ring: events, samples and price changes.
 * @param dropped             events and samples dropped because the ring was full: at once (DROP) or after the
 *                            block timeout (BLOCK).
 * @param aggregatedEvents    events applied to the aggregates.
 * @param aggregatedSamples   custom metric samples applied to the aggregates.
 * @param expired             events and samples older than the aggregates' retention when they arrived.
 * @param ringCapacity        slots in the ring.
 * @param ringOccupied        slots published but not yet consumed by every handler.
 * @param models              distinct models known.
 * @param aggregateHeapBytes  estimated heap held by the aggregates.
 * @param journalBytes        bytes of the journal's files on disk, 0 without a data directory.
 * @param snapshotWrittenAtMs when the latest snapshot was written (epoch ms), 0 if none.
 * @param lateEvents          events and samples applied behind their model's (or metric's) newest 1-second bucket
 *                            since the store opened, its journal replay included: the slower late path, into
 *                            every tier that already rolled their time up.
 * @param heldEvents          events and samples applied ahead of the store clock's current 1-second bucket since
 *                            the store opened (replay included), held apart until the clock gets there.
 * @param snapshotsSkipped    snapshots skipped because the previous one was still being written when they fell due.
 * @param snapshotCaptureNs   how long the aggregate thread spent capturing the latest snapshot, ns, 0 if none.
 * @param sampledOut          events the aggregates counted but the journal left out under sampling since the store
 *                            opened (docs/privacy.md), 0 without sampling.
 */
public record StoreStats(long published, long dropped, long aggregatedEvents, long aggregatedSamples, long expired,
                         int ringCapacity, long ringOccupied, int models, long aggregateHeapBytes, long journalBytes,
                         long snapshotWrittenAtMs, long lateEvents, long heldEvents, long snapshotsSkipped,
                         long snapshotCaptureNs, long sampledOut) {
}
