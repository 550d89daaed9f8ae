package dev.ringmeter.server;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.CountDownLatch;

/**
 * {@code java -jar ringmeter-server.jar [options]}: parses the options (flags, then RINGMETER_* environment
 * variables), starts the server and runs until the process is stopped (SIGTERM or Ctrl-C close it cleanly).
 */
public final class Main {
    private Main() {
    }

    /**
     * @param args the command line; --help lists the options.
     */
    public static void main(final String[] args) {
        final ServerConfig config;
        try {
            config = ServerConfig.parse(args, System.getenv());
        } catch (final IllegalArgumentException e) {
            System.err.println("ringmeter-server: " + e.getMessage());
            System.err.println();
            System.err.print(ServerConfig.usage());
            System.exit(2);
            return;
        }
        if (config.help()) {
            System.out.print(ServerConfig.usage());
            return;
        }
        final Logger log = LoggerFactory.getLogger(Main.class);
        final RingmeterServer server;
        try {
            server = RingmeterServer.start(config);
        } catch (final RuntimeException | Error e) {
            log.error("event=start-failed reason=\"{}\"", e.getMessage(), e);
            System.exit(1);
            return;
        }
        final CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            server.close();
            stopped.countDown();
        }, "ringmeter-shutdown"));
        try {
            stopped.await();
        } catch (final InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
