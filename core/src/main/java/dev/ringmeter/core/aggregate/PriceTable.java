package dev.ringmeter.core.aggregate;

import dev.ringmeter.Event;
import dev.ringmeter.core.ingest.EventSlot;

import java.io.DataInput;
import java.io.DataOutput;
import java.io.IOException;
import java.util.Arrays;

/**
 * The store's one price table: USD per million input and output tokens of each model, by model id, and the one
 * cost formula ({@link #costUsd(long, long, double, double)}).
 * <p>
 * <b>Threading: one writer, any number of readers.</b> The writer is the ring's first consumer: the
 * {@code JournalHandler} of a store with a data directory, else the {@link AggregateHandler}; before the ring
 * starts, the thread that opens the store (snapshot load and journal replay), which hands over to the consumer by
 * starting its thread. A change copies the table and publishes the copy through a volatile field (price changes
 * are rare, a copy per change costs nothing that matters), so a reader on any thread sees a whole table without a
 * lock, and the writer's own reads allocate nothing.
 * <p>
 * <b>One cost per event.</b> The writer calls {@link #stamp(EventSlot)} for every slot in ring order: a price
 * record sets its model's price, and an event that carries no cost of its own is given its cost from the table as
 * it stands at the event's place in the ring. The slot then carries that cost to every later consumer and into its
 * journal record; nothing downstream prices an event again, and a replayed record keeps the cost it was journaled
 * with.
 * <p>
 * <b>Snapshots.</b> The snapshot is written by the aggregate thread, which trails the writer, so the table it
 * holds may already include price records journaled after the snapshot's index. Recovery replays those records
 * again ({@link #set} is idempotent: after the tail, each model has the price of its last record in the journal)
 * and does not re-price the tail's events (their records carry their costs), so snapshot plus tail gives the same
 * table and aggregates as a full replay. The one difference: a price change the writer applied but whose journal
 * document was never closed (a crash in between, or a failed journal write) can be in a snapshot without being in
 * the journal. Such a change was never acknowledged (a flush after it did not return true); keeping it is more
 * than was promised, never less.
 */
public final class PriceTable {
    private static final State EMPTY = new State(new double[0], new double[0], new boolean[0]);

    private volatile State state = EMPTY;

    /** One immutable version of the table. */
    private static final class State {
        final double[] inputUsdPerMillion;
        final double[] outputUsdPerMillion;
        final boolean[] known;

        State(final double[] inputUsdPerMillion, final double[] outputUsdPerMillion, final boolean[] known) {
            this.inputUsdPerMillion = inputUsdPerMillion;
            this.outputUsdPerMillion = outputUsdPerMillion;
            this.known = known;
        }

        boolean has(final int model) {
            return model >= 0 && model < known.length && known[model];
        }
    }

    /**
     * The cost formula: what a call costs at a price.
     *
     * @param promptTokens        input tokens, or {@link Event#NONE}.
     * @param completionTokens    output tokens, or {@link Event#NONE}.
     * @param inputUsdPerMillion  USD per million input tokens.
     * @param outputUsdPerMillion USD per million output tokens.
     * @return the cost in USD.
     */
    static double costUsd(final long promptTokens, final long completionTokens,
                          final double inputUsdPerMillion, final double outputUsdPerMillion) {
        final long in = promptTokens == Event.NONE ? 0 : promptTokens;
        final long out = completionTokens == Event.NONE ? 0 : completionTokens;
        return (in * inputUsdPerMillion + out * outputUsdPerMillion) / 1_000_000.0;
    }

    /**
     * Writer only: a price record sets its model's price; an event without a cost of its own gets its cost from the
     * table (NaN if its model has no price). Other slots are left alone. Allocates only on a price change.
     *
     * @param slot the next slot in ring order.
     */
    public void stamp(final EventSlot slot) {
        if (slot.kind == EventSlot.KIND_EVENT) {
            if (slot.costUsd != slot.costUsd) {
                final State s = state;
                final int m = slot.model;
                slot.costUsd = s.has(m)
                    ? costUsd(slot.promptTokens, slot.completionTokens, s.inputUsdPerMillion[m],
                    s.outputUsdPerMillion[m])
                    : Double.NaN;
            }
        } else if (slot.kind == EventSlot.KIND_PRICE) {
            set(slot.model, slot.priceInputUsdPerMillion, slot.priceOutputUsdPerMillion);
        }
    }

    /**
     * Writer only: sets the price of a model, publishing a new version of the table.
     *
     * @param model               id.
     * @param inputUsdPerMillion  USD per million input tokens.
     * @param outputUsdPerMillion USD per million output tokens.
     */
    void set(final int model, final double inputUsdPerMillion, final double outputUsdPerMillion) {
        final State s = state;
        final int n = Math.max(s.known.length, model + 1);
        final State next = new State(Arrays.copyOf(s.inputUsdPerMillion, n), Arrays.copyOf(s.outputUsdPerMillion, n),
            Arrays.copyOf(s.known, n));
        next.inputUsdPerMillion[model] = inputUsdPerMillion;
        next.outputUsdPerMillion[model] = outputUsdPerMillion;
        next.known[model] = true;
        state = next;
    }

    /**
     * Any thread.
     *
     * @param model id.
     * @return {input, output} USD per million tokens, or null if the model has no price.
     */
    double[] price(final int model) {
        final State s = state;
        return s.has(model) ? new double[] {s.inputUsdPerMillion[model], s.outputUsdPerMillion[model]} : null;
    }

    /**
     * Writes the table to a snapshot: any thread, one consistent version.
     *
     * @param out to write to.
     * @throws IOException if the write fails.
     */
    void write(final DataOutput out) throws IOException {
        final State s = state;
        int n = 0;
        for (final boolean k : s.known) {
            n += k ? 1 : 0;
        }
        out.writeInt(n);
        for (int m = 0; m < s.known.length; m++) {
            if (s.known[m]) {
                out.writeInt(m);
                out.writeDouble(s.inputUsdPerMillion[m]);
                out.writeDouble(s.outputUsdPerMillion[m]);
            }
        }
    }

    /**
     * Reads a table written by {@link #write}: the writer, before the ring starts.
     *
     * @param in to read from.
     * @throws IOException if the read fails or the data is bad.
     */
    void read(final DataInput in) throws IOException {
        final int n = in.readInt();
        if (n < 0 || n > 10_000_000) {
            throw new IOException("bad price count " + n);
        }
        for (int i = 0; i < n; i++) {
            final int model = in.readInt();
            if (model <= 0 || model > 10_000_000) {
                throw new IOException("bad priced model id " + model);
            }
            set(model, in.readDouble(), in.readDouble());
        }
    }
}
