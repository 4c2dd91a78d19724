package dev.kairos.generative;

import dev.kairos.generative.sample.SamplingParams;
import java.util.List;

/**
 * One generation, as the engine sees it once an API adapter has tokenized and validated it.
 *
 * @param prompt token ids
 * @param maxTokens most tokens to generate
 * @param sampling how to pick tokens
 * @param stop stop sequences; the text ends before the first one found
 * @param ignoreEos keep going past the model's end-of-text token
 * @param deadlineNanos monotonic time after which the client no longer waits; Long.MAX_VALUE for
 *     none
 */
public record GenerationRequest(
    int[] prompt,
    int maxTokens,
    SamplingParams sampling,
    List<String> stop,
    boolean ignoreEos,
    long deadlineNanos) {
  public GenerationRequest {
    stop = List.copyOf(stop);
  }
}
