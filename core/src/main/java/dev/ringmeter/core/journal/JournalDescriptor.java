package dev.ringmeter.core.journal;

import dev.ringmeter.core.dictionary.Dimension;
import dev.ringmeter.core.ingest.EventSlot;
import dev.ringmeter.core.run.RunCommand;
import dev.ringmeter.core.watch.alert.AlertCodec;
import dev.ringmeter.core.run.RunParameters;
import dev.ringmeter.core.run.RunRules;
import dev.ringmeter.core.run.RunStatus;
import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.bytes.MappedBytes;
import net.openhft.chronicle.bytes.BytesStore;
import net.openhft.chronicle.core.UnsafeMemory;

/**
 * The binary layout of one journal record (many share one Chronicle Queue document), little-endian as Chronicle
 * writes it.
 * Every record starts with a version byte and a kind byte; the rest is fixed per kind, followed for events and
 * metric samples by a counted tail of quality scores and tags.
 * <pre>
 *   0       1       2                                                       (bytes)
 *  +-------+-------+----------------------------------------------------------
 *  |version| kind  | body
 *  +-------+-------+----------------------------------------------------------
 *
 *  EVENT  body: timestampMs:8 model:4 operation:4 pipeline:4 step:4 run:4 task:4 config:4 errorType:4
 *               latencyNs:8 ttftNs:8 queueWaitNs:8 promptTokens:8 completionTokens:8 status:1 cache:1
 *               retries:4 memoryBytes:8 cpuNs:8 costUsd:8 (the effective cost: the caller's, else priced)
 *               (cache: the CacheResult's ordinal in bits 0-6, bit 7 set when the store priced the cost; events
 *               written before price entries have it clear: their cost counts as the caller's)
 *               [version 4: provider:4 tool:4 agent:4 cachedTokens:8 cacheWriteTokens:8 reasoningTokens:8]
 *               qualityCount:1 { nameId:4 value:8 }* tagCount:1 { keyId:4 valueId:4 }*
 *  METRIC body: timestampMs:8 nameId:4 value:8 tagCount:1 { keyId:4 valueId:4 }*
 *  WEIGHTED_METRIC (13) body: a METRIC body, then count:8 (a sample standing for 2 to MetricSample.MAX_COUNT
 *               observations of its value; a sample of count 1 is a METRIC record, as before it existed)
 *  PRICE  body: timestampMs:8 model:4 inputUsdPerMillion:8 outputUsdPerMillion:8 (read only: before price
 *               entries, setPrice wrote these; each reads as an exact entry effective from its time)
 *  PRICE_ENTRY (7) body: timestampMs:8 revision:8 entryId:8 put:1 [length:4 entry:length] (the entry in the
 *               layout of PriceBook#write; revision 0: a change the store refused, which changes nothing)
 *  RECOMPUTE (8) body: timestampMs:8 fromMs:8 toMs:8 revision:8 (always the first record of its document)
 *  DICT   body: dimension:1 id:4 value:utf8 (Chronicle's stop-bit length + UTF-8)
 *  CHECK  body: checksum:8 (of every byte of the document before this record; version 3, last in its document)
 *  RUN    body: timestampMs:8 op:1 runId:utf8 name:utf8 expectedTasks:8 status:1 reason:utf8
 *               parameters:(-1 | count:1 { key:utf8 type:1 value }*) tags:(-1 | count:1 { tag:utf8 }*)
 *               (utf8: Chronicle's stop-bit length + UTF-8, null allowed; op 1 create, 2 update, 3 finish; status
 *               a RunStatus ordinal or -1; value by type: 1 long:8, 2 double:8, 3 utf8, 4 boolean:1)
 *  ANOMALY (11) body: timestampMs:8 id:8 subjectKind:1 pipeline:utf8 name:utf8 metric:utf8 kind:1 startMs:8
 *               endMs:8 expected:8 observed:8 score:8 (an anomaly's start, endMs 0, or its end: the whole anomaly)
 * </pre>
 * A RUN record (kind 6, written from record version 4 on) carries its strings inline rather than as dictionary ids:
 * a run is looked up by its id's name, and a run command needs no DICT record before it.
 * Ids refer to the dictionary. Version 2: a DICT record precedes the first record that uses its id <em>in each
 * journal cycle</em>, so every cycle decodes on its own from its start, and a DICT record may bind an id to another
 * name than before (an id of a released dimension reused for a new value): from it on, the id means the new name.
 * Version 1 (read, no longer written) wrote a DICT record only at an id's first use ever, and never rebound one.
 * Version 3 adds the CHECK record that ends every document, so a damaged document is found and left out whole
 * rather than decoded into events no one recorded ({@link #damage}); a document of versions 1 and 2 has none. The
 * Version 4 adds six fields to EVENT (an event of an older version has none of them: ids 0, tokens absent). The
 * other layouts are the same in all four ({@link FormatVersion} holds the versions). Records follow one another
 * inside a Chronicle document (one document per ingestion batch); a reader reads records until the document has no
 * bytes left.
 * <p>
 * Threading: stateless; safe from any thread.
 */
