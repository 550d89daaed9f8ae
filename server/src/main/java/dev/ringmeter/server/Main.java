package dev.ringmeter.server;

import dev.ringmeter.server.cli.RingmeterCommand;

/**
 * {@code java -jar ringmeter-server.jar [command] [options]} (or the {@code ringmeter} launcher): runs one command
 * of {@link RingmeterCommand}; with none, the server, which runs until the process is stopped (SIGTERM or Ctrl-C
 * close it cleanly). Ends the process with the command's exit code.
 */
public final class Main {
    private Main() {
    }

    /**
     * @param args the command line; --help lists the commands and the server's options.
     */
    public static void main(final String[] args) {
        final int code = RingmeterCommand.execute(args);
        if (code != RingmeterCommand.STOPPED_BY_SIGNAL) {
            System.exit(code);   // a command's own threads (HTTP client, Chronicle) must not keep the process alive
        }
    }
}
