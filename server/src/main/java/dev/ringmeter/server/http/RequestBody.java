package dev.ringmeter.server.http;

import io.javalin.http.Context;

import java.io.EOFException;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * Opens the body of a write request, the same way for every write route: bounded to a limit, and inflated when it
 * comes with {@code Content-Encoding: gzip}. A body past its limit is refused with 413 from its Content-Length,
 * before anything is read, or, without one (chunked), as soon as more than the limit has arrived; the limit applies
 * to the inflated body too, so a small compressed body cannot expand without bound. A body that is not valid gzip
 * is a malformed request (400), not a server error. Both refusals are {@link ApiException}s thrown from
 * {@code read()}, so a parser reading the body passes them on as they are.
 * <p>
 * Threading: one request's thread.
 */
public final class RequestBody {
    private RequestBody() {
    }

    /**
     * @param ctx      the request.
     * @param maxBytes most bytes of the body, before and after inflating.
     * @return the body to read.
     * @throws ApiException 413 for a declared length past the limit, 415 for an encoding other than gzip or identity.
     */
    public static InputStream open(final Context ctx, final long maxBytes) {
        final long declared = ctx.req().getContentLengthLong();
        if (declared > maxBytes) {
            throw ApiException.tooLarge("request body of " + declared + " bytes is larger than " + maxBytes
                + " bytes");
        }
        final InputStream body = new Bounded(ctx.bodyInputStream(), maxBytes);
        final String encoding = ctx.header("Content-Encoding");
        if (encoding == null || encoding.isBlank() || encoding.equalsIgnoreCase("identity")) {
            return body;
        }
        if (!encoding.equalsIgnoreCase("gzip")) {
            throw ApiException.unsupportedMediaType("Content-Encoding must be gzip or identity, not " + encoding);
        }
        return new Bounded(new Gzip(body), maxBytes);
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