final class JournalDescriptor {
    /** The version written. */
    static final byte VERSION = FormatVersion.JOURNAL_RECORD;
    /** The oldest version read: the journal of stores before DICT records were written per cycle. */
    static final byte VERSION_1 = FormatVersion.JOURNAL_RECORD_OLDEST;
    static final byte KIND_DICT = 4;
    /**
     * An event the journal kept of 1 in N (sampling, docs/privacy.md): an EVENT record followed by its weight N (an
     * int, 2 to {@code Sampling.MAX_EVERY}); read back as an event with {@link EventSlot#weight} N.
     */
    static final byte KIND_SAMPLED = 12;
    /**
     * A metric sample of a count above 1 ({@code MetricSample#count}): a METRIC record followed by its count (a long,
     * 2 to {@code MetricSample.MAX_COUNT}); read back as a metric sample with {@link EventSlot#metricCount}. Added
     * within version 4 as a kind of its own, so that every METRIC record written before it reads as it did (count 1).
     */
    static final byte KIND_WEIGHTED_METRIC = 13;
    /** The record that ends a document of version 3 with its checksum. */
    static final byte KIND_CHECK = 5;
    /** The length of a CHECK record. */
    static final int CHECK_LENGTH = 2 + 8;
    /** The first version whose documents end in a CHECK record. */
    static final byte VERSION_CHECKED = FormatVersion.JOURNAL_RECORD_CHECKED;
    /** The fields version 4 added to EVENT: three ids and three token counts. */
    private static final int EVENT_V4_FIELDS_LENGTH = 3 * 4 + 3 * 8;
    static final int EVENT_FIXED_LENGTH = 2 + 8 + 8 * 4 + 5 * 8 + 2 + 4 + 3 * 8 + EVENT_V4_FIELDS_LENGTH + 2;
    /** The longest EVENT, METRIC or PRICE record: an event with every quality score and tag. */
    static final int SLOT_MAX_LENGTH = Math.max(EVENT_FIXED_LENGTH + dev.ringmeter.Event.MAX_QUALITY * 12
        + dev.ringmeter.Event.MAX_TAGS * 8 + 4, 2 + 8 + 8 + 8 + 1 + 4 + dev.ringmeter.core.cost.PriceBook.ENCODED_MAX_LENGTH);
    /** The bit of an EVENT's cache byte that says the store priced its cost. */
    private static final int COST_PRICED_BIT = 0x80;
    /**
     * @param idChars the length of the run's id (or the store's longest string, for the longest of any run).
     * @return the longest RUN record of a run with such an id.
     */
    static int runMaxLength(final int maxStringLength) {
        return (int)(2 + 8 + 1 + 8 + 1 + dev.ringmeter.core.run.RunRules.maxEncodedBytes(maxStringLength));
    }
    /**
     * @param maxStringLength the store's longest string.
     * @return the longest ANOMALY record the store writes: of a model (no pipeline) and a metric key of at most
     *     {@link dev.ringmeter.core.watch.AnomalyWatch#MAX_METRIC_KEY_CHARS}.
     */
    static int anomalyMaxLength(final int maxStringLength) {
        return anomalyLength(0, maxStringLength, dev.ringmeter.core.watch.AnomalyWatch.MAX_METRIC_KEY_CHARS);
    }

    /** @return the longest ANOMALY record of this anomaly's strings. */
    static int anomalyMaxLength(final dev.ringmeter.core.watch.Anomaly a) {
        final String pipeline = a.subject().pipeline();
        return anomalyLength(pipeline == null ? 0 : pipeline.length(), a.subject().name().length(),
            a.metric().length());
    }

    /** Version, kind, time, id, subject kind, three strings (a stop-bit length and 3 bytes a char), kind, 5 numbers. */
    private static int anomalyLength(final int pipelineChars, final int nameChars, final int metricChars) {
        return 2 + 8 + 8 + 1 + 3 * 5 + 3 * (pipelineChars + nameChars + metricChars) + 1 + 5 * 8;
    }
    /** The longest ALERT record: version, kind, time, length and the longest encoded command. */
    static final int ALERT_MAX_LENGTH = 2 + 8 + 4 + AlertCodec.MAX_ENCODED_BYTES;
    /** A DICT record without its string: version, kind, dimension, id and the longest stop-bit length. */
    private static final int DICT_OVERHEAD = 2 + 1 + 4 + 5;

