package dev.ringmeter.core.run;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A run's typed parameters and tags in the snapshot; each value has a type byte, as in the journal's RUN record.
 * <pre>
 *  parameters: present:1 [count:4 (key:utf value)*]   value: 1 long:8 | 2 double:8 | 3 string:utf | 4 boolean:1
 *  tags:       present:1 [count:4 tag:utf*]
 * </pre>
 * <p>
 * Threading: stateless; any thread.
 */
public final class RunParameters {
    /** The type byte of a whole number, a number, a string and a boolean. */
    public static final byte LONG = 1;
    public static final byte DOUBLE = 2;
    public static final byte STRING = 3;
    public static final byte BOOLEAN = 4;

    private RunParameters() {
    }

    /**
     * @param value a parameter's value, as {@link RunRules} accepts it.
     * @return its type byte.
     */
    public static byte type(final Object value) {
        if (value instanceof Long) {
            return LONG;
        }
        if (value instanceof Double) {
            return DOUBLE;
        }
        if (value instanceof String) {
            return STRING;
        }
        if (value instanceof Boolean) {
            return BOOLEAN;
        }
        throw new IllegalArgumentException("not a parameter value: " + value);
    }

    /** What {@link #read} read. */
    record Read(Map<String, Object> parameters, List<String> tags) {
    }

    static void write(final DataOutput out, final Map<String, Object> parameters, final List<String> tags)
        throws IOException {
        out.writeBoolean(parameters != null);
        if (parameters != null) {
            out.writeInt(parameters.size());
            for (final Map.Entry<String, Object> p : parameters.entrySet()) {
                out.writeUTF(p.getKey());
                final Object v = p.getValue();
                final byte type = type(v);
                out.writeByte(type);
                switch (type) {
                    case LONG -> out.writeLong((Long)v);
                    case DOUBLE -> out.writeDouble((Double)v);
                    case STRING -> out.writeUTF((String)v);
                    default -> out.writeBoolean((Boolean)v);
                }
            }
        }
        out.writeBoolean(tags != null);
        if (tags != null) {
            out.writeInt(tags.size());
            for (final String t : tags) {
                out.writeUTF(t);
            }
        }
    }

    static Read read(final DataInput in) throws IOException {
        Map<String, Object> parameters = null;
        if (in.readBoolean()) {
            final int n = in.readInt();
            if (n < 0 || n > RunRules.MAX_PARAMETERS) {
                throw new IOException("a run with " + n + " parameters");
            }
            parameters = new LinkedHashMap<>();
            for (int i = 0; i < n; i++) {
                final String key = in.readUTF();
                final byte type = in.readByte();
                parameters.put(key, switch (type) {
                    case LONG -> in.readLong();
                    case DOUBLE -> in.readDouble();
                    case STRING -> in.readUTF();
                    case BOOLEAN -> in.readBoolean();
                    default -> throw new IOException("a run parameter of type " + type);
                });
            }
            parameters = Collections.unmodifiableMap(parameters);
        }
        List<String> tags = null;
        if (in.readBoolean()) {
            final int n = in.readInt();
            if (n < 0 || n > RunRules.MAX_TAGS) {
                throw new IOException("a run with " + n + " tags");
            }
            tags = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                tags.add(in.readUTF());
            }
            tags = List.copyOf(tags);
        }
        return new Read(parameters, tags);
    }
}
