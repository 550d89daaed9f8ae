package dev.ringmeter.core.run;

import java.util.List;
import java.util.Map;

/**
 * One change to the runs, as it travels through the ring and the journal (record kind RUN): a run created, updated
 * or finished. Built by {@link Runs} on the caller's thread once {@link RunRules} accepted it, applied by the
 * {@link RunTable} on the aggregate thread, and read back from the journal at recovery; the journal's layout is in
 * {@code JournalDescriptor}.
 * <p>
 * Threading: immutable (its map and list are unmodifiable copies); any thread.
 *
 * @param op            what the command does.
 * @param runId         the run's id.
 * @param timeMs        the store's clock when the command was made, epoch ms.
 * @param name          CREATE: the run's name; UPDATE: the new name, or null to keep it.
 * @param parameters    CREATE: the configuration; UPDATE: parameters to set (merged over the run's), or null.
 * @param tags          CREATE: the tags; UPDATE: the new tags (replacing them), or null to keep them.
 * @param expectedTasks CREATE: the expected task count or {@link #NO_COUNT}; UPDATE: the new one or {@link #NO_COUNT}
 *                      to keep it.
 * @param status        FINISH: the final status; null otherwise.
 * @param reason        FINISH: why, or null.
 */
public record RunCommand(Op op, String runId, long timeMs, String name, Map<String, Object> parameters,
                         List<String> tags, long expectedTasks, RunStatus status, String reason) {
    /** An absent expected task count. */
    public static final long NO_COUNT = -1;

    /** What a command does; its code is its byte in the journal. */
    public enum Op {
        CREATE(1), UPDATE(2), FINISH(3);

        private final byte code;

        Op(final int code) {
            this.code = (byte)code;
        }

        /** @return the op's byte in the journal. */
        public byte code() {
            return code;
        }

        /**
         * @param code a byte from the journal.
         * @return the op, or null for an unknown byte.
         */
        public static Op of(final byte code) {
            for (final Op op : values()) {
                if (op.code == code) {
                    return op;
                }
            }
            return null;
        }
    }

    public RunCommand {
        parameters = parameters == null ? null : java.util.Collections.unmodifiableMap(
            new java.util.LinkedHashMap<>(parameters));
        tags = tags == null ? null : List.copyOf(tags);
    }
}