    private JournalDescriptor() {
    }

    /**
     * Writes a slot (event, metric sample or price change) as one record.
     *
     * @param slot  to write; its timestamp already stamped.
     * @param bytes of the open document.
     */
    static void write(final EventSlot slot, final Bytes<?> bytes) {
        bytes.writeByte(VERSION);
        final boolean sampled = slot.kind == EventSlot.KIND_EVENT && slot.weight > 1;
        final boolean weighted = slot.kind == EventSlot.KIND_METRIC && slot.metricCount > 1;
        bytes.writeByte(sampled ? KIND_SAMPLED : weighted ? KIND_WEIGHTED_METRIC : slot.kind);
        switch (slot.kind) {
            case EventSlot.KIND_EVENT:
                bytes.writeLong(slot.timestampMs);
                bytes.writeInt(slot.model);
                bytes.writeInt(slot.operation);
                bytes.writeInt(slot.pipeline);
                bytes.writeInt(slot.step);
                bytes.writeInt(slot.run);
                bytes.writeInt(slot.task);
                bytes.writeInt(slot.config);
                bytes.writeInt(slot.errorType);
                bytes.writeLong(slot.latencyNs);
                bytes.writeLong(slot.ttftNs);
                bytes.writeLong(slot.queueWaitNs);
                bytes.writeLong(slot.promptTokens);
                bytes.writeLong(slot.completionTokens);
                bytes.writeByte(slot.status);
                bytes.writeByte((byte)(slot.cache | (slot.costPriced ? COST_PRICED_BIT : 0)));
                bytes.writeInt(slot.retries);
                bytes.writeLong(slot.memoryBytes);
                bytes.writeLong(slot.cpuNs);
                bytes.writeDouble(slot.costUsd);
                bytes.writeInt(slot.provider);
                bytes.writeInt(slot.tool);
                bytes.writeInt(slot.agent);
                bytes.writeLong(slot.cachedTokens);
                bytes.writeLong(slot.cacheWriteTokens);
                bytes.writeLong(slot.reasoningTokens);
                bytes.writeByte((byte)slot.qualityCount);
                for (int i = 0; i < slot.qualityCount; i++) {
                    bytes.writeInt(slot.qualityNames[i]);
                    bytes.writeDouble(slot.qualityValues[i]);
                }
                writeTags(slot, bytes);
                if (sampled) {
                    bytes.writeInt(slot.weight);
                }
                break;
            case EventSlot.KIND_METRIC:
                bytes.writeLong(slot.timestampMs);
                bytes.writeInt(slot.metricName);
                bytes.writeDouble(slot.metricValue);
                writeTags(slot, bytes);
                if (weighted) {
                    bytes.writeLong(slot.metricCount);
                }
                break;
            case EventSlot.KIND_PRICE:
                bytes.writeLong(slot.timestampMs);
                bytes.writeInt(slot.model);
                bytes.writeDouble(slot.priceInputUsdPerMillion);
                bytes.writeDouble(slot.priceOutputUsdPerMillion);
                break;
            case EventSlot.KIND_PRICE_ENTRY: {
                final dev.ringmeter.core.cost.PriceChange c = slot.priceChange;
                bytes.writeLong(slot.timestampMs);
                bytes.writeLong(c.revision());
                bytes.writeLong(c.appliedId() != 0 ? c.appliedId() : c.entryId);
                final dev.ringmeter.core.cost.PriceEntry entry = c.revision() == 0 ? null : c.decidedEntry();
                bytes.writeBoolean(entry != null);
                if (entry != null) {
                    final byte[] b = dev.ringmeter.core.cost.PriceBook.encode(entry);
                    bytes.writeInt(b.length);
                    bytes.write(b);
                }
                break;
            }
            case EventSlot.KIND_RECOMPUTE:
                bytes.writeLong(slot.timestampMs);
                bytes.writeLong(slot.recompute.fromMs);
                bytes.writeLong(slot.recompute.toMs);
                bytes.writeLong(slot.recompute.revision());
                break;
            case EventSlot.KIND_RUN:
                writeRun(slot.runCommand, bytes);
                break;
            case EventSlot.KIND_ANOMALY:
                writeAnomaly(slot.timestampMs, slot.anomaly, bytes);
                break;
            case EventSlot.KIND_ALERT:
                bytes.writeLong(slot.timestampMs);
                bytes.writeInt(slot.alertBytes.length);
                bytes.write(slot.alertBytes);
                break;
            default:
                throw new IllegalArgumentException("slot kind " + slot.kind + " is not journaled");
        }
    }

