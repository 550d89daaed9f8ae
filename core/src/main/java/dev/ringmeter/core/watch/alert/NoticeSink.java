package dev.ringmeter.core.watch.alert;

/**
 * Takes notices to deliver: the alert engine hands each notice for each of its rule's targets here once it is
 * journaled, and again after a restart for those not yet delivered.
 * <p>
 * Threading: {@link #submit} may be called from any thread and never blocks on delivery.
 */
public interface NoticeSink {
    /**
     * @param deliveryId identifies this notice to this target for the {@link DeliveryListener}; unique in the store.
     * @param notice     what to say.
     * @param target     where.
     * @throws java.util.concurrent.RejectedExecutionException when the sink holds as many deliveries as it may (or
     *                                                         is closed): nothing is kept, submit it again later.
     */
    void submit(long deliveryId, Notice notice, Target target);

    /**
     * An alert that fired before this process started and fires still, its firing notice delivered then: a sink
     * whose receivers forget a firing alert unless it is sent again (Alertmanager resolves it once its
     * {@code endsAt} passes) takes it up again. Nothing is reported to the {@link DeliveryListener} about it.
     *
     * @param firing the alert's firing notice, with the dedup key it was delivered with.
     * @param target one of its rule's targets.
     */
    default void stillFiring(final Notice firing, final Target target) {
    }
}
