package dev.kairos.sdk.generate;

/**
 * One event of a streamed generation, as the server sent it.
 *
 * @param text the text it adds (may be empty: a role chunk, a usage chunk)
 * @param data the event's JSON payload, unparsed, for fields beyond the text (usage, finish_reason)
 */
public record GenerationEvent(String text, String data) {}