    private static void writeRun(final RunCommand c, final Bytes<?> bytes) {
        bytes.writeLong(c.timeMs());
        bytes.writeByte(c.op().code());
        bytes.writeUtf8(c.runId());
        bytes.writeUtf8(c.name());
        bytes.writeLong(c.expectedTasks());
        bytes.writeByte((byte)(c.status() == null ? -1 : c.status().ordinal()));
        bytes.writeUtf8(c.reason());
        if (c.parameters() == null) {
            bytes.writeByte((byte)-1);
        } else {
            bytes.writeByte((byte)c.parameters().size());
            for (final java.util.Map.Entry<String, Object> p : c.parameters().entrySet()) {
                bytes.writeUtf8(p.getKey());
                final byte type = RunParameters.type(p.getValue());
                bytes.writeByte(type);
                switch (type) {
                    case RunParameters.LONG -> bytes.writeLong((Long)p.getValue());
                    case RunParameters.DOUBLE -> bytes.writeDouble((Double)p.getValue());
                    case RunParameters.STRING -> bytes.writeUtf8((String)p.getValue());
                    default -> bytes.writeBoolean((Boolean)p.getValue());
                }
            }
        }
        if (c.tags() == null) {
            bytes.writeByte((byte)-1);
        } else {
            bytes.writeByte((byte)c.tags().size());
            for (final String t : c.tags()) {
                bytes.writeUtf8(t);
            }
        }
    }

    private static void writeAnomaly(final long timeMs, final dev.ringmeter.core.watch.Anomaly a,
                                     final Bytes<?> bytes) {
        bytes.writeLong(timeMs);
        bytes.writeLong(a.id());
        bytes.writeByte((byte)a.subject().kind().ordinal());
        bytes.writeUtf8(a.subject().pipeline());
        bytes.writeUtf8(a.subject().name());
        bytes.writeUtf8(a.metric());
        bytes.writeByte((byte)a.kind().ordinal());
        bytes.writeLong(a.startMs());
        bytes.writeLong(a.endMs());
        bytes.writeDouble(a.expected());
        bytes.writeDouble(a.observed());
        bytes.writeDouble(a.score());
    }

    private static dev.ringmeter.core.watch.Anomaly readAnomaly(final Bytes<?> bytes) {
        require(bytes, 8 + 8 + 1);
        bytes.readLong();
        final long id = bytes.readLong();
        final int subjectKind = bytes.readByte();
        final String pipeline = bytes.readUtf8();
        final String name = bytes.readUtf8();
        final String metric = bytes.readUtf8();
        require(bytes, 1 + 5 * 8);
        final int kind = bytes.readByte();
        if (name == null || metric == null) {
            throw new IllegalStateException("a bad anomaly record");
        }
        try {
            return new dev.ringmeter.core.watch.Anomaly(id, dev.ringmeter.core.watch.AnomalyLog.subject(subjectKind,
                pipeline, name), metric, dev.ringmeter.core.watch.AnomalyLog.kind(kind), bytes.readLong(),
                bytes.readLong(), bytes.readDouble(), bytes.readDouble(), bytes.readDouble());
        } catch (final IllegalArgumentException e) {
            throw new IllegalStateException("a bad anomaly record: " + e.getMessage(), e);
        }
    }

    private static RunCommand readRun(final Bytes<?> bytes) {
        require(bytes, 8 + 1);
        final long timeMs = bytes.readLong();
        final RunCommand.Op op = RunCommand.Op.of(bytes.readByte());
        if (op == null) {
            throw new IllegalStateException("a run record of an unknown op");
        }
        final String runId = bytes.readUtf8();
        final String name = bytes.readUtf8();
        require(bytes, 8 + 1);
        final long expected = bytes.readLong();
        final int status = bytes.readByte();
        if (runId == null || status < -1 || status >= RunStatus.values().length) {
            throw new IllegalStateException("a bad run record");
        }
        final String reason = bytes.readUtf8();
        require(bytes, 1);
        final int parameterCount = bytes.readByte();
        java.util.Map<String, Object> parameters = null;
        if (parameterCount >= 0) {
            parameters = new java.util.LinkedHashMap<>();
            for (int i = 0; i < count(parameterCount, RunRules.MAX_PARAMETERS); i++) {
                final String key = bytes.readUtf8();
                require(bytes, 1);
                final byte type = bytes.readByte();
                final Object value = switch (type) {
                    case RunParameters.LONG -> bytes.readLong();
                    case RunParameters.DOUBLE -> bytes.readDouble();
                    case RunParameters.STRING -> bytes.readUtf8();
                    case RunParameters.BOOLEAN -> bytes.readBoolean();
                    default -> throw new IllegalStateException("a run parameter of type " + type);
                };
                if (key == null || value == null) {
                    throw new IllegalStateException("a bad run parameter");
                }
                parameters.put(key, value);
            }
        }
        require(bytes, 1);
        final int tagCount = bytes.readByte();
        java.util.List<String> tags = null;
        if (tagCount >= 0) {
            tags = new java.util.ArrayList<>();
            for (int i = 0; i < count(tagCount, RunRules.MAX_TAGS); i++) {
                final String tag = bytes.readUtf8();
                if (tag == null) {
                    throw new IllegalStateException("a bad run tag");
                }
                tags.add(tag);
            }
        }
        return new RunCommand(op, runId, timeMs, name, parameters, tags, expected,
            status < 0 ? null : RunStatus.of(status), reason);
    }

