package dev.kairos.generative.runner;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * One model call for decoding sequences and prompt chunks together, on the committed gpt2-tiny
 * model: each row's logits equal those of its sequence computed alone, one step after another.
 */
class PagedDecoderTest {
  private static final Path DIR = Path.of("..", "examples", "models", "gpt2-tiny");
  private static final int BLOCK = 4;
  private static final int BLOCKS_PER_SEQUENCE = 12;

  /** A sequence with its own fixed blocks; {@code past} tokens are in the cache. */
  private static final class Row {
    final int[] tokens;
    final int[] blocks = new int[BLOCKS_PER_SEQUENCE];
    int past;

    Row(int index, int[] tokens) {
      this.tokens = tokens;
      for (int k = 0; k < blocks.length; k++) {
        blocks[k] = 1 + index * BLOCKS_PER_SEQUENCE + k;
      }
    }

    Chunk next(int n) {
      return new Chunk(Arrays.copyOfRange(tokens, past, past + n), past, blocks);
    }
  }

  @Test
  void shouldGiveEachRowOfAMixedStepTheLogitsOfItsSequenceAlone() throws Exception {
    List<int[]> sequences = sequences();
    // Alone: each sequence's first 7 tokens as one chunk, then one token per step.
    List<List<float[]>> alone = new ArrayList<>();
    try (PagedDecoder decoder = decoder()) {
      for (int i = 0; i < sequences.size(); i++) {
        Row row = new Row(i, sequences.get(i));
        List<float[]> logits = new ArrayList<>();
        logits.add(decoder.step(List.of(row.next(7)))[0]);
        row.past = 7;
        while (row.past < row.tokens.length) {
          logits.add(decoder.step(List.of(row.next(1)))[0]);
          row.past++;
        }
        alone.add(logits);
      }
    }
    try (PagedDecoder decoder = decoder()) {
      Row a = new Row(0, sequences.get(0));
      Row b = new Row(1, sequences.get(1));
      Row c = new Row(2, sequences.get(2));
      // Step 1: a and b prefill 7 tokens as two chunks.
      float[][] first = decoder.step(List.of(a.next(7), b.next(7)));
      assertClose(first[0], alone.get(0).get(0), "a prefill");
      assertClose(first[1], alone.get(1).get(0), "b prefill");
      a.past = 7;
      b.past = 7;
      // Then: b and a decode while c's prompt arrives as a chunk between them, in one call.
      float[][] mixed = decoder.step(List.of(b.next(1), c.next(7), a.next(1)));
      assertThat(mixed).hasNumberOfRows(3);
      assertClose(mixed[0], alone.get(1).get(1), "b decode");
      assertClose(mixed[1], alone.get(2).get(0), "c prefill");
      assertClose(mixed[2], alone.get(0).get(1), "a decode");
      a.past++;
      b.past++;
      c.past = 7;
      // Every row decodes; the keys and values the mixed call wrote must be the right ones.
      for (int step = 2; step < 5; step++) {
        float[][] decoded = decoder.step(List.of(c.next(1), a.next(1), b.next(1)));
        assertClose(decoded[0], alone.get(2).get(step - 1), "c decode " + step);
        assertClose(decoded[1], alone.get(0).get(step), "a decode " + step);
        assertClose(decoded[2], alone.get(1).get(step), "b decode " + step);
        a.past++;
        b.past++;
        c.past++;
      }
    }
  }

  private static PagedDecoder decoder() throws Exception {
    return new PagedDecoder(DIR.resolve("1/model.onnx"), 1 + 3 * BLOCKS_PER_SEQUENCE, BLOCK, 1);
  }

  /** Three of the goldens' prompts followed by their greedy continuations: 12 tokens each. */
  private static List<int[]> sequences() throws Exception {
    List<int[]> out = new ArrayList<>();
    JsonNode goldens =
        new ObjectMapper().readTree(Files.readString(DIR.resolve("golden/greedy.json")));
    for (JsonNode g : goldens) {
      List<Integer> ids = new ArrayList<>();
      g.get("prompt").forEach(n -> ids.add(n.asInt()));
      g.get("greedy").forEach(n -> ids.add(n.asInt()));
      if (ids.size() >= 12 && out.size() < 3) {
        out.add(ids.subList(0, 12).stream().mapToInt(Integer::intValue).toArray());
      }
    }
    return out;
  }

  private static void assertClose(float[] actual, float[] expected, String what) {
    assertThat(argmax(actual)).as(what + ": argmax").isEqualTo(argmax(expected));
    float worst = 0;
    for (int v = 0; v < expected.length; v++) {
      worst = Math.max(worst, Math.abs(actual[v] - expected[v]));
    }
    assertThat(worst).as(what + ": largest logit difference").isCloseTo(0f, within(1e-3f));
  }

  private static int argmax(float[] logits) {
    int best = 0;
    for (int v = 1; v < logits.length; v++) {
      if (logits[v] > logits[best]) {
        best = v;
      }
    }
    return best;
  }
}
