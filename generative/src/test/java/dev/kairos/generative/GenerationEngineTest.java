package dev.kairos.generative;

import static org.assertj.core.api.Assertions.assertThat;

import dev.kairos.generative.TinyModel.Collected;
import dev.kairos.generative.TinyModel.Golden;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The engine on the committed gpt2-tiny model, against torch's greedy continuations. */
class GenerationEngineTest {

  @Test
  void shouldMatchTorchGreedyTokenForTokenAlone() throws Exception {
    try (GenerationEngine engine = TinyModel.engine(64, 4, 8, 512)) {
      for (Golden g : TinyModel.goldens()) {
        Collected out = new Collected();
        engine.submit(TinyModel.greedy(g.prompt(), g.greedy().length, List.of()), out);
        TinyModel.drain(engine);
        assertThat(out.ids()).as(g.text()).containsExactly(g.greedy());
        assertThat(out.done).isCompletedWithValue(FinishReason.LENGTH);
        assertThat(out.usage.completionTokens()).isEqualTo(g.greedy().length);
      }
      assertThat(engine.stats().blocksUsed.get()).isZero();
    }
  }

  @Test
  void shouldGiveTheSameGreedyOutputInsideABusyBatchWithChunkedPrefill() throws Exception {
    List<Golden> goldens = TinyModel.goldens();
    try (GenerationEngine engine = TinyModel.engine(512, 4, 32, 7)) {
      List<Collected> outs = new ArrayList<>();
      for (Golden g : goldens) {
        Collected out = new Collected();
        outs.add(out);
        engine.submit(TinyModel.greedy(g.prompt(), g.greedy().length, List.of()), out);
        engine.step(); // arrivals spread over steps: each joins a batch already running
      }
      TinyModel.drain(engine);
      for (int i = 0; i < goldens.size(); i++) {
        assertThat(outs.get(i).ids())
            .as(goldens.get(i).text())
            .containsExactly(goldens.get(i).greedy());
      }
      assertThat(engine.stats().preemptions.get()).isZero();
    }
  }

  @Test
  void shouldFinishPreemptedSequencesWithTheSameGreedyOutput() throws Exception {
    List<Golden> goldens = TinyModel.goldens();
    // 32 blocks of 4 tokens: one full context, far less than all sequences together need.
    try (GenerationEngine engine = TinyModel.engine(32, 4, 32, 64)) {
      List<Collected> outs = new ArrayList<>();
      for (Golden g : goldens) {
        Collected out = new Collected();
        outs.add(out);
        engine.submit(TinyModel.greedy(g.prompt(), g.greedy().length, List.of()), out);
      }
      TinyModel.drain(engine);
      for (int i = 0; i < goldens.size(); i++) {
        assertThat(outs.get(i).ids())
            .as(goldens.get(i).text())
            .containsExactly(goldens.get(i).greedy());
      }
      assertThat(engine.stats().preemptions.get()).isPositive();
      assertThat(engine.stats().blocksUsed.get()).isZero();
    }
  }

  @Test
  void shouldFreeTheBlocksOfACancelledSequence() throws Exception {
    Golden g = TinyModel.goldens().get(1);
    try (GenerationEngine engine = TinyModel.engine(64, 4, 8, 512)) {
      Collected out = new Collected();
      GenerationEngine.Handle handle =
          engine.submit(TinyModel.greedy(g.prompt(), g.greedy().length, List.of()), out);
      engine.step();
      engine.step();
      assertThat(engine.stats().blocksUsed.get()).isPositive();
      handle.cancel();
      engine.step();
      assertThat(engine.stats().blocksUsed.get()).isZero();
      assertThat(engine.stats().running.get()).isZero();
      assertThat(out.done).isNotDone();
      assertThat(out.tokens).hasSizeLessThan(g.greedy().length);
    }
  }

  @Test
  void shouldEndBeforeTheFirstStopSequenceAndNeverShowIt() throws Exception {
    Golden g = TinyModel.goldens().get(2);
    String full =
        new String(
            TinyModel.TOKENIZER.decodeBytes(g.greedy(), 0, g.greedy().length),
            java.nio.charset.StandardCharsets.UTF_8);
    String stop = full.substring(full.length() / 2, full.length() / 2 + 3);
    String expected = full.substring(0, full.indexOf(stop));
    try (GenerationEngine engine = TinyModel.engine(64, 4, 8, 512)) {
      Collected out = new Collected();
      engine.submit(TinyModel.greedy(g.prompt(), g.greedy().length, List.of(stop)), out);
      TinyModel.drain(engine);
      assertThat(out.done).isCompletedWithValue(FinishReason.STOP);
      assertThat(out.text.toString()).isEqualTo(expected);
      assertThat(out.usage.completionTokens()).isLessThan(g.greedy().length);
    }
  }

