package dev.ringmeter.core.journal;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * One process per data directory: an exclusive file lock on {@code <data>/lock}, taken when a store opens and
 * released when it closes (or when its process dies: the operating system drops the lock with the process, so a
 * killed store never leaves a stale lock). The file holds the holder's pid, so a second store, in this process or
 * another, is refused with a message naming the directory and the holder.
 * <p>
 * Threading: acquired on the thread that opens the store, released by the one that closes it.
 */
public final class DataDirectoryLock implements AutoCloseable {
    public static final String FILE = "lock";

    private final FileChannel channel;
    private final FileLock lock;

    private DataDirectoryLock(final FileChannel channel, final FileLock lock) {
        this.channel = channel;
        this.lock = lock;
    }

    /**
     * @param dataDirectory to lock; created if absent.
     * @return the held lock.
     * @throws IllegalStateException naming the directory and the holder's pid if another store holds it.
     * @throws UncheckedIOException  if the lock file cannot be opened.
     */
    public static DataDirectoryLock acquire(final Path dataDirectory) {
        final Path file = dataDirectory.resolve(FILE);
        FileChannel channel = null;
        try {
            Files.createDirectories(dataDirectory);
            channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.READ,
                StandardOpenOption.WRITE);
            FileLock lock;
            try {
                lock = channel.tryLock();
            } catch (final OverlappingFileLockException e) {
                lock = null;   // held by a store of this process
            }
            if (lock == null) {
                final String holder = holder(channel);
                channel.close();
                throw new IllegalStateException("the data directory " + dataDirectory + " is in use by another store ("
                    + holder + "); stop it, or give this one another data directory");
            }
            final byte[] pid = (ProcessHandle.current().pid() + "\n").getBytes(StandardCharsets.US_ASCII);
            channel.truncate(0);
            channel.write(ByteBuffer.wrap(pid), 0);
            return new DataDirectoryLock(channel, lock);
        } catch (final IOException e) {
            closeQuietly(channel);
            throw new UncheckedIOException("cannot lock the data directory " + dataDirectory, e);
        }
    }

    private static String holder(final FileChannel channel) throws IOException {
        final ByteBuffer buffer = ByteBuffer.allocate(32);
        channel.read(buffer, 0);
        final String pid = new String(buffer.array(), 0, buffer.position(), StandardCharsets.US_ASCII).trim();
        if (pid.isEmpty()) {
            return "holder unknown";
        }
        try {
            return Long.parseLong(pid) == ProcessHandle.current().pid() ? "this process, pid " + pid : "pid " + pid;
        } catch (final NumberFormatException e) {
            return "holder unknown";
        }
    }

    private static void closeQuietly(final FileChannel channel) {
        if (channel != null) {
            try {
                channel.close();
            } catch (final IOException ignored) {
                // the original failure is what is reported
            }
        }
    }

    /** Releases the lock; the file stays, with the last holder's pid. Idempotent. */
    @Override
    public void close() {
        try {
            if (lock.isValid()) {
                lock.release();
            }
            channel.close();
        } catch (final IOException e) {
            throw new UncheckedIOException("cannot release the data directory lock", e);
        }
    }
}
