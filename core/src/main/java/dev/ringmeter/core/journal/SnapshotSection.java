package dev.ringmeter.core.journal;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInput;
import java.io.DataInputStream;
import java.io.DataOutput;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;

/**
 * A part of the snapshot kept as bytes (the runs, the alert state): captured on the aggregate writer's thread between
 * two batches, written length-prefixed by the snapshot thread, so the writer never waits for the disk and a reader
 * reads the part whole before it decodes it.
 * <p>
 * Threading: as the aggregates' image it is part of: captured by one thread, then written by another after a
 * hand-over that publishes it.
 */
public final class SnapshotSection {
    private final ByteArrayOutputStream bytes = new ByteArrayOutputStream(1 << 12);

    /** @return a stream to capture the section into, the previous capture dropped. */
    public DataOutputStream capture() {
        bytes.reset();
        return new DataOutputStream(bytes);
    }

    /**
     * @param out the snapshot.
     * @throws IOException if the write fails.
     */
    public void write(final DataOutput out) throws IOException {
        out.writeInt(bytes.size());
        bytes.writeTo(new OutputStream() {
            @Override
            public void write(final int b) throws IOException {
                out.write(b);
            }

            @Override
            public void write(final byte[] b, final int off, final int len) throws IOException {
                out.write(b, off, len);
            }
        });
    }

    /**
     * @param in   the snapshot, at a section {@link #write} wrote.
     * @param what the section's name, for the refusal.
     * @return the section's bytes to decode.
     * @throws IOException if its length is bad or the snapshot ends before it does.
     */
    public static DataInputStream read(final DataInput in, final String what) throws IOException {
        final int length = in.readInt();
        if (length < 0) {
            throw new IOException("a " + what + " section of " + length + " bytes");
        }
        final byte[] section = new byte[length];
        in.readFully(section);
        return new DataInputStream(new ByteArrayInputStream(section));
    }
}
