package dev.kairos.generative.api;

import dev.kairos.generative.GenerationRequest;

/**
 * A validated API request: what the engine runs and how the answer is written.
 *
 * @param generation what the engine runs
 * @param stream whether the answer is a stream of events
 * @param includeUsage OpenAI's {@code stream_options.include_usage}: a last chunk with usage
 */
public record ParsedRequest(GenerationRequest generation, boolean stream, boolean includeUsage) {}
