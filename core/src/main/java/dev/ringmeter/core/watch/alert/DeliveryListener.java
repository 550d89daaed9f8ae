package dev.ringmeter.core.watch.alert;

/**
 * Told how each submitted delivery ended, so that the alert engine journals it and does not send it again after a
 * restart.
 * <p>
 * Threading: called on a delivery thread; implementations must be thread-safe and must not block for long.
 */
public interface DeliveryListener {
    /** @param deliveryId the receiver answered 2xx. */
    void delivered(long deliveryId);

    /**
     * @param deliveryId given up: the receiver refused it for good (a 4xx other than 408 and 429) or it stayed
     *                   undelivered past the longest retry time.
     * @param reason     why, for a person.
     */
    void abandoned(long deliveryId, String reason);
}
