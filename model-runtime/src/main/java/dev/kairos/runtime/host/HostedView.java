package dev.kairos.runtime.host;

/**
 * One line of a host's index.
 *
 * @param key the model version
 * @param state {@code READY}, {@code LOADING} or {@code UNAVAILABLE} (its last load failed)
 * @param reason why it is unavailable, else null
 * @param footprint what it takes (reserved, while it loads), null when unavailable
 * @param inFlight requests admitted and not yet answered
 * @param idleMillis time since its last request
 */
public record HostedView(
    ModelKey key,
    String state,
    String reason,
    Footprint footprint,
    int inFlight,
    long idleMillis) {}
