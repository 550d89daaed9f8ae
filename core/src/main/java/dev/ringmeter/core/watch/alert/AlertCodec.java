package dev.ringmeter.core.watch.alert;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInput;
import java.io.DataInputStream;
import java.io.DataOutput;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The binary form of the alert values, the one place that writes and reads them: an {@link AlertCommand} as the
 * body of an ALERT journal record (whose frame is in {@code JournalDescriptor}), and the rules, silences,
 * transitions and notices of the {@link AlertTable}'s snapshot section. Strings are modified UTF-8
 * ({@link DataOutput#writeUTF}); an absent string is a false flag byte.
 * <pre>
 *  command: op (1) | op's body
 *  PUT_RULE:        rule
 *  DELETE_RULE/SILENCE: id (utf)
 *  PUT_SILENCE:     silence
 *  TRANSITION:      transition
 *  DELIVERED:       deliveryId (8)
 *  ABANDONED:       deliveryId (8) | reason (utf)
 *  rule: id | name | scope | metric | windowMs (8) | comparator (1) | warning (8) | critical (8) | forMs (8)
 *        | minEvents (8) | targets: n (1), then kind (1) | url | labels: n (1), then name | value | summary
 * </pre>
 * <p>
 * Threading: stateless; any thread.
 */
public final class AlertCodec {
    /** The longest encoded command: a larger one is refused before it is journaled. */
    public static final int MAX_ENCODED_BYTES = 24 * 1024;

    private AlertCodec() {
    }

    /**
     * @param command to encode.
     * @return its bytes.
     * @throws IllegalArgumentException if they are more than {@link #MAX_ENCODED_BYTES}.
     */
    public static byte[] encode(final AlertCommand command) {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream(256);
        try {
            final DataOutputStream out = new DataOutputStream(bytes);
            out.writeByte(command.op().code());
            switch (command.op()) {
                case PUT_RULE -> writeRule(out, command.rule());
                case DELETE_RULE, DELETE_SILENCE -> out.writeUTF(command.id());
                case PUT_SILENCE -> writeSilence(out, command.silence());
                case TRANSITION -> writeTransition(out, command.transition());
                case DELIVERED -> out.writeLong(command.deliveryId());
                case ABANDONED -> {
                    out.writeLong(command.deliveryId());
                    out.writeUTF(clip(command.reason(), AlertRule.MAX_SUMMARY_LENGTH));
                }
                default -> throw new IllegalStateException(command.op().name());
            }
        } catch (final IOException e) {
            throw new UncheckedIOException(e);   // a byte array does not fail
        }
        if (bytes.size() > MAX_ENCODED_BYTES) {
            throw new IllegalArgumentException("the " + command.op().name().toLowerCase(java.util.Locale.ROOT)
                + " takes " + bytes.size() + " bytes encoded, more than " + MAX_ENCODED_BYTES + ": shorten its "
                + "urls, labels or summary");
        }
        return bytes.toByteArray();
    }

    /**
     * @param bytes of {@link #encode}.
     * @param timeMs the record's time.
     * @return the command.
     * @throws IllegalStateException if the bytes are not a command.
     */
    public static AlertCommand decode(final byte[] bytes, final long timeMs) {
        try {
            final DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes));
            final AlertCommand.Op op = AlertCommand.Op.of(in.readByte());
            if (op == null) {
                throw new IllegalStateException("an alert record of an unknown op");
            }
            return switch (op) {
                case PUT_RULE -> AlertCommand.putRule(timeMs, readRule(in));
                case DELETE_RULE, DELETE_SILENCE -> AlertCommand.delete(op, timeMs, in.readUTF());
                case PUT_SILENCE -> AlertCommand.putSilence(timeMs, readSilence(in));
                case TRANSITION -> AlertCommand.transition(readTransition(in));
                case DELIVERED -> AlertCommand.outcome(timeMs, in.readLong(), null);
                case ABANDONED -> AlertCommand.outcome(timeMs, in.readLong(), in.readUTF());
            };
        } catch (final IOException | IllegalArgumentException e) {
            throw new IllegalStateException("a bad alert record: " + e.getMessage(), e);
        }
    }

    static void writeRule(final DataOutput out, final AlertRule r) throws IOException {
        out.writeUTF(r.id());
        out.writeUTF(r.name());
        out.writeUTF(r.scope().toString());
        out.writeUTF(r.metric().text());
        out.writeLong(r.windowMs());
        out.writeByte(r.comparator().ordinal());
        out.writeDouble(r.warning());
        out.writeDouble(r.critical());
        out.writeLong(r.forMs());
        out.writeLong(r.minEvents());
        out.writeByte(r.targets().size());
        for (final Target t : r.targets()) {
            out.writeByte(t.kind().ordinal());
            out.writeUTF(t.url());
        }
        writeLabels(out, r.labels());
        out.writeUTF(r.summary());
    }

    static AlertRule readRule(final DataInput in) throws IOException {
        final String id = in.readUTF();
        final String name = in.readUTF();
        final AlertScope scope = AlertScope.parse(in.readUTF());
        final AlertMetric metric = AlertMetric.parse(in.readUTF());
        final long windowMs = in.readLong();
        final AlertRule.Comparator comparator = AlertRule.Comparator.values()[in.readByte()];
        final double warning = in.readDouble();
        final double critical = in.readDouble();
        final long forMs = in.readLong();
        final long minEvents = in.readLong();
        final int n = in.readByte();
        final List<Target> targets = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            targets.add(new Target(TargetKind.values()[in.readByte()], in.readUTF()));
        }
        return new AlertRule(id, name, scope, metric, windowMs, comparator, warning, critical, forMs, minEvents,
            targets, readLabels(in), in.readUTF());
    }

    static void writeSilence(final DataOutput out, final Silence s) throws IOException {
        out.writeUTF(s.id());
        writeLabels(out, s.matchers());
        out.writeLong(s.startsAtMs());
        out.writeLong(s.endsAtMs());
        out.writeUTF(s.comment());
    }

    static Silence readSilence(final DataInput in) throws IOException {
        return new Silence(in.readUTF(), readLabels(in), in.readLong(), in.readLong(), in.readUTF());
    }

    static void writeTransition(final DataOutput out, final AlertTransition t) throws IOException {
        out.writeUTF(t.ruleId());
        out.writeLong(t.timeMs());
        out.writeByte(t.kind().ordinal());
        out.writeByte(t.severity().ordinal());
        out.writeDouble(t.value());
        out.writeLong(t.startsAtMs());
        out.writeBoolean(t.silenced());
        out.writeBoolean(t.notice() != null);
        if (t.notice() != null) {
            writeNotice(out, t.notice());
        }
    }

    static AlertTransition readTransition(final DataInput in) throws IOException {
        final String ruleId = in.readUTF();
        final long timeMs = in.readLong();
        final AlertTransition.Kind kind = AlertTransition.Kind.values()[in.readByte()];
        final Severity severity = Severity.values()[in.readByte()];
        final double value = in.readDouble();
        final long startsAtMs = in.readLong();
        final boolean silenced = in.readBoolean();
        return new AlertTransition(ruleId, timeMs, kind, severity, value, startsAtMs, silenced,
            in.readBoolean() ? readNotice(in) : null);
    }

    static void writeNotice(final DataOutput out, final Notice n) throws IOException {
        out.writeUTF(n.dedupKey());
        out.writeUTF(n.ruleId());
        out.writeUTF(n.ruleName());
        out.writeByte(n.severity().ordinal());
        out.writeBoolean(n.firing());
        writeLabels(out, n.labels());
        out.writeUTF(n.summary());
        out.writeDouble(n.value());
        out.writeDouble(n.threshold());
        out.writeLong(n.startsAtMs());
        out.writeLong(n.endsAtMs());
        out.writeUTF(n.generatorUrl());
    }

    static Notice readNotice(final DataInput in) throws IOException {
        return new Notice(in.readUTF(), in.readUTF(), in.readUTF(), Severity.values()[in.readByte()],
            in.readBoolean(), readLabels(in), in.readUTF(), in.readDouble(), in.readDouble(), in.readLong(),
            in.readLong(), in.readUTF());
    }

    private static void writeLabels(final DataOutput out, final Map<String, String> labels) throws IOException {
        out.writeByte(labels.size());
        for (final Map.Entry<String, String> l : labels.entrySet()) {
            out.writeUTF(l.getKey());
            out.writeUTF(l.getValue());
        }
    }

    private static Map<String, String> readLabels(final DataInput in) throws IOException {
        final int n = in.readUnsignedByte();
        final Map<String, String> labels = new LinkedHashMap<>();
        for (int i = 0; i < n; i++) {
            labels.put(in.readUTF(), in.readUTF());
        }
        return labels;
    }

    /** @return the text cut to at most max chars. */
    static String clip(final String s, final int max) {
        return s == null ? "" : s.length() <= max ? s : s.substring(0, max);
    }
}