    private static void writeTags(final EventSlot slot, final Bytes<?> bytes) {
        bytes.writeByte((byte)slot.tagCount);
        for (int i = 0; i < slot.tagCount; i++) {
            bytes.writeInt(slot.tagKeys[i]);
            bytes.writeInt(slot.tagValues[i]);
        }
    }

    /**
     * @param chars the length of a dictionary value, in UTF-16 chars.
     * @return the most bytes its DICT record can take (three UTF-8 bytes per char at most).
     */
    static long dictionaryEntryMaxLength(final int chars) {
        return DICT_OVERHEAD + 3L * chars;
    }

    /**
     * Writes a dictionary entry.
     *
     * @param dimension of the value.
     * @param id        of the value.
     * @param value     the string.
     * @param bytes     of the open document.
     */
    static void writeDictionaryEntry(final Dimension dimension, final int id, final String value,
                                     final Bytes<?> bytes) {
        bytes.writeByte(VERSION);
        bytes.writeByte(KIND_DICT);
        bytes.writeByte((byte)dimension.ordinal());
        bytes.writeInt(id);
        bytes.writeUtf8(value);
    }

    /**
     * Ends a document with its CHECK record.
     *
     * @param bytes         of the open document.
     * @param documentStart where the document's first record starts.
     */
    static void writeChecksum(final Bytes<?> bytes, final long documentStart) {
        final long sum = checksum(bytes, documentStart, bytes.writePosition());
        bytes.writeByte(VERSION);
        bytes.writeByte(KIND_CHECK);
        bytes.writeLong(sum);
    }

    /**
     * Checks a document read from the journal and leaves out its CHECK record: after it, the bytes from the read
     * position to the read limit are the document's records.
     *
     * @param bytes of the document, from its read position to its read limit.
     * @throws IllegalStateException if the document is damaged ({@link #damage}).
     */
    static void openDocument(final Bytes<?> bytes) {
        openDocument(bytes, false);
    }

    /**
     * {@link #openDocument(Bytes)}, trusting the checksum of a document already verified (by the check at open).
     *
     * @param verified whether the document's checksum was verified already: then only its CHECK record is left out.
     */
    static void openDocument(final Bytes<?> bytes, final boolean verified) {
        final long start = bytes.readPosition();
        final long end = bytes.readLimit();
        final String damage = verified ? null : damage(bytes, start, end);
        if (damage != null) {
            throw new IllegalStateException(damage);
        }
        if (endsInCheck(bytes, start, end)) {
            bytes.readLimit(end - CHECK_LENGTH);
        }
    }

    /**
     * Whether a document is damaged: one of version 3 whose CHECK record is missing or does not match its bytes, or
     * one that starts with no known version. A document of versions 1 or 2 (no CHECK record) is taken as it is.
     *
     * @param bytes holding the document.
     * @param start of the document's first record.
     * @param end   of the document.
     * @return what is wrong, or null if nothing is.
     */
    static String damage(final BytesStore<?, ?> bytes, final long start, final long end) {
        if (endsInCheck(bytes, start, end)) {
            return bytes.readLong(end - 8) == checksum(bytes, start, end - CHECK_LENGTH) ? null
                : "the document's checksum does not match its bytes";
        }
        final byte version = end > start ? bytes.readByte(start) : 0;
        if (version >= VERSION_1 && version < VERSION_CHECKED) {
            return null;
        }
        return "a document of " + (end - start) + " bytes that starts with version " + version
            + " and has no checksum record";
    }

    private static boolean endsInCheck(final BytesStore<?, ?> bytes, final long start, final long end) {
        if (end - start < CHECK_LENGTH) {
            return false;
        }
        final byte version = bytes.readByte(end - CHECK_LENGTH);
        return version >= VERSION_CHECKED && version <= VERSION && bytes.readByte(end - CHECK_LENGTH + 1) == KIND_CHECK;
    }

