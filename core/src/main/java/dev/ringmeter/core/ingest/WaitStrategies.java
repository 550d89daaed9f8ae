package dev.ringmeter.core.ingest;

import com.lmax.disruptor.BlockingWaitStrategy;
import com.lmax.disruptor.BusySpinWaitStrategy;
import com.lmax.disruptor.WaitStrategy;
import com.lmax.disruptor.YieldingWaitStrategy;
import dev.ringmeter.core.StoreConfig;

/**
 * The Disruptor wait strategy behind each {@link StoreConfig.WaitStrategyKind}.
 * <p>
 * Threading: stateless; any thread.
 */
public final class WaitStrategies {
    private WaitStrategies() {
    }

    /**
     * @param kind      of strategy the store is configured with.
     * @param parkNanos how long an idle consumer parks between checks with {@link ParkingWaitStrategy}.
     * @return a new strategy, for one ring.
     */
    public static WaitStrategy of(final StoreConfig.WaitStrategyKind kind, final long parkNanos) {
        return switch (kind) {
            case PARKING -> new ParkingWaitStrategy(parkNanos);
            case BLOCKING -> new BlockingWaitStrategy();
            case YIELDING -> new YieldingWaitStrategy();
            case BUSY_SPIN -> new BusySpinWaitStrategy();
        };
    }
}
