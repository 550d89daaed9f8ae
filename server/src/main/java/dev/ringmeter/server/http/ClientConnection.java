package dev.ringmeter.server.http;

import io.javalin.http.Context;
import org.eclipse.jetty.ee10.servlet.ServletContextRequest;
import org.eclipse.jetty.io.EndPoint;
import org.eclipse.jetty.util.BufferUtil;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.function.BooleanSupplier;

/**
 * Whether the client of a request is still there, for work that takes long enough to be worth stopping when it is
 * not (a journal scan). While a request is handled Jetty does not read its connection, so it does not notice a
 * client that has closed it; the check reads the connection itself, without waiting: end of stream (or an error)
 * means the client has gone. A client that sends more while it waits (HTTP/1.1 pipelining, which no current
 * browser or common client does) would have a byte of its next request taken: the reply then closes the
 * connection, so that request fails cleanly rather than being misread.
 * <p>
 * Threading: the check is called from the request's thread, while it is handled.
 */
public final class ClientConnection {
    private ClientConnection() {
    }

    /**
     * @param ctx of the request.
     * @return true once the request's client has closed its connection; always false where Jetty's endpoint cannot
     * be reached.
     */
    public static BooleanSupplier goneCheck(final Context ctx) {
        final ServletContextRequest request = ServletContextRequest.getServletContextRequest(ctx.req());
        if (request == null) {
            return () -> false;
        }
        final EndPoint endPoint = request.getConnectionMetaData().getConnection().getEndPoint();
        final ByteBuffer probe = BufferUtil.allocate(1);
        return () -> {
            if (!endPoint.isOpen() || endPoint.isInputShutdown()) {
                return true;
            }
            try {
                final int read = endPoint.fill(probe);
                if (read > 0) {
                    BufferUtil.clear(probe);
                    ctx.header("Connection", "close");
                }
                return read < 0;
            } catch (final IOException e) {
                return true;
            }
        };
    }
}
