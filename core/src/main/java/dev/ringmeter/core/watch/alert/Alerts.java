package dev.ringmeter.core.watch.alert;

import org.agrona.concurrent.EpochClock;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The store's alerts, for the embedded API and the HTTP server alike: rules put, read, listed and deleted, silences,
 * the alerts pending and firing now, and the history of transitions (docs/alerts.md). Every change is journaled
 * through the ring before it is applied to the {@link AlertTable}, and each call returns once it is applied. Also the
 * {@link DeliveryListener} of the notice sink: each outcome is journaled, so a delivered notice is not sent again
 * after a restart and one without an outcome is.
 * <p>
 * Threading: any thread. Rule and silence changes are serialized by this object's monitor (so a limit is checked
 * exactly); reads take the table's monitor for a copy.
 */
public final class Alerts implements DeliveryListener {
    /** How long a change waits to be journaled and applied. */
    public static final long APPLY_TIMEOUT_MS = 10_000;

    /** Where alert commands go: the store's ring. */
    public interface Ring {
        /** @return false if the ring stayed full. */
        boolean publish(AlertCommand command);

        /** @return true once everything published before is journaled and applied. */
        boolean flush(long timeoutMs) throws InterruptedException;

        /** @return the store's time, epoch ms. */
        long timeMs();
    }

    private final AlertTable table;
    private final Ring ring;
    private final EpochClock clock;

    /**
     * @param table the state.
     * @param ring  the store's ring.
     * @param clock the store's clock.
     */
    public Alerts(final AlertTable table, final Ring ring, final EpochClock clock) {
        this.table = table;
        this.ring = ring;
        this.clock = clock;
    }

    /** @return a new id for a rule or silence: 16 hex digits. */
    public static String newId() {
        return String.format("%016x", ThreadLocalRandom.current().nextLong());
    }

    /**
     * Creates or replaces a rule; a replaced rule's alert carries on under the new rule.
     *
     * @param rule the rule.
     * @return the status of the rule once applied.
     * @throws IllegalArgumentException if there are {@link AlertTable#MAX_RULES} rules already, or it is too large.
     * @throws IllegalStateException if the change was not journaled in time (it may still be applied).
     */
    public synchronized AlertStatus putRule(final AlertRule rule) throws InterruptedException {
        if (table.status(rule.id()) == null && table.ruleCount() >= AlertTable.MAX_RULES) {
            throw new IllegalArgumentException("the store holds " + AlertTable.MAX_RULES + " alert rules, its limit");
        }
        apply(AlertCommand.putRule(clock.time(), rule));
        return table.status(rule.id());
    }

    /** @return the rule with its alert, or null. */
    public AlertStatus rule(final String id) {
        return table.status(id);
    }

    /** @return every rule with its alert. */
    public List<AlertStatus> rules() {
        return table.statuses();
    }

    /**
     * Deletes a rule; a firing alert of it ends without a resolved notice.
     *
     * @return false if there was no such rule.
     */
    public synchronized boolean deleteRule(final String id) throws InterruptedException {
        if (table.status(id) == null) {
            return false;
        }
        apply(AlertCommand.delete(AlertCommand.Op.DELETE_RULE, clock.time(), id));
        return true;
    }

    /**
     * Adds a silence.
     *
     * @param matchers   label name to value.
     * @param startsAtMs when it starts; 0 for now.
     * @param endsAtMs   when it ends.
     * @param comment    why.
     * @return the silence, with its id.
     * @throws IllegalArgumentException naming the field, or if {@link AlertTable#MAX_SILENCES} are in force.
     */
    public synchronized Silence putSilence(final Map<String, String> matchers, final long startsAtMs,
                                           final long endsAtMs, final String comment) throws InterruptedException {
        final long now = clock.time();
        final Silence s = new Silence(newId(), matchers, startsAtMs == 0 ? now : startsAtMs, endsAtMs, comment);
        if (endsAtMs <= now) {
            throw new IllegalArgumentException("endsAt must be in the future");
        }
        if (table.silenceCount(now) >= AlertTable.MAX_SILENCES) {
            throw new IllegalArgumentException("the store holds " + AlertTable.MAX_SILENCES + " silences, its limit");
        }
        apply(AlertCommand.putSilence(now, s));
        return s;
    }

    /** @return the silences in force or to come. */
    public List<Silence> silences() {
        return table.silences(clock.time());
    }

    /** @return false if there was no such silence. */
    public synchronized boolean deleteSilence(final String id) throws InterruptedException {
        if (table.silence(id) == null) {
            return false;
        }
        apply(AlertCommand.delete(AlertCommand.Op.DELETE_SILENCE, clock.time(), id));
        return true;
    }

    /** @return the rules pending or firing now. */
    public List<AlertStatus> active() {
        final List<AlertStatus> out = new ArrayList<>();
        for (final AlertStatus s : table.statuses()) {
            if (s.state() != AlertState.INACTIVE) {
                out.add(s);
            }
        }
        return out;
    }

    /**
     * @param limit  the most, 1 to {@link AlertTable#MAX_HISTORY}.
     * @param ruleId only this rule's, or null.
     * @return the newest transitions first.
     */
    public List<AlertTransition> history(final int limit, final String ruleId) {
        if (limit < 1 || limit > AlertTable.MAX_HISTORY) {
            throw new IllegalArgumentException("limit must be 1 to " + AlertTable.MAX_HISTORY);
        }
        return table.history(limit, ruleId);
    }

    /** @return deliveries waiting for an outcome, or for a sink. */
    public int outboxSize() {
        return table.outboxSize();
    }

    /** @return the table, for the store's own parts. */
    public AlertTable table() {
        return table;
    }

    @Override
    public void delivered(final long deliveryId) {
        outcome(deliveryId, null);
    }

    @Override
    public void abandoned(final long deliveryId, final String reason) {
        outcome(deliveryId, reason == null ? "" : reason);
    }

    private void outcome(final long deliveryId, final String reason) {
        // not waited for: a delivery thread moves on; an outcome lost in a crash means one more delivery
        String lost;
        try {
            lost = ring.publish(AlertCommand.outcome(clock.time(), deliveryId, reason)) ? null : "the ring stayed full";
        } catch (final IllegalStateException e) {
            lost = e.getMessage();   // the store closed or its journal failed
        }
        if (lost != null) {
            System.getLogger(Alerts.class.getName()).log(System.Logger.Level.WARNING, "the outcome of delivery "
                + deliveryId + " is not recorded (" + lost + "); it is sent again after a restart");
        }
    }

    private void apply(final AlertCommand command) throws InterruptedException {
        if (!ring.publish(command) || !ring.flush(APPLY_TIMEOUT_MS)) {
            throw new IllegalStateException("the alert change was not journaled within " + APPLY_TIMEOUT_MS
                + " ms (the ring stayed full or the journal failed)");
        }
    }
}
