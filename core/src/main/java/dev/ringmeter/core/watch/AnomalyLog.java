package dev.ringmeter.core.watch;

import dev.ringmeter.core.query.Subject;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The anomalies the store keeps: each journaled start or end of an anomaly ({@link Anomaly}, record kind 11) is
 * {@link #put} here by the aggregate writer, live and at replay, and the whole log is in the snapshot.
 * <p>
 * Bounded: at most {@code maxAnomalies} (StoreConfig#maxAnomalies, 10,000 by default). When a new one would pass it,
 * the oldest ended anomaly is dropped; if every kept one is open, the oldest open one. Memory: about 200 bytes an
 * anomaly (the record, its subject shared with the watch, and the map entries), 2 MB at the default.
 * <p>
 * Threading: every method is synchronized on the log; the writer thread puts, any thread reads. Reads copy.
 */
public final class AnomalyLog implements AnomalyView {
    /** About the bytes one kept anomaly holds: the record, its boxed key and two map entries. */
    public static final int BYTES_PER_ANOMALY = 200;

    private final int maxAnomalies;
    /** By id, in the order anomalies started (ids increase). */
    private final LinkedHashMap<Long, Anomaly> byId = new LinkedHashMap<>();
    /** The open one of each subject's metric. */
    private final Map<Key, Anomaly> open = new HashMap<>();
    private long lastId;

    private record Key(Subject subject, String metric) {
    }

    /** A filter of {@link #list}: null or 0 fields match everything. */
    public record Query(String model, String metric, long fromMs, long toMs, boolean openOnly, int limit) {
        /** @throws IllegalArgumentException naming the bad field. */
        public Query {
            if (fromMs < 0 || toMs < 0 || toMs != 0 && toMs <= fromMs) {
                throw new IllegalArgumentException("from/to: [" + fromMs + ", " + toMs + ") is empty or negative");
            }
            if (limit < 1) {
                throw new IllegalArgumentException("limit must be at least 1: " + limit);
            }
        }
    }

    /** @param maxAnomalies the most kept. */
    public AnomalyLog(final int maxAnomalies) {
        if (maxAnomalies < 1) {
            throw new IllegalArgumentException("maxAnomalies must be at least 1: " + maxAnomalies);
        }
        this.maxAnomalies = maxAnomalies;
    }

    /**
     * Keeps an anomaly, replacing the one of the same id (its end replaces its start).
     *
     * @param anomaly journaled.
     */
    public synchronized void put(final Anomaly anomaly) {
        final Key key = new Key(anomaly.subject(), anomaly.metric());
        final Anomaly previous = byId.put(anomaly.id(), anomaly);
        if (anomaly.open()) {
            open.put(key, anomaly);
        } else if (open.get(key) != null && open.get(key).id() == anomaly.id()) {
            open.remove(key);
        }
        lastId = Math.max(lastId, anomaly.id());
        if (previous == null && byId.size() > maxAnomalies) {
            evict();
        }
    }

    private void evict() {
        for (final Iterator<Anomaly> i = byId.values().iterator(); i.hasNext(); ) {
            if (!i.next().open()) {
                i.remove();
                return;
            }
        }
        final Anomaly oldest = byId.values().iterator().next();
        byId.remove(oldest.id());
        open.remove(new Key(oldest.subject(), oldest.metric()));
    }

    /** @return the anomaly under way on a subject's metric, or null. */
    @Override
    public synchronized Anomaly open(final Subject subject, final String metric) {
        return open.get(new Key(subject, metric));
    }

    /** @return every open anomaly, in the order they started. */
    public synchronized List<Anomaly> openAnomalies() {
        final List<Anomaly> out = new ArrayList<>(open.values());
        out.sort((a, b) -> Long.compare(a.id(), b.id()));
        return out;
    }

    /** @return the highest id kept or ever put; the next anomaly takes the one after. */
    public synchronized long lastId() {
        return lastId;
    }

    /** @return how many are kept. */
    public synchronized int size() {
        return byId.size();
    }

    /**
     * @param q the filter: of a model, a metric, overlapping [fromMs, toMs) (0: unbounded), open only.
     * @return the matching anomalies, newest first, at most {@code q.limit()}.
     */
    public synchronized List<Anomaly> list(final Query q) {
        final List<Anomaly> all = new ArrayList<>(byId.values());
        final List<Anomaly> out = new ArrayList<>();
        for (int i = all.size() - 1; i >= 0 && out.size() < q.limit(); i--) {
            final Anomaly a = all.get(i);
            if ((q.model() == null || a.subject().kind() == Subject.Kind.MODEL && a.subject().name().equals(q.model()))
                && (q.metric() == null || a.metric().equals(q.metric()))
                && (!q.openOnly() || a.open())
                && (q.toMs() == 0 || a.startMs() < q.toMs())
                && (q.fromMs() == 0 || a.open() || a.endMs() > q.fromMs())) {
                out.add(a);
            }
        }
        return out;
    }

    /** @return a copy of the kept anomalies, for a snapshot image. */
    public synchronized List<Anomaly> capture() {
        return new ArrayList<>(byId.values());
    }

    /**
     * Writes captured anomalies: count:4 then per anomaly id:8 subjectKind:1 pipeline:utf(""=none) name:utf
     * metric:utf kind:1 startMs:8 endMs:8 expected:8 observed:8 score:8.
     */
    public static void write(final List<Anomaly> anomalies, final DataOutput out) throws IOException {
        out.writeInt(anomalies.size());
        for (final Anomaly a : anomalies) {
            out.writeLong(a.id());
            out.writeByte(a.subject().kind().ordinal());
            out.writeUTF(a.subject().pipeline() == null ? "" : a.subject().pipeline());
            out.writeUTF(a.subject().name());
            out.writeUTF(a.metric());
            out.writeByte(a.kind().ordinal());
            out.writeLong(a.startMs());
            out.writeLong(a.endMs());
            out.writeDouble(a.expected());
            out.writeDouble(a.observed());
            out.writeDouble(a.score());
        }
    }

    /** Reads what {@link #write} wrote into this log. */
    public void read(final DataInput in) throws IOException {
        final int count = in.readInt();
        if (count < 0) {
            throw new IOException("a bad anomaly count " + count);
        }
        try {
            for (int i = 0; i < count; i++) {
                final long id = in.readLong();
                final int subjectKind = in.readByte();
                final String pipeline = in.readUTF();
                final String name = in.readUTF();
                final String metric = in.readUTF();
                final int kind = in.readByte();
                put(new Anomaly(id, subject(subjectKind, pipeline, name), metric, kind(kind), in.readLong(),
                    in.readLong(), in.readDouble(), in.readDouble(), in.readDouble()));
            }
        } catch (final IllegalArgumentException e) {
            throw new IOException("a bad anomaly: " + e.getMessage(), e);
        }
    }

    /**
     * @return the subject of a kind's ordinal, a pipeline ("" or null for none) and a name.
     * @throws IllegalArgumentException for an unknown kind.
     */
    public static Subject subject(final int kind, final String pipeline, final String name) {
        if (kind < 0 || kind >= Subject.Kind.VALUES.length) {
            throw new IllegalArgumentException("subject kind " + kind);
        }
        return switch (Subject.Kind.VALUES[kind]) {
            case MODEL -> Subject.model(name);
            case PIPELINE -> Subject.pipeline(name);
            case STEP -> Subject.step(pipeline, name);
            case TOOL -> Subject.tool(name);
            case AGENT -> Subject.agent(name);
        };
    }

    /** @return the kind of an ordinal. @throws IllegalArgumentException for an unknown one. */
    public static AnomalyDetector.Kind kind(final int ordinal) {
        if (ordinal < 0 || ordinal >= AnomalyDetector.Kind.values().length) {
            throw new IllegalArgumentException("anomaly kind " + ordinal);
        }
        return AnomalyDetector.Kind.values()[ordinal];
    }
}
