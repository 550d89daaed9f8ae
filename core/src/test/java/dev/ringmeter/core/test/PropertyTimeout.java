package dev.ringmeter.core.test;

import net.jqwik.api.lifecycle.AddLifecycleHook;
import net.jqwik.api.lifecycle.AroundPropertyHook;
import net.jqwik.api.lifecycle.PropagationMode;
import net.jqwik.api.lifecycle.PropertyExecutionResult;
import net.jqwik.api.lifecycle.PropertyExecutor;
import net.jqwik.api.lifecycle.PropertyLifecycleContext;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A time limit for every jqwik property of a class, as JUnit's {@code @Timeout} gives a test (jqwik has none): at
 * the limit the property's thread is interrupted, which ends its blocking waits (HTTP calls, flushes, parks), and
 * the property fails, saying so.
 * <p>
 * Threading: the hook holds no state of its own but one daemon watchdog thread shared by every property.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
@AddLifecycleHook(value = PropertyTimeout.Hook.class, propagateTo = PropagationMode.ALL_DESCENDANTS)
public @interface PropertyTimeout {
    /** @return the limit of each property, all its tries together, in seconds. */
    long seconds();

    /** Runs a property with a watchdog that interrupts it at the limit. */
    final class Hook implements AroundPropertyHook {
        private static final ScheduledExecutorService WATCHDOG = Executors.newSingleThreadScheduledExecutor(r -> {
            final Thread t = new Thread(r, "property-timeout");
            t.setDaemon(true);
            return t;
        });

        @Override
        public PropertyExecutionResult aroundProperty(final PropertyLifecycleContext context,
                                                      final PropertyExecutor property) {
            final PropertyTimeout limit = context.containerClass().getAnnotation(PropertyTimeout.class);
            final long seconds = limit == null ? 60 : limit.seconds();
            final Thread runner = Thread.currentThread();
            final AtomicBoolean expired = new AtomicBoolean();
            final ScheduledFuture<?> watchdog = WATCHDOG.schedule(() -> {
                expired.set(true);
                runner.interrupt();
            }, seconds, TimeUnit.SECONDS);
            final PropertyExecutionResult result;
            try {
                result = property.execute();
            } finally {
                watchdog.cancel(false);
            }
            if (expired.get()) {
                Thread.interrupted();
                return result.mapToFailed(context.label() + " took longer than its limit of " + seconds + " s");
            }
            return result;
        }
    }
}
