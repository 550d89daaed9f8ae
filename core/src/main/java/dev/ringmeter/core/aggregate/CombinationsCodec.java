package dev.ringmeter.core.aggregate;

import dev.ringmeter.Event;
import dev.ringmeter.core.dictionary.Dimension;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;

/**
 * The snapshot layout of the in-memory comparisons ({@link Combinations}), at the end of the aggregates from snapshot
 * version 4 on:
 * <pre>
 *  fields:4 (name:string)* tags:4 completeFromMs:8 | combinations:4 combination* | overflow:combination
 *  combination: ids:(fields + 1 + 2 x tags) x 4 (the fields' ids, the status, tag key and value ids)
 *               | names:(fields + 2 x tags) x string | retired:1 | newestMs:8
 *               | per tier (5 min, 1 h): buckets:4 (index:4 bucket)*   (bucket: see BucketCodec)
 *  string:      length:4 (-1 for null) UTF-8 bytes
 * </pre>
 * The fields are written by name, so a snapshot of a version that keyed combinations by fewer fields is read with
 * the missing ones absent (id 0). A combination whose ids the dictionary read before it names otherwise than its
 * names (an id given to another value) is read as retired.
 * <p>
 * Threading: stateless; writes an image no writer changes, reads into empty combinations before the ring starts.
 */
final class CombinationsCodec {
    private CombinationsCodec() {
    }

    static void write(final DataOutput out, final Combinations image) throws IOException {
        out.writeInt(Combinations.FIELDS.length);
        for (final Dimension d : Combinations.FIELDS) {
            AggregatesCodec.writeString(out, d.field());
        }
        out.writeInt(Event.MAX_TAGS);
        out.writeLong(image.completeFromMs);
        out.writeInt(image.count);
        for (int i = 0; i < image.count; i++) {
            write(out, image.all[i]);
        }
        write(out, image.overflow);
    }

    private static void write(final DataOutput out, final Combinations.Combination c) throws IOException {
        for (final int id : c.key) {
            out.writeInt(id);
        }
        for (final String name : c.names) {
            AggregatesCodec.writeString(out, name);
        }
        out.writeBoolean(c.retired || c.isFree);
        out.writeLong(c.newestMs);
        for (final Bucket[] ring : c.rings) {
            int n = 0;
            for (final Bucket b : ring) {
                n += b != null ? 1 : 0;
            }
            out.writeInt(n);
            for (int i = 0; i < ring.length; i++) {
                if (ring[i] != null) {
                    out.writeInt(i);
                    BucketCodec.write(ring[i], out);
                }
            }
        }
    }

    static void read(final DataInput in, final Combinations into, final int maxStringLength, final int snapshot)
        throws IOException {
        final int fields = in.readInt();
        if (fields < 0 || fields > Dimension.VALUES.length) {
            throw new IOException("bad combination field count " + fields);
        }
        final int[] at = new int[fields];
        for (int f = 0; f < fields; f++) {
            final String name = AggregatesCodec.readString(in, maxStringLength);
            at[f] = -1;
            for (int k = 0; k < Combinations.FIELDS.length; k++) {
                if (Combinations.FIELDS[k].field().equals(name)) {
                    at[f] = k;
                }
            }
        }
        final int tags = in.readInt();
        if (tags < 0 || tags > Event.MAX_TAGS) {
            throw new IOException("bad combination tag count " + tags);
        }
        into.completeFromMs = in.readLong();
        final int count = in.readInt();
        if (count < 0 || count > 100_000_000) {
            throw new IOException("bad combination count " + count);
        }
        final Combinations.Combination scratch = new Combinations.Combination();
        for (int i = 0; i < count; i++) {
            read(in, scratch, into, at, tags, maxStringLength, snapshot);
            if (scratch.newestMs != Long.MIN_VALUE) {
                into.restore(scratch);
            }
        }
        read(in, into.overflow, into, at, tags, maxStringLength, snapshot);
    }

    private static void read(final DataInput in, final Combinations.Combination c, final Combinations into,
                             final int[] at, final int tags, final int maxStringLength, final int snapshot)
        throws IOException {
        java.util.Arrays.fill(c.key, 0);
        java.util.Arrays.fill(c.names, null);
        for (int f = 0; f < at.length; f++) {
            final int id = in.readInt();
            if (at[f] >= 0) {
                c.key[at[f]] = id;
            }
        }
        c.key[Combinations.FIELDS.length] = in.readInt();
        for (int t = 0; t < 2 * tags; t++) {
            c.key[Combinations.FIELDS.length + 1 + t] = in.readInt();
        }
        for (int f = 0; f < at.length; f++) {
            final String name = AggregatesCodec.readString(in, maxStringLength);
            if (at[f] >= 0) {
                c.names[at[f]] = name;
            }
        }
        for (int t = 0; t < 2 * tags; t++) {
            c.names[Combinations.FIELDS.length + t] = AggregatesCodec.readString(in, maxStringLength);
        }
        c.retired = in.readBoolean();
        c.newestMs = in.readLong();
        for (int t = 0; t < c.rings.length; t++) {
            final Bucket[] ring = c.rings[t];
            java.util.Arrays.fill(ring, null);
            final int n = in.readInt();
            if (n < 0 || n > ring.length) {
                throw new IOException("bad combination bucket count " + n);
            }
            for (int k = 0; k < n; k++) {
                final int index = in.readInt();
                if (index < 0 || index >= ring.length) {
                    throw new IOException("bad combination bucket index " + index);
                }
                final Bucket b = into.cow.newBucket(Measures.longCounts(Combinations.WIDTHS_MS[t]));
                BucketCodec.read(in, b, snapshot);
                ring[index] = b;
            }
        }
    }
}