    /**
     * A 64-bit checksum of a run of bytes (a MurmurHash3-style mix of each 8 bytes, in the platform's byte order as
     * Chronicle writes them, and of the length): any change of the bytes changes it but with a chance of 2^-64.
     * Allocates nothing.
     *
     * @param bytes holding the run.
     * @param from  its first byte.
     * @param to    the byte after its last.
     * @return the checksum.
     */
    static long checksum(final BytesStore<?, ?> bytes, final long from, final long to) {
        long h = 0x9E3779B97F4A7C15L ^ (to - from);
        long p = from;
        final long address = mappedAddress(bytes, from, to);
        if (address != 0) {
            // the same 8 bytes at a time as below, read straight from the mapping: a mapped file's readLong checks
            // the offset against its chunk and the reading thread on every call, most of the time a check took
            for (; p + 8 <= to; p += 8) {
                h = mix(h, UnsafeMemory.MEMORY.readLong(address + (p - from)));
            }
        }
        for (; p + 8 <= to; p += 8) {
            h = mix(h, bytes.readLong(p));
        }
        long tail = 0;
        for (int shift = 0; p < to; p++, shift += 8) {
            tail |= (bytes.readByte(p) & 0xFFL) << shift;
        }
        h = mix(h, tail) ^ (to - from);
        h ^= h >>> 33;
        h *= 0xFF51AFD7ED558CCDL;
        h ^= h >>> 33;
        h *= 0xC4CEB9FE1A85EC53L;
        return h ^ (h >>> 33);
    }

    /**
     * @return the address of a run of a mapped file's bytes, if the chunk mapped holds all of it (Chronicle maps a
     * chunk with an overlap of at least a document's largest size), or 0 to read it through the bytes.
     */
    private static long mappedAddress(final BytesStore<?, ?> bytes, final long from, final long to) {
        if (!(bytes instanceof MappedBytes mapped) || to - from < 8 || to - from > Integer.MAX_VALUE) {
            return 0;
        }
        final long address = mapped.addressForRead(from, (int)(to - from));
        final BytesStore<?, ?> chunk = mapped.bytesStore();
        return chunk != null && chunk.inside(from, to - from) ? address : 0;
    }

    private static long mix(final long h, final long value) {
        long v = value * 0x87C37B91114253D5L;
        v = Long.rotateLeft(v, 31) * 0x4CF5AD432745937FL;
        return Long.rotateLeft(h ^ v, 27) * 5 + 0x52DCE729;
    }

