package dev.ringmeter;

/**
 * Something that carries free tags: an {@link Event} or a {@link MetricSample}.
 */
public interface Tagged {
    /**
     * Adds a tag.
     *
     * @param key   of the tag.
     * @param value of the tag.
     * @return this.
     * @throws InvalidEventException if the key is empty, the value null, or the tags are full.
     */
    Tagged tag(String key, String value);

    /** @return the number of tags. */
    int tagCount();

    /**
     * @param index of the tag, less than {@link #tagCount()}.
     * @return its key.
     */
    String tagKey(int index);

    /**
     * @param index of the tag, less than {@link #tagCount()}.
     * @return its value.
     */
    String tagValue(int index);
}