  @Test
  void shouldShareCachedPrefixBlocksAndKeepTheOutput() throws Exception {
    Golden g =
        TinyModel.goldens().stream().max((a, b) -> a.prompt().length - b.prompt().length).get();
    try (GenerationEngine engine = TinyModel.engine(64, 4, 8, 512)) {
      Collected first = new Collected();
      engine.submit(TinyModel.greedy(g.prompt(), g.greedy().length, List.of()), first);
      TinyModel.drain(engine);
      assertThat(engine.stats().prefixHitTokens.get()).isZero();

      Collected again = new Collected();
      Collected alongside = new Collected();
      engine.submit(TinyModel.greedy(g.prompt(), g.greedy().length, List.of()), again);
      engine.submit(TinyModel.greedy(g.prompt(), 3, List.of()), alongside);
      engine.step();
      // Both hold the same cached full blocks of the prompt: fewer blocks than two copies.
      int promptBlocks = (g.prompt().length + 3) / 4;
      assertThat(engine.stats().blocksUsed.get()).isLessThan(2 * promptBlocks);
      TinyModel.drain(engine);
      int shared = (g.prompt().length - 1) / 4 * 4;
      assertThat(engine.stats().prefixHitTokens.get()).isEqualTo(2L * shared);
      assertThat(again.done).isCompletedWithValue(FinishReason.LENGTH);
      assertThat(again.ids()).containsExactly(g.greedy());
      assertThat(alongside.ids()).containsExactly(Arrays.copyOf(g.greedy(), 3));
    }
  }

  @Test
  void shouldAnswerBusyWhenTheQueueIsFullAndInvalidWhenTheContextIsExceeded() throws Exception {
    EngineConfig config = new EngineConfig(128, 4, 64, 2, 2, 64, 1);
    try (GenerationEngine engine =
        new GenerationEngine(
            "gpt2-tiny",
            config,
            new dev.kairos.generative.runner.PagedDecoder(
                TinyModel.DIR.resolve("1/model.onnx"), 65, 4, 1),
            TinyModel.TOKENIZER,
            new dev.kairos.sdk.time.ManualClock())) {
      int[] prompt = {1, 2, 3};
      engine.submit(TinyModel.greedy(prompt, 4, List.of()), new Collected());
      engine.submit(TinyModel.greedy(prompt, 4, List.of()), new Collected());
      org.assertj.core.api.Assertions.assertThatThrownBy(
              () -> engine.submit(TinyModel.greedy(prompt, 4, List.of()), new Collected()))
          .isInstanceOf(GenerationException.Busy.class)
          .hasMessageContaining("2 sequences already waiting");
      org.assertj.core.api.Assertions.assertThatThrownBy(
              () -> engine.submit(TinyModel.greedy(prompt, 126, List.of()), new Collected()))
          .isInstanceOf(GenerationException.InvalidRequest.class)
          .hasMessageContaining("exceeds the model's context length of 128");
      TinyModel.drain(engine);
      // Admitted sequences leave the queue: there is room again.
      engine.submit(TinyModel.greedy(prompt, 4, List.of()), new Collected());
    }
  }

  @Test
  void shouldEndAWaitingSequenceWhoseDeadlinePassed() throws Exception {
    dev.kairos.sdk.time.ManualClock clock = new dev.kairos.sdk.time.ManualClock();
    try (GenerationEngine engine =
        new GenerationEngine(
            "gpt2-tiny",
            new EngineConfig(128, 4, 64, 2, 8, 64, 1),
            new dev.kairos.generative.runner.PagedDecoder(
                TinyModel.DIR.resolve("1/model.onnx"), 65, 4, 1),
            TinyModel.TOKENIZER,
            clock)) {
      Collected late = new Collected();
      engine.submit(
          new GenerationRequest(
              new int[] {1, 2, 3},
              4,
              dev.kairos.generative.sample.SamplingParams.GREEDY,
              List.of(),
              true,
              clock.monotonicNanos() + 1_000_000),
          late);
      clock.advance(java.time.Duration.ofMillis(2));
      TinyModel.drain(engine);
      assertThat(late.done).isCompletedExceptionally();
      assertThat(late.tokens).isEmpty();
      assertThat(engine.stats().blocksUsed.get()).isZero();
    }
  }