    /**
     * Reads one record into a slot; a dictionary record is handed to the reader's names.
     *
     * @param bytes of the document.
     * @param slot  to fill for an event, sample or price change.
     * @param names the reader's names, told of each dictionary record.
     * @return the record's kind (an {@link EventSlot} kind or {@link #KIND_DICT}).
     * @throws IllegalStateException if the record is of an unknown version or kind, or is cut short.
     * @throws UndecodableRecordException if a dictionary record's id is outside its dimension's limit.
     */
    static byte read(final Bytes<?> bytes, final EventSlot slot, final RecordNames names) {
        if (bytes.readRemaining() < 2) {
            throw new IllegalStateException("record of " + bytes.readRemaining() + " bytes is too short");
        }
        final byte version = bytes.readByte();
        if (version < VERSION_1 || version > VERSION) {
            throw new IllegalStateException("unknown journal record version " + version);
        }
        final byte recordKind = bytes.readByte();
        final byte kind = recordKind == KIND_SAMPLED ? EventSlot.KIND_EVENT
            : recordKind == KIND_WEIGHTED_METRIC ? EventSlot.KIND_METRIC : recordKind;
        switch (kind) {
            case EventSlot.KIND_EVENT:
                require(bytes, EVENT_FIXED_LENGTH - 2 - (version < 4 ? EVENT_V4_FIELDS_LENGTH : 0));
                slot.timestampMs = bytes.readLong();
                slot.model = bytes.readInt();
                slot.operation = bytes.readInt();
                slot.pipeline = bytes.readInt();
                slot.step = bytes.readInt();
                slot.run = bytes.readInt();
                slot.task = bytes.readInt();
                slot.config = bytes.readInt();
                slot.errorType = bytes.readInt();
                slot.latencyNs = bytes.readLong();
                slot.ttftNs = bytes.readLong();
                slot.queueWaitNs = bytes.readLong();
                slot.promptTokens = bytes.readLong();
                slot.completionTokens = bytes.readLong();
                slot.status = bytes.readByte();
                final int cache = bytes.readByte() & 0xFF;
                slot.cache = (byte)(cache & ~COST_PRICED_BIT);
                slot.costPriced = (cache & COST_PRICED_BIT) != 0;
                slot.retries = bytes.readInt();
                slot.memoryBytes = bytes.readLong();
                slot.cpuNs = bytes.readLong();
                slot.costUsd = bytes.readDouble();
                if (version >= 4) {
                    slot.provider = bytes.readInt();
                    slot.tool = bytes.readInt();
                    slot.agent = bytes.readInt();
                    slot.cachedTokens = bytes.readLong();
                    slot.cacheWriteTokens = bytes.readLong();
                    slot.reasoningTokens = bytes.readLong();
                } else {
                    slot.provider = 0;
                    slot.tool = 0;
                    slot.agent = 0;
                    slot.cachedTokens = dev.ringmeter.Event.NONE;
                    slot.cacheWriteTokens = dev.ringmeter.Event.NONE;
                    slot.reasoningTokens = dev.ringmeter.Event.NONE;
                }
                final int q = count(bytes.readByte(), dev.ringmeter.Event.MAX_QUALITY);
                require(bytes, q * 12 + 1);
                for (int i = 0; i < q; i++) {
                    slot.qualityNames[i] = bytes.readInt();
                    slot.qualityValues[i] = bytes.readDouble();
                }
                slot.qualityCount = q;
                readTags(bytes, slot);
                slot.weight = 1;
                if (recordKind == KIND_SAMPLED) {
                    require(bytes, 4);
                    slot.weight = bytes.readInt();
                    if (slot.weight < 2 || slot.weight > dev.ringmeter.core.privacy.Sampling.MAX_EVERY) {
                        throw new IllegalStateException("bad sampled event weight " + slot.weight);
                    }
                }
                break;
            case EventSlot.KIND_METRIC:
                require(bytes, 8 + 4 + 8 + 1);
                slot.timestampMs = bytes.readLong();
                slot.metricName = bytes.readInt();
                slot.metricValue = bytes.readDouble();
                readTags(bytes, slot);
                slot.metricCount = 1;
                if (recordKind == KIND_WEIGHTED_METRIC) {
                    require(bytes, 8);
                    slot.metricCount = bytes.readLong();
                    if (slot.metricCount < 2 || slot.metricCount > dev.ringmeter.MetricSample.MAX_COUNT) {
                        throw new IllegalStateException("bad weighted metric count " + slot.metricCount);
                    }
                }
                break;
            case EventSlot.KIND_PRICE:
                require(bytes, 8 + 4 + 8 + 8);
                slot.timestampMs = bytes.readLong();
                slot.model = bytes.readInt();
                slot.priceInputUsdPerMillion = bytes.readDouble();
                slot.priceOutputUsdPerMillion = bytes.readDouble();
                break;
            case EventSlot.KIND_PRICE_ENTRY: {
                require(bytes, 8 + 8 + 8 + 1);
                slot.timestampMs = bytes.readLong();
                final long revision = bytes.readLong();
                final long id = bytes.readLong();
                dev.ringmeter.core.cost.PriceEntry entry = null;
                if (bytes.readBoolean()) {
                    require(bytes, 4);
                    final int length = bytes.readInt();
                    if (length < 0 || length > dev.ringmeter.core.cost.PriceBook.ENCODED_MAX_LENGTH) {
                        throw new IllegalStateException("bad price entry length " + length);
                    }
                    require(bytes, length);
                    final byte[] b = new byte[length];
                    bytes.read(b);
                    entry = dev.ringmeter.core.cost.PriceBook.decode(b, id, revision);
                }
                slot.priceChange = dev.ringmeter.core.cost.PriceChange.journaled(entry, id, revision);
                break;
            }
            case EventSlot.KIND_RECOMPUTE:
                require(bytes, 4 * 8);
                slot.timestampMs = bytes.readLong();
                final long fromMs = bytes.readLong();
                final long toMs = bytes.readLong();
                slot.recompute = dev.ringmeter.core.cost.RecomputeRequest.journaled(fromMs, toMs, bytes.readLong());
                break;
            case EventSlot.KIND_RUN:
                slot.runCommand = readRun(bytes);
                slot.timestampMs = slot.runCommand.timeMs();
                break;
            case EventSlot.KIND_ANOMALY: {
                final long start = bytes.readPosition();
                require(bytes, 8);
                slot.timestampMs = bytes.readLong();
                bytes.readPosition(start);
                slot.anomaly = readAnomaly(bytes);
                break;
            }
            case EventSlot.KIND_ALERT: {
                require(bytes, 8 + 4);
                slot.timestampMs = bytes.readLong();
                final int length = bytes.readInt();
                if (length < 1 || length > AlertCodec.MAX_ENCODED_BYTES) {
                    throw new IllegalStateException("bad alert record length " + length);
                }
                require(bytes, length);
                final byte[] body = new byte[length];
                bytes.read(body);
                slot.alertCommand = AlertCodec.decode(body, slot.timestampMs);
                break;
            }
            case KIND_DICT:
                require(bytes, 1 + 4 + 1);
                final int dimension = bytes.readByte();
                final int id = bytes.readInt();
                final String value = bytes.readUtf8();
                if (dimension < 0 || dimension >= Dimension.VALUES.length || value == null) {
                    throw new IllegalStateException("bad dictionary record for dimension " + dimension);
                }
                final Dimension d = Dimension.VALUES[dimension];
                if (!names.bind(d, id, value)) {
                    throw new UndecodableRecordException("a dictionary record binds " + d.optionName() + " id " + id
                        + ", outside 1 and the dimension's cardinality limit");
                }
                return KIND_DICT;
            default:
                throw new IllegalStateException("unknown journal record kind " + kind);
        }
        slot.kind = kind;
        slot.recordVersion = version;
        return kind;
    }

