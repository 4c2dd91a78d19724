package dev.kairos.generative.text;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * Turns generated tokens into text deltas and watches for stop sequences.
 *
 * <p>A token can end inside a UTF-8 character, so only whole characters are released. Text that
 * could be the start of a stop sequence is held back until it is known not to be one: a client
 * never sees any part of a stop sequence.
 */
public final class TextStream {
  private final GptTokenizer tokenizer;
  private final List<String> stops;
  private int[] tokens = new int[16];
  private int count;
  private String text = "";
  private int released;
  private boolean stopped;

  public TextStream(GptTokenizer tokenizer, List<String> stops) {
    this.tokenizer = tokenizer;
    this.stops = List.copyOf(stops);
  }

  /** Adds a token; returns the text now safe to release (possibly empty). */
  public String add(int token) {
    if (count == tokens.length) {
      tokens = java.util.Arrays.copyOf(tokens, count * 2);
    }
    tokens[count++] = token;
    text = decodeWhole(tokenizer.decodeBytes(tokens, 0, count));
    int end = text.length();
    for (String stop : stops) {
      int at = text.indexOf(stop, Math.max(0, released - stop.length()));
      if (at >= 0 && at < end) {
        end = at;
        stopped = true;
      }
    }
    if (!stopped) {
      end -= heldBack(text);
    }
    return release(Math.max(end, released));
  }

  /** Whether a stop sequence appeared; the text before it has been released. */
  public boolean stopped() {
    return stopped;
  }

  /** At the end of a sequence that did not stop: the text held back for a stop that never came. */
  public String flush() {
    return stopped ? "" : release(text.length());
  }

  private String release(int end) {
    String delta = text.substring(released, end);
    released = end;
    return delta;
  }

  /** Length of the longest suffix of {@code s} that begins some stop sequence. */
  private int heldBack(String s) {
    int hold = 0;
    for (String stop : stops) {
      for (int k = Math.min(stop.length() - 1, s.length()); k > hold; k--) {
        if (s.endsWith(stop.substring(0, k))) {
          hold = k;
          break;
        }
      }
    }
    return hold;
  }

  /** Decodes the longest prefix of whole UTF-8 characters; invalid bytes become U+FFFD. */
  private static String decodeWhole(byte[] bytes) {
    int end = bytes.length;
    // Drop an incomplete trailing character (at most 3 bytes of a 4-byte sequence).
    for (int back = 1; back <= Math.min(3, bytes.length); back++) {
      int b = bytes[bytes.length - back] & 0xFF;
      if ((b & 0xC0) == 0x80) {
        continue;
      }
      int need = b >= 0xF0 ? 4 : b >= 0xE0 ? 3 : b >= 0xC0 ? 2 : 1;
      if (need > back) {
        end = bytes.length - back;
      }
      break;
    }
    CharsetDecoder decoder =
        StandardCharsets.UTF_8
            .newDecoder()
            .onMalformedInput(CodingErrorAction.REPLACE)
            .onUnmappableCharacter(CodingErrorAction.REPLACE);
    try {
      CharBuffer chars = decoder.decode(ByteBuffer.wrap(bytes, 0, end));
      return chars.toString();
    } catch (CharacterCodingException e) {
      throw new IllegalStateException(e);
    }
  }
}
