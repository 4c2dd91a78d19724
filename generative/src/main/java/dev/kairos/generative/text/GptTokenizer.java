package dev.kairos.generative.text;

import com.knuddels.jtokkit.Encodings;
import com.knuddels.jtokkit.api.Encoding;
import com.knuddels.jtokkit.api.EncodingType;
import com.knuddels.jtokkit.api.IntArrayList;

/**
 * GPT-2's byte-level BPE ({@code r50k_base}), through JTokkit. Special tokens in user text are
 * encoded as ordinary text, as GPT-2's own encoder does: a prompt cannot forge an end of text.
 */
public final class GptTokenizer {
  /** GPT-2's {@code <|endoftext|>}. */
  public static final int END_OF_TEXT = 50256;

  private final Encoding encoding;

  private GptTokenizer(Encoding encoding) {
    this.encoding = encoding;
  }

  /** The tokenizer a {@code model.yaml} names; only {@code gpt2} (r50k_base) so far. */
  public static GptTokenizer named(String name) {
    if (!"gpt2".equals(name) && !"r50k_base".equals(name)) {
      throw new IllegalArgumentException(
          "tokenizer = '" + name + "', must be gpt2 (GPT-2's BPE, r50k_base)");
    }
    return new GptTokenizer(
        Encodings.newLazyEncodingRegistry().getEncoding(EncodingType.R50K_BASE));
  }

  public int[] encode(String text) {
    return encoding.encodeOrdinary(text).toArray();
  }

  /** The UTF-8 bytes of tokens; a token may end inside a multi-byte character. */
  public byte[] decodeBytes(int[] tokens, int from, int to) {
    IntArrayList list = new IntArrayList(to - from);
    for (int i = from; i < to; i++) {
      list.add(tokens[i]);
    }
    return encoding.decodeBytes(list);
  }
}