  @Test
  void shouldAskTheGateBeforeEveryModelStepAndHandItBackAfter() throws Exception {
    List<int[]> passes = new ArrayList<>();
    java.util.concurrent.atomic.AtomicInteger open =
        new java.util.concurrent.atomic.AtomicInteger();
    StepGate gate =
        (sequences, tokens, estimated) -> {
          assertThat(open.getAndIncrement()).as("one step at a time").isZero();
          passes.add(new int[] {sequences, tokens});
          return open::decrementAndGet;
        };
    List<Golden> goldens = TinyModel.goldens().subList(0, 3);
    try (GenerationEngine engine =
        new GenerationEngine(
            "gpt2-tiny",
            new EngineConfig(128, 4, 64, 8, 64, 6, 1),
            new dev.kairos.generative.runner.PagedDecoder(
                TinyModel.DIR.resolve("1/model.onnx"), 65, 4, 1),
            TinyModel.TOKENIZER,
            new dev.kairos.sdk.time.ManualClock(),
            gate)) {
      List<Collected> outs = new ArrayList<>();
      int promptTokens = 0;
      for (Golden g : goldens) {
        Collected out = new Collected();
        outs.add(out);
        promptTokens += g.prompt().length;
        engine.submit(TinyModel.greedy(g.prompt(), 5, List.of()), out);
      }
      TinyModel.drain(engine);
      for (int i = 0; i < goldens.size(); i++) {
        assertThat(outs.get(i).ids()).containsExactly(Arrays.copyOf(goldens.get(i).greedy(), 5));
      }
      assertThat(open.get()).isZero();
      // Every token computed went through a pass; a pass holds one token per decoding sequence
      // and at most one prefill budget (6) of prompt tokens.
      assertThat(passes.stream().mapToInt(p -> p[1]).sum())
          .isEqualTo(promptTokens + goldens.size() * 4);
      assertThat(passes).allSatisfy(p -> assertThat(p[1]).isLessThanOrEqualTo(6 + p[0]));
    }
  }

  @Test
  void shouldDropOnlyTheSequenceWhoseSinkThrowsAndKeepServing() throws Exception {
    Golden g = TinyModel.goldens().get(1);
    try (GenerationEngine engine = TinyModel.engine(64, 4, 8, 512).start()) {
      Collected broken =
          new Collected() {
            @Override
            public void onText(String delta, int token) {
              throw new IllegalStateException("a broken client");
            }
          };
      Collected fine = new Collected();
      engine.submit(TinyModel.greedy(g.prompt(), g.greedy().length, List.of()), broken);
      engine.submit(TinyModel.greedy(g.prompt(), g.greedy().length, List.of()), fine);
      assertThat(fine.done.get(30, java.util.concurrent.TimeUnit.SECONDS))
          .isEqualTo(FinishReason.LENGTH);
      assertThat(fine.ids()).containsExactly(g.greedy());
      org.awaitility.Awaitility.await()
          .atMost(java.time.Duration.ofSeconds(10))
          .untilAsserted(() -> assertThat(engine.stats().blocksUsed.get()).isZero());
      assertThat(engine.stats().failed.get()).isEqualTo(1);
      assertThat(broken.done).isNotDone();
    }
  }

  @Test
  void shouldEndTheSequencesOfARefusedStepAsBusyAndKeepServing() throws Exception {
    Golden g = TinyModel.goldens().get(0);
    java.util.concurrent.atomic.AtomicBoolean refuse =
        new java.util.concurrent.atomic.AtomicBoolean();
    StepGate gate =
        (sequences, tokens, estimatedNanos) -> {
          if (refuse.get()) {
            throw new GenerationException.Busy("the device arbiter refused the step");
          }
          return () -> {};
        };
    EngineConfig config = new EngineConfig(128, 4, 64, 8, 64, 512, 1);
    try (GenerationEngine engine =
        new GenerationEngine(
            "gpt2-tiny",
            config,
            new dev.kairos.generative.runner.PagedDecoder(
                TinyModel.DIR.resolve("1/model.onnx"), 65, 4, 1),
            TinyModel.TOKENIZER,
            new dev.kairos.sdk.time.ManualClock(),
            gate)) {
      Collected refused = new Collected();
      engine.submit(TinyModel.greedy(g.prompt(), g.greedy().length, List.of()), refused);
      engine.step(); // the prompt: first token out
      refuse.set(true);
      engine.step();
      assertThat(refused.ids()).hasSize(1);
      assertThat(refused.done)
          .failsWithin(java.time.Duration.ZERO)
          .withThrowableOfType(java.util.concurrent.ExecutionException.class)
          .withCauseInstanceOf(GenerationException.Busy.class);
      assertThat(engine.stats().blocksUsed.get()).isZero();

      refuse.set(false);
      Collected next = new Collected();
      engine.submit(TinyModel.greedy(g.prompt(), g.greedy().length, List.of()), next);
      TinyModel.drain(engine);
      assertThat(next.ids()).containsExactly(g.greedy());
    }
  }
}
