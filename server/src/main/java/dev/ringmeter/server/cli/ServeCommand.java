package dev.ringmeter.server.cli;

import dev.ringmeter.server.RingmeterServer;
import dev.ringmeter.server.ServerConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine.Command;
import picocli.CommandLine.Unmatched;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

/**
 * {@code ringmeter serve [options]}, the default command: starts the server and runs until the process is stopped
 * (SIGTERM or Ctrl-C close it cleanly). Its options are {@link ServerConfig}'s, the one place that defines, parses
 * and lists them (with their {@code RINGMETER_*} variables), so picocli hands every argument over untouched.
 * <p>
 * Threading: runs on the main thread, which waits for the shutdown hook.
 */
@Command(name = ServeCommand.NAME, description = "Run the server (the default command); --help lists its options.")
final class ServeCommand implements Callable<Integer> {
    static final String NAME = "serve";

    @Unmatched
    List<String> args = new ArrayList<>();

    @Override
    public Integer call() {
        final ServerConfig config;
        try {
            config = ServerConfig.parse(args.toArray(new String[0]), System.getenv());
        } catch (final IllegalArgumentException e) {
            System.err.println("ringmeter serve: " + e.getMessage());
            System.err.println();
            System.err.print(ServerConfig.usage());
            return RingmeterCommand.EXIT_USAGE;
        }
        if (config.help()) {
            System.out.print(ServerConfig.usage());
            return RingmeterCommand.EXIT_OK;
        }
        final Logger log = LoggerFactory.getLogger(ServeCommand.class);
        final RingmeterServer server;
        try {
            server = RingmeterServer.start(config);
        } catch (final RuntimeException | Error e) {
            log.error("event=start-failed reason=\"{}\"", e.getMessage(), e);
            return RingmeterCommand.EXIT_FAILED;
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
        return RingmeterCommand.STOPPED_BY_SIGNAL;
    }
}
