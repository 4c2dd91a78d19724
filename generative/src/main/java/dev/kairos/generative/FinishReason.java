package dev.kairos.generative;

/** Why a sequence ended, spelled as the OpenAI API spells it. */
public enum FinishReason {
  /** The model's end-of-text token or a stop sequence. */
  STOP("stop"),
  /** {@code max_tokens} or the context length. */
  LENGTH("length");

  private final String wire;

  FinishReason(String wire) {
    this.wire = wire;
  }

  public String wire() {
    return wire;
  }
}