    /**
     * Finds an id of a record that its reader cannot name: one no dictionary record before it (nor the snapshot
     * the reader started from) binds, or one beyond its dimension's limit, or no metric name or priced model at all (an event need not name a
     * model: {@code dev.ringmeter.Operations}).
     *
     * @param slot  a record read by {@link #read}: an event, sample or price change.
     * @param names the reader's.
     * @return a description of the first such id, or null if the record decodes.
     */
    static String undecodable(final EventSlot slot, final RecordNames names) {
        final int v = slot.recordVersion;
        switch (slot.kind) {
            case EventSlot.KIND_EVENT:
                for (final Dimension d : Dimension.EVENT_FIELDS) {
                    final int id = idOf(slot, d);
                    if (id != 0 && !names.knows(d, id, v)) {
                        return unknown(d, id);
                    }
                }
                for (int i = 0; i < slot.qualityCount; i++) {
                    if (!names.knows(Dimension.QUALITY_NAME, slot.qualityNames[i], v)) {
                        return unknown(Dimension.QUALITY_NAME, slot.qualityNames[i]);
                    }
                }
                return undecodableTag(slot, names);
            case EventSlot.KIND_METRIC:
                if (!names.knows(Dimension.METRIC_NAME, slot.metricName, v)) {
                    return unknown(Dimension.METRIC_NAME, slot.metricName);
                }
                return undecodableTag(slot, names);
            case EventSlot.KIND_PRICE:
                return names.knows(Dimension.MODEL, slot.model, v) ? null : unknown(Dimension.MODEL, slot.model);
            default:
                return null;
        }
    }

    private static String undecodableTag(final EventSlot slot, final RecordNames names) {
        for (int i = 0; i < slot.tagCount; i++) {
            if (!names.knows(Dimension.TAG_KEY, slot.tagKeys[i], slot.recordVersion)) {
                return unknown(Dimension.TAG_KEY, slot.tagKeys[i]);
            }
            if (!names.knows(Dimension.TAG_VALUE, slot.tagValues[i], slot.recordVersion)) {
                return unknown(Dimension.TAG_VALUE, slot.tagValues[i]);
            }
        }
        return null;
    }

    private static String unknown(final Dimension d, final int id) {
        return "a record's " + d.optionName() + " id " + id + " has no name (no dictionary record before it in the"
            + " journal read and none in the snapshot started from; or it is beyond the dimension's ids, as when its"
            + " cardinality limit was lowered: then raise it back)";
    }

    /**
     * @param slot      an event.
     * @param dimension one of {@link Dimension#EVENT_FIELDS}.
     * @return the event's id of that dimension.
     */
    static int idOf(final EventSlot slot, final Dimension dimension) {
        return slot.id(dimension);
    }

    /** A record names an id its reader cannot decode; the reader decides what that means. */
    static final class UndecodableRecordException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        UndecodableRecordException(final String message) {
            super(message, null, false, false);
        }
    }

    private static void readTags(final Bytes<?> bytes, final EventSlot slot) {
        final int t = count(bytes.readByte(), dev.ringmeter.Event.MAX_TAGS);
        require(bytes, t * 8);
        for (int i = 0; i < t; i++) {
            slot.tagKeys[i] = bytes.readInt();
            slot.tagValues[i] = bytes.readInt();
        }
        slot.tagCount = t;
    }

    private static int count(final int count, final int max) {
        if (count < 0 || count > max) {
            throw new IllegalStateException("bad count " + count + " in record");
        }
        return count;
    }

    private static void require(final Bytes<?> bytes, final long length) {
        if (length < 0 || bytes.readRemaining() < length) {
            throw new IllegalStateException("record cut short: " + bytes.readRemaining() + " bytes left, "
                + length + " needed");
        }
    }
}
