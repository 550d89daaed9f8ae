package dev.ringmeter.core.watch.alert;

import java.io.DataInput;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The alert state of the store: the rules and where each one's alert stands, the silences, the history of
 * transitions, and the outbox (each notice for each target whose delivery has no outcome yet). Changed only by
 * {@link #apply} of journaled {@link AlertCommand}s, in journal order, so a replay rebuilds it exactly; kept in the
 * snapshot ({@link #captureInto}, {@link #read}).
 * <p>
 * Bounded: at most {@link #MAX_RULES} rules, {@link #MAX_SILENCES} silences, {@link #MAX_HISTORY} transitions
 * (the oldest go first) and {@link #MAX_OUTBOX} deliveries without outcome (beyond it the oldest is dropped and
 * counted in {@link #overflowed()}), independent of any dimension's cardinality. Measured
 * ({@code FootprintReport alerts}): 1,000 typical rules (one target, two labels, the default summary) 0.72 MB, with
 * a full history and outbox 1.8 MB; 1,000 rules at the widest values (8 URLs of 2,048 chars, 16 labels of 256 chars,
 * 1,024-char summaries) 24 MB, with a full history and outbox 26 MB. A notice shares its label strings with its rule
 * until a restart decodes it; decoded, a widest transition holds about 6 KB, so a full history and outbox at most
 * 12 MB more.
 * <p>
 * Threading: {@link #apply} runs on the single writer (the aggregate thread, or the recovering thread before the
 * ring starts); readers (the evaluator, the API, delivery threads) call the other methods from any thread. Every
 * method holds this table's monitor for a short copy, never across a wait; readers get immutable values.
 */
public final class AlertTable {
    /** The most rules. */
    public static final int MAX_RULES = 1_000;
    /** The most silences, expired ones not counted. */
    public static final int MAX_SILENCES = 1_000;
    /** The transitions the history keeps. */
    public static final int MAX_HISTORY = 1_000;
    /** The most deliveries waiting for an outcome. */
    public static final int MAX_OUTBOX = 1_000;

    /** A rule and its alert. */
    private static final class Entry {
        AlertRule rule;
        AlertState state = AlertState.INACTIVE;
        Severity severity;
        long sinceMs;
        long startsAtMs;
        double value = Double.NaN;
    }

    /** One notice to one target, waiting for its outcome. */
    private static final class Delivery {
        final long id;
        final Notice notice;
        final Target target;
        /** Handed to the sink by this process (not kept: after a restart every delivery goes again). */
        boolean submitted;

        Delivery(final long id, final Notice notice, final Target target) {
            this.id = id;
            this.notice = notice;
            this.target = target;
        }
    }

    /** A delivery handed out to the sink. */
    public record Pending(long deliveryId, Notice notice, Target target) {
    }

    private final Map<String, Entry> rules = new LinkedHashMap<>();
    private final Map<String, Silence> silences = new LinkedHashMap<>();
    private final ArrayDeque<AlertTransition> history = new ArrayDeque<>();
    private final Map<Long, Delivery> outbox = new LinkedHashMap<>();
    private long nextDeliveryId = 1;
    private long delivered;
    private long abandoned;
    private long overflowed;
    private long refused;

    /**
     * Applies one journaled command. A rule or silence beyond its limit (a limit lowered, or a put that raced
     * another) is refused and counted; a transition of a deleted rule is kept in the history only.
     *
     * @param c the command.
     */
    public synchronized void apply(final AlertCommand c) {
        switch (c.op()) {
            case PUT_RULE: {
                final Entry e = rules.get(c.rule().id());
                if (e != null) {
                    e.rule = c.rule();   // its alert carries on; the next evaluation uses the new rule
                } else if (rules.size() >= MAX_RULES) {
                    refused++;
                } else {
                    final Entry n = new Entry();
                    n.rule = c.rule();
                    rules.put(c.rule().id(), n);
                }
                break;
            }
            case DELETE_RULE:
                rules.remove(c.id());
                break;
            case PUT_SILENCE:
                dropExpiredSilences(c.timeMs());
                if (silences.size() >= MAX_SILENCES && !silences.containsKey(c.silence().id())) {
                    refused++;
                } else {
                    silences.put(c.silence().id(), c.silence());
                }
                break;
            case DELETE_SILENCE:
                silences.remove(c.id());
                break;
            case TRANSITION:
                transition(c.transition());
                break;
            case DELIVERED:
                if (outbox.remove(c.deliveryId()) != null) {
                    delivered++;
                }
                break;
            case ABANDONED:
                if (outbox.remove(c.deliveryId()) != null) {
                    abandoned++;
                }
                break;
            default:
                break;
        }
    }

    private void transition(final AlertTransition t) {
        if (history.size() >= MAX_HISTORY) {
            history.removeFirst();
        }
        history.addLast(t);
        final Entry e = rules.get(t.ruleId());
        if (e == null) {
            return;
        }
        final AlertState to = t.kind().state();
        if (to != e.state || t.kind() == AlertTransition.Kind.FIRING) {
            e.sinceMs = t.timeMs();
        }
        e.state = to;
        e.severity = to == AlertState.INACTIVE ? null : t.severity();
        e.startsAtMs = to == AlertState.FIRING ? t.startsAtMs() : 0;
        e.value = t.value();
        if (t.notice() != null && !t.silenced()) {
            for (final Target target : e.rule.targets()) {
                if (outbox.size() >= MAX_OUTBOX) {
                    final Iterator<Delivery> oldest = outbox.values().iterator();
                    oldest.next();
                    oldest.remove();
                    overflowed++;
                }
                final long id = nextDeliveryId++;
                outbox.put(id, new Delivery(id, t.notice(), target));
            }
        }
    }

    private void dropExpiredSilences(final long nowMs) {
        silences.values().removeIf(s -> s.endsAtMs() <= nowMs);
    }

    /**
     * Notes the value a rule's evaluation saw, for the API (not journaled: the next evaluation sees it again).
     */
    public synchronized void noteValue(final String ruleId, final double value) {
        final Entry e = rules.get(ruleId);
        if (e != null) {
            e.value = value;
        }
    }

    /** @return every rule with its alert, in the order they were made. */
    public synchronized List<AlertStatus> statuses() {
        final List<AlertStatus> out = new ArrayList<>(rules.size());
        for (final Entry e : rules.values()) {
            out.add(status(e));
        }
        return out;
    }

    /** @return the rule and its alert, or null. */
    public synchronized AlertStatus status(final String ruleId) {
        final Entry e = rules.get(ruleId);
        return e == null ? null : status(e);
    }

    private static AlertStatus status(final Entry e) {
        return new AlertStatus(e.rule, e.state, e.severity, e.sinceMs, e.startsAtMs, e.value);
    }

    /** @return the number of rules. */
    public synchronized int ruleCount() {
        return rules.size();
    }

    /** @return the silences in force or still to come at nowMs. */
    public synchronized List<Silence> silences(final long nowMs) {
        final List<Silence> out = new ArrayList<>();
        for (final Silence s : silences.values()) {
            if (s.endsAtMs() > nowMs) {
                out.add(s);
            }
        }
        return out;
    }

    /** @return the silence, or null. */
    public synchronized Silence silence(final String id) {
        return silences.get(id);
    }

    /** @return the number of silences that have not ended at nowMs. */
    public synchronized int silenceCount(final long nowMs) {
        int n = 0;
        for (final Silence s : silences.values()) {
            if (s.endsAtMs() > nowMs) {
                n++;
            }
        }
        return n;
    }

    /**
     * @param labels an alert's labels.
     * @param nowMs  the time.
     * @return whether a silence mutes them now.
     */
    public synchronized boolean silenced(final Map<String, String> labels, final long nowMs) {
        for (final Silence s : silences.values()) {
            if (s.mutes(labels, nowMs)) {
                return true;
            }
        }
        return false;
    }

    /**
     * @param limit the most to return.
     * @param ruleId only this rule's, or null for every rule's.
     * @return the newest transitions first.
     */
    public synchronized List<AlertTransition> history(final int limit, final String ruleId) {
        final List<AlertTransition> out = new ArrayList<>(Math.min(limit, history.size()));
        final Iterator<AlertTransition> it = history.descendingIterator();
        while (it.hasNext() && out.size() < limit) {
            final AlertTransition t = it.next();
            if (ruleId == null || ruleId.equals(t.ruleId())) {
                out.add(t);
            }
        }
        return out;
    }

    /**
     * Marks the deliveries not yet handed to the sink by this process as handed, and returns them.
     *
     * @return the deliveries to submit, oldest first.
     */
    public synchronized List<Pending> takeUnsubmitted() {
        List<Pending> out = null;
        for (final Delivery d : outbox.values()) {
            if (!d.submitted) {
                d.submitted = true;
                if (out == null) {
                    out = new ArrayList<>();
                }
                out.add(new Pending(d.id, d.notice, d.target));
            }
        }
        return out == null ? List.of() : out;
    }

    /** Marks a delivery the sink did not take as not handed, so it is handed again. */
    public synchronized void unsubmitted(final long deliveryId) {
        final Delivery d = outbox.get(deliveryId);
        if (d != null) {
            d.submitted = false;
        }
    }

    /** @return deliveries waiting for their outcome (or for a sink). */
    public synchronized int outboxSize() {
        return outbox.size();
    }

    /** @return deliveries that ended delivered, since the store's first day. */
    public synchronized long delivered() {
        return delivered;
    }

    /** @return deliveries given up, since the store's first day. */
    public synchronized long abandoned() {
        return abandoned;
    }

    /** @return deliveries dropped from a full outbox, since the store's first day. */
    public synchronized long overflowed() {
        return overflowed;
    }

    /** @return rules and silences refused at apply for a limit. */
    public synchronized long refused() {
        return refused;
    }

    /**
     * Writes the table's snapshot section into bytes: on the writer's thread, between two batches.
     *
     * @param image reused from snapshot to snapshot.
     */
    public synchronized void captureInto(final dev.ringmeter.core.journal.SnapshotSection image) {
        try {
            final DataOutputStream out = image.capture();
            out.writeLong(nextDeliveryId);
            out.writeLong(delivered);
            out.writeLong(abandoned);
            out.writeLong(overflowed);
            out.writeLong(refused);
            out.writeInt(rules.size());
            for (final Entry e : rules.values()) {
                AlertCodec.writeRule(out, e.rule);
                out.writeByte(e.state.ordinal());
                out.writeByte(e.severity == null ? -1 : e.severity.ordinal());
                out.writeLong(e.sinceMs);
                out.writeLong(e.startsAtMs);
                out.writeDouble(e.value);
            }
            out.writeInt(silences.size());
            for (final Silence s : silences.values()) {
                AlertCodec.writeSilence(out, s);
            }
            out.writeInt(history.size());
            for (final AlertTransition t : history) {
                AlertCodec.writeTransition(out, t);
            }
            out.writeInt(outbox.size());
            for (final Delivery d : outbox.values()) {
                out.writeLong(d.id);
                AlertCodec.writeNotice(out, d.notice);
                out.writeByte(d.target.kind().ordinal());
                out.writeUTF(d.target.url());
            }
        } catch (final IOException e) {
            throw new UncheckedIOException(e);   // a byte array does not fail
        }
    }

    /**
     * Reads a snapshot's section written from {@link #captureInto} into this empty table, before the ring starts.
     *
     * @param in at the section.
     * @throws IOException if it is bad.
     */
    public synchronized void read(final DataInput in) throws IOException {
        try {
            nextDeliveryId = in.readLong();
            delivered = in.readLong();
            abandoned = in.readLong();
            overflowed = in.readLong();
            refused = in.readLong();
            final int nRules = count(in.readInt(), MAX_RULES, "rules");
            for (int i = 0; i < nRules; i++) {
                final Entry e = new Entry();
                e.rule = AlertCodec.readRule(in);
                e.state = AlertState.values()[in.readByte()];
                final int severity = in.readByte();
                e.severity = severity < 0 ? null : Severity.values()[severity];
                e.sinceMs = in.readLong();
                e.startsAtMs = in.readLong();
                e.value = in.readDouble();
                rules.put(e.rule.id(), e);
            }
            final int nSilences = count(in.readInt(), MAX_SILENCES, "silences");
            for (int i = 0; i < nSilences; i++) {
                final Silence s = AlertCodec.readSilence(in);
                silences.put(s.id(), s);
            }
            final int nHistory = count(in.readInt(), MAX_HISTORY, "transitions");
            for (int i = 0; i < nHistory; i++) {
                history.addLast(AlertCodec.readTransition(in));
            }
            final int nOutbox = count(in.readInt(), MAX_OUTBOX, "deliveries");
            for (int i = 0; i < nOutbox; i++) {
                final long id = in.readLong();
                final Notice notice = AlertCodec.readNotice(in);
                outbox.put(id, new Delivery(id, notice, new Target(TargetKind.values()[in.readByte()], in.readUTF())));
            }
        } catch (final IllegalArgumentException | ArrayIndexOutOfBoundsException e) {
            throw new IOException("a bad alert section: " + e.getMessage(), e);
        }
    }

    private static int count(final int n, final int max, final String what) throws IOException {
        if (n < 0 || n > max) {
            throw new IOException("a snapshot with " + n + " alert " + what);
        }
        return n;
    }
}
