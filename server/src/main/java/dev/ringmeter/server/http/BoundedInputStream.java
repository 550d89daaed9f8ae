package dev.ringmeter.server.http;

import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;

/**
 * Reads a request body and fails with {@link TooLargeException} as soon as more than the limit has arrived, so a
 * body without a Content-Length (chunked) is refused after the limit, not after it has all been read.
 * <p>
 * Threading: one request's thread.
 */
public final class BoundedInputStream extends FilterInputStream {
    private final long limit;
    private long read;

    /** The body passed the limit. */
    public static final class TooLargeException extends IOException {
        private static final long serialVersionUID = 1L;

        TooLargeException(final long limit) {
            super("request body is larger than " + limit + " bytes", null);
        }
    }

    /**
     * @param in    the body.
     * @param limit most bytes allowed.
     */
    public BoundedInputStream(final InputStream in, final long limit) {
        super(in);
        this.limit = limit;
    }

    @Override
    public int read() throws IOException {
        final int b = super.read();
        if (b >= 0) {
            count(1);
        }
        return b;
    }

    @Override
    public int read(final byte[] b, final int off, final int len) throws IOException {
        final int n = super.read(b, off, len);
        if (n > 0) {
            count(n);
        }
        return n;
    }

    @Override
    public long skip(final long n) throws IOException {
        final long skipped = super.skip(n);
        count(skipped);
        return skipped;
    }

    private void count(final long n) throws TooLargeException {
        read += n;
        if (read > limit) {
            throw new TooLargeException(limit);
        }
    }

    @Override
    public boolean markSupported() {
        return false;
    }
}
