package dev.ringmeter.server.ingest;

import com.fasterxml.jackson.core.JsonParser;
import dev.ringmeter.InvalidEventException;
import dev.ringmeter.Tagged;
import dev.ringmeter.core.ingest.EventRules;
import dev.ringmeter.wire.FieldNames;

import java.io.IOException;
import java.util.List;

/**
 * Reads one object of the ingest API onto a reused item of a batch, strictly: a field that is not one of the
 * kind's fields, or one given twice, is refused, naming it; JSON null leaves a field absent. After the object, the
 * store's {@link EventRules} are applied to the item, the same rules the store applies to what is recorded in
 * process. A subclass says which item of the batch to fill, how to set each field, and which rules apply.
 * <p>
 * Threading: stateless after construction; any thread.
 *
 * @param <T> the kind of item: an event or a metric sample.
 */
abstract class ObjectReader<T> implements BatchReader.ItemReader {
    /** The fields by their names' hash, open addressing: a name is found with one hash (cached in the String). */
    private final String[] byHash;
    private final int[] indexByHash;
    private final String unknownField;

    /**
     * @param kind   the kind of item, for a refusal: "an event".
     * @param fields every field of the kind, as the wire names them; at most 32.
     */
    ObjectReader(final String kind, final List<String> fields) {
        if (fields.size() > Integer.SIZE) {
            throw new IllegalArgumentException("at most " + Integer.SIZE + " fields, not " + fields.size());
        }
        this.byHash = new String[4 * Integer.SIZE];
        this.indexByHash = new int[byHash.length];
        for (int i = 0; i < fields.size(); i++) {
            int slot = fields.get(i).hashCode() & (byHash.length - 1);
            while (byHash[slot] != null) {
                slot = (slot + 1) & (byHash.length - 1);
            }
            byHash[slot] = fields.get(i);
            indexByHash[slot] = i;
        }
        this.unknownField = "is not a field of " + kind + "; valid: " + String.join(", ", fields);
    }

    @Override
    public final void read(final JsonParser p, final IngestBatch batch, final int index) throws IOException {
        final T item = item(batch, index);
        final TextCache texts = batch.texts();
        int seen = 0;
        String name;
        while ((name = p.nextFieldName()) != null) {
            final int field = indexOf(name);
            if (field < 0) {
                throw new InvalidEventException(name, unknownField);
            }
            final int bit = 1 << field;
            if ((seen & bit) != 0) {
                throw new InvalidEventException(name, "appears twice");
            }
            seen |= bit;
            p.nextToken();
            if (FieldValues.isNull(p)) {
                continue;
            }
            field(p, item, name, texts);
        }
        check(item);
    }

    /** @return the field's index in the kind's fields, or -1 if it is none of them. */
    private int indexOf(final String name) {
        int slot = name.hashCode() & (byHash.length - 1);
        String field;
        while ((field = byHash[slot]) != null) {
            if (field.equals(name)) {
                return indexByHash[slot];
            }
            slot = (slot + 1) & (byHash.length - 1);
        }
        return -1;
    }

    /**
     * @param batch the batch.
     * @param index of the item.
     * @return the item of the batch to fill, reset.
     */
    abstract T item(IngestBatch batch, int index);

    /**
     * @param p    the parser, on the field's value, which is not null.
     * @param item to set the field of.
     * @param name  of the field, one of the kind's.
     * @param texts the batch's string values, to read a string value without making a String.
     * @throws IOException           from the parser.
     * @throws InvalidEventException naming the field if its value is bad.
     */
    abstract void field(JsonParser p, T item, String name, TextCache texts) throws IOException;

    /**
     * @param item as read.
     * @throws InvalidEventException if the item breaks one of the store's rules.
     */
    abstract void check(T item);

    /**
     * Reads a {@code tags} object into an event or a metric sample, refusing a key given twice.
     *
     * @param p    the parser, on the object's start.
     * @param item to add the tags to.
     * @throws IOException from the parser.
     */
    static void tags(final JsonParser p, final Tagged item) throws IOException {
        FieldValues.startObject(p, FieldNames.TAGS);
        String key;
        while ((key = p.nextFieldName()) != null) {
            for (int i = 0; i < item.tagCount(); i++) {
                if (item.tagKey(i).equals(key)) {
                    throw new InvalidEventException(FieldNames.member(FieldNames.TAGS, key), "appears twice");
                }
            }
            p.nextToken();
            item.tag(key, FieldValues.string(p, FieldNames.member(FieldNames.TAGS, key)));
        }
    }
}
