package dev.kairos.runtime.host;

/**
 * What a model version takes in its host's memory, measured at load.
 *
 * @param bytes the growth of the process's resident set over the load, never less than the
 *     artifact's size on disk
 * @param alone true when no other load or unload ran during the measurement; false when one did,
 *     and {@code bytes} may include some of its memory (an over-estimate, which errs towards
 *     evicting rather than running out of memory)
 */
public record Footprint(long bytes, boolean alone) {}
