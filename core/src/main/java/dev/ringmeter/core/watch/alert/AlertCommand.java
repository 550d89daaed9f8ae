package dev.ringmeter.core.watch.alert;

import java.util.Objects;

/**
 * One change to the alert state, as it travels through the ring and the journal (record kind ALERT): a rule put or
 * deleted, a silence put or deleted, a transition of a rule's alert, or the outcome of a delivery. Built on the
 * caller's (or the evaluator's, or a delivery) thread, journaled, then applied by the {@link AlertTable} on the
 * aggregate thread, live and at replay; encoded by {@link AlertCodec}.
 * <p>
 * Threading: an immutable value; any thread.
 *
 * @param op         what it does.
 * @param timeMs     the store's clock when it was made, epoch ms.
 * @param rule       PUT_RULE: the rule; else null.
 * @param id         DELETE_RULE, DELETE_SILENCE: the id; else null.
 * @param silence    PUT_SILENCE: the silence; else null.
 * @param transition TRANSITION: the change; else null.
 * @param deliveryId DELIVERED, ABANDONED: the delivery's id; else 0.
 * @param reason     ABANDONED: why; else null.
 */
public record AlertCommand(Op op, long timeMs, AlertRule rule, String id, Silence silence,
                           AlertTransition transition, long deliveryId, String reason) {
    /** What a command does; its code is its byte in the journal. */
    public enum Op {
        PUT_RULE, DELETE_RULE, PUT_SILENCE, DELETE_SILENCE, TRANSITION, DELIVERED, ABANDONED;

        private static final Op[] VALUES = values();

        /** @return the op's byte in the journal. */
        public byte code() {
            return (byte)(ordinal() + 1);
        }

        /** @return the op of a journal byte, or null for an unknown one. */
        public static Op of(final byte code) {
            return code < 1 || code > VALUES.length ? null : VALUES[code - 1];
        }
    }

    public AlertCommand {
        Objects.requireNonNull(op, "op");
    }

    static AlertCommand putRule(final long timeMs, final AlertRule rule) {
        return new AlertCommand(Op.PUT_RULE, timeMs, rule, null, null, null, 0, null);
    }

    static AlertCommand delete(final Op op, final long timeMs, final String id) {
        return new AlertCommand(op, timeMs, null, id, null, null, 0, null);
    }

    static AlertCommand putSilence(final long timeMs, final Silence silence) {
        return new AlertCommand(Op.PUT_SILENCE, timeMs, null, null, silence, null, 0, null);
    }

    static AlertCommand transition(final AlertTransition t) {
        return new AlertCommand(Op.TRANSITION, t.timeMs(), null, null, null, t, 0, null);
    }

    static AlertCommand outcome(final long timeMs, final long deliveryId, final String abandonReason) {
        return new AlertCommand(abandonReason == null ? Op.DELIVERED : Op.ABANDONED, timeMs, null, null, null, null,
            deliveryId, abandonReason);
    }
}
