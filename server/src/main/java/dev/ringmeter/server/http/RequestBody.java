package dev.ringmeter.server.http;

import io.javalin.http.Context;
import org.eclipse.jetty.ee10.servlet.ServletContextRequest;
import org.eclipse.jetty.io.EndPoint;

import java.io.ByteArrayInputStream;
import java.io.EOFException;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * Reads the body of a write request, the same way for every write route: whole, into memory, before any permit is
 * taken, within a time bound and a byte limit, then hands it out inflated when it came with
 * {@code Content-Encoding: gzip}. A body past its limit is refused with 413 from its Content-Length, before anything
 * is read, or, without one (chunked), as soon as more than the limit has arrived; the limit applies to the inflated
 * body too, so a small compressed body cannot expand without bound. A body that has not wholly arrived within the
 * body timeout is refused with 408 and its connection closed, so a slow client holds a request thread for at most
 * that long, and never a write permit. A body that is not valid gzip is a malformed request (400), not a server
 * error; that refusal, and a 413 of the inflated body, are {@link ApiException}s thrown from {@code read()} of the
 * stream handed out, so a parser reading it passes them on as they are.
 * <p>
 * The buffer grows with the bytes that arrive, not with the declared length, so a client that declares a large body
 * and sends little holds little. The time bound is the connection's idle timeout, lowered before each read to what
 * is left of the bound and restored once the body is in (the server speaks HTTP/1.1 only, one request at a time
 * per connection).
 * <p>
 * Threading: one request's thread.
 */
public final class RequestBody {
    private static final int FIRST_BUFFER_BYTES = 16 * 1024;

    private RequestBody() {
    }

    /**
     * @param ctx       the request.
     * @param maxBytes  most bytes of the body, before and after inflating.
     * @param timeoutMs how long the whole body may take to arrive.
     * @return the body to read, held in memory.
     * @throws ApiException 413 for a body past the limit, 415 for an encoding other than gzip or identity, 408 for a
     *                      body that did not arrive in time.
     * @throws IOException  if the connection fails.
     */
    public static InputStream read(final Context ctx, final long maxBytes, final long timeoutMs) throws IOException {
        final long declared = ctx.req().getContentLengthLong();
        if (declared > maxBytes) {
            throw ApiException.tooLarge("request body of " + declared + " bytes is larger than " + maxBytes
                + " bytes");
        }
        final String encoding = ctx.header("Content-Encoding");
        final boolean gzip = encoding != null && encoding.equalsIgnoreCase("gzip");
        if (!gzip && encoding != null && !encoding.isBlank() && !encoding.equalsIgnoreCase("identity")) {
            throw ApiException.unsupportedMediaType("Content-Encoding must be gzip or identity, not " + encoding);
        }
        final InputStream body = readWithin(ctx, declared, maxBytes, timeoutMs);
        return gzip ? new Bounded(new Gzip(body), maxBytes) : body;
    }

    private static InputStream readWithin(final Context ctx, final long declared, final long maxBytes,
                                          final long timeoutMs) throws IOException {
        final EndPoint endPoint = ServletContextRequest.getServletContextRequest(ctx.req()).getConnectionMetaData()
            .getConnection().getEndPoint();
        final long idleTimeoutMs = endPoint.getIdleTimeout();
        final long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMs);
        final InputStream in = new Bounded(ctx.req().getInputStream(), maxBytes);
        final long capacity = declared >= 0 ? declared : maxBytes + 1;   // one past the limit: Bounded refuses it
        byte[] buffer = new byte[(int)Math.min(capacity, FIRST_BUFFER_BYTES)];
        int length = 0;
        try {
            while (length < declared || declared < 0) {
                final long leftMs = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
                if (leftMs <= 0) {
                    throw timedOut(timeoutMs, length);
                }
                endPoint.setIdleTimeout(idleTimeoutMs > 0 ? Math.min(idleTimeoutMs, leftMs) : leftMs);
                if (length == buffer.length) {
                    buffer = Arrays.copyOf(buffer, (int)Math.min(2L * length, capacity));
                }
                final int n;
                try {
                    n = in.read(buffer, length, buffer.length - length);
                } catch (final IOException e) {
                    if (timeout(e)) {
                        throw timedOut(timeoutMs, length);
                    }
                    throw e;
                }
                if (n < 0) {
                    break;
                }
                length += n;
            }
        } finally {
            endPoint.setIdleTimeout(idleTimeoutMs);
        }
        return new Bytes(buffer, length);
    }

    /**
     * A body held in memory whose bytes a reader may also take in place, before reading any of them as a stream.
     * <p>
     * Threading: the request's thread, as any stream.
     */
    public static final class Bytes extends ByteArrayInputStream {
        Bytes(final byte[] buffer, final int length) {
            super(buffer, 0, length);
        }

        /** @return the array that holds the body, from {@link #position()} to {@link #end()}; not a copy. */
        public byte[] array() {
            return buf;
        }

        /** @return the index of the next byte the stream would read. */
        public int position() {
            return pos;
        }

        /** @return the index past the body's last byte. */
        public int end() {
            return count;
        }
    }

    private static boolean timeout(final Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof TimeoutException) {
                return true;
            }
        }
        return false;
    }

    private static ApiException timedOut(final long timeoutMs, final int received) {
        return ApiException.requestTimeout("the request body did not arrive within " + timeoutMs + " ms ("
            + received + " bytes received); send it whole, faster, or in smaller batches");
    }

    /** Counts the bytes read and refuses the body (413) as soon as they pass the limit. */
    private static final class Bounded extends FilterInputStream {
        private final long limit;
        private long read;

        private Bounded(final InputStream in, final long limit) {
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

        private void count(final long n) {
            read += n;
            if (read > limit) {
                throw ApiException.tooLarge("request body is larger than " + limit + " bytes");
            }
        }

        @Override
        public boolean markSupported() {
            return false;
        }
    }

    /** Inflates a gzip body, reading its header on the first read; a body that is not gzip is a 400. */
    private static final class Gzip extends FilterInputStream {
        private Gzip(final InputStream compressed) {
            super(compressed);
        }

        private InputStream inflater() throws IOException {
            if (!(in instanceof GZIPInputStream)) {
                in = new GZIPInputStream(in, 8192);
            }
            return in;
        }

        @Override
        public int read() throws IOException {
            try {
                return inflater().read();
            } catch (final ZipException | EOFException e) {
                throw notGzip(e);
            }
        }

        @Override
        public int read(final byte[] b, final int off, final int len) throws IOException {
            try {
                return inflater().read(b, off, len);
            } catch (final ZipException | EOFException e) {
                throw notGzip(e);
            }
        }

        private static ApiException notGzip(final IOException e) {
            return ApiException.malformed("body is not valid gzip: " + e.getMessage(), -1, null);
        }
    }
}
