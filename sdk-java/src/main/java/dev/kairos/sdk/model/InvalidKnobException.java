package dev.kairos.sdk.model;

/**
 * A configuration knob (scaling, batching) has a value its rule rejects. The message names the
 * knob, the value and the rule, e.g. {@code maxScaleUpRate = 0.5, must be > 1.0}; callers add where
 * it came from (a file, an admin request, a command line).
 */
public final class InvalidKnobException extends IllegalArgumentException {
  private final String knob;
  private final String value;
  private final String rule;

  public InvalidKnobException(String knob, Object value, String rule) {
    super(knob + " = " + value + ", " + rule);
    this.knob = knob;
    this.value = String.valueOf(value);
    this.rule = rule;
  }

  /** The knob's name as written in {@code model.yaml}, e.g. {@code maxScaleUpRate}. */
  public String knob() {
    return knob;
  }

  /** The rejected value as given. */
  public String value() {
    return value;
  }

  /** The rule it breaks, e.g. {@code must be > 1.0}. */
  public String rule() {
    return rule;
  }

  /** The message without the knob's name: {@code = 0.5, must be > 1.0}. */
  public String problem() {
    return "= " + value + ", " + rule;
  }

  @Override
  public synchronized Throwable fillInStackTrace() {
    return this;
  }
}
