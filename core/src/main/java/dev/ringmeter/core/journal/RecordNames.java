package dev.ringmeter.core.journal;

import dev.ringmeter.core.dictionary.Dimension;

/**
 * The names a journal reader knows: the dictionary records it has read (and, for recovery, the snapshot it started
 * from). A reader decodes each record with the names bound when it reads it, never with a later state.
 * <p>
 * Threading: one reader's; called on the reading thread only.
 */
interface RecordNames {
    /**
     * A dictionary record: from now on the id means the name.
     *
     * @param dimension of the value.
     * @param id        the record binds.
     * @param name      the value.
     * @return false if the id is outside 1 and the dimension's limit (nothing is bound).
     */
    boolean bind(Dimension dimension, int id, String name);

    /**
     * @param dimension of the value.
     * @param id        in a record (0 is not a name).
     * @param version   of the record ({@link JournalDescriptor#VERSION_1} or {@link JournalDescriptor#VERSION}).
     * @return whether the reader can name the id.
     */
    boolean knows(Dimension dimension, int id, int version);
}
