package dev.kairos.generative;

import ai.onnxruntime.OrtException;
import dev.kairos.generative.kv.KvBlocks;
import dev.kairos.generative.runner.Chunk;
import dev.kairos.generative.runner.PagedDecoder;
import dev.kairos.generative.sample.Sampler;
import dev.kairos.generative.schedule.SequenceView;
import dev.kairos.generative.schedule.StepPlan;
import dev.kairos.generative.schedule.TokenScheduler;
import dev.kairos.generative.text.GptTokenizer;
import dev.kairos.generative.text.TextStream;
import dev.kairos.sdk.time.Clock;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Continuous batching over a paged KV cache: each step the scheduler picks who runs, the block
 * manager gives them blocks, the model runner computes one token for each decoding sequence and a
 * bounded chunk of prompt for each prefilling one, and the sampler picks the next tokens. A request
 * joins the running batch as soon as it is admitted and leaves the step it finishes.
 *
 * <p>One thread owns all of this; {@link #submit} and {@link Handle#cancel} only enqueue.
 */
public final class GenerationEngine implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(GenerationEngine.class);

  private final String model;
  private final EngineConfig config;
  private final PagedDecoder decoder;
  private final GptTokenizer tokenizer;
  private final Clock clock;
  private final KvBlocks blocks;
  private final TokenScheduler scheduler;
  private final ConcurrentLinkedQueue<Sequence> incoming = new ConcurrentLinkedQueue<>();
  private final Semaphore wake = new Semaphore(0);
  private final AtomicLong ids = new AtomicLong();
  private final AtomicInteger queued = new AtomicInteger();
  private final Map<Long, Sequence> waiting = new LinkedHashMap<>();
  private final Map<Long, Sequence> running = new LinkedHashMap<>();
  private final EngineStats stats = new EngineStats();
  private final StepGate gate;
  private long lastDecodeNanosPerToken;
  private long lastPrefillNanosPerToken;
  private volatile boolean open = true;
  private Thread loop;

  public GenerationEngine(
      String model,
      EngineConfig config,
      PagedDecoder decoder,
      GptTokenizer tokenizer,
      Clock clock) {
    this(model, config, decoder, tokenizer, clock, StepGate.open());
  }

  /** An engine whose every model step first passes {@code gate} (the device arbiter). */
  public GenerationEngine(
      String model,
      EngineConfig config,
      PagedDecoder decoder,
      GptTokenizer tokenizer,
      Clock clock,
      StepGate gate) {
    this.gate = gate;
    this.model = model;
    this.config = config;
    this.decoder = decoder;
    this.tokenizer = tokenizer;
    this.clock = clock;
    this.blocks = new KvBlocks(config.kvBlocks() + 1, config.blockSize());
    this.scheduler = new TokenScheduler(config.maxRunning(), config.prefillChunk());
  }

  public EngineConfig config() {
    return config;
  }

  public GptTokenizer tokenizer() {
    return tokenizer;
  }

  public EngineStats stats() {
    return stats;
  }

  /** A submitted generation; cancel it when its client leaves. */
  public interface Handle {
    /** Stops the sequence at the next step and frees its blocks; its sink hears nothing more. */
    void cancel();
  }

  /**
   * Queues a generation; the sink hears its tokens on the engine's thread.
   *
   * @throws GenerationException.InvalidRequest if it cannot fit the context
   * @throws GenerationException.Busy if the queue is full
   */
  public Handle submit(GenerationRequest request, TokenSink sink) {
    int prompt = request.prompt().length;
    if (prompt == 0) {
      throw new GenerationException.InvalidRequest("prompt is empty, must have at least 1 token");
    }
    if (prompt + request.maxTokens() > config.contextLength()) {
      throw new GenerationException.InvalidRequest(
          "prompt ("
              + prompt
              + " tokens) + max_tokens ("
              + request.maxTokens()
              + ") = "
              + (prompt + request.maxTokens())
              + ", exceeds the model's context length of "
              + config.contextLength()
              + " tokens");
    }
    if (!open) {
      throw new GenerationException.Busy("model " + model + " is shutting down");
    }
    if (queued.incrementAndGet() > config.maxWaiting()) {
      queued.decrementAndGet();
      throw new GenerationException.Busy(
          "model " + model + ": " + config.maxWaiting() + " sequences already waiting");
    }
    Sequence s =
        new Sequence(
            ids.incrementAndGet(),
            request,
            sink,
            clock.monotonicNanos(),
            new TextStream(tokenizer, request.stop()));
    incoming.add(s);
    wake.release();
    return () -> {
      s.cancelled = true;
      wake.release();
    };
  }

  /** Starts the engine's thread. */
  public GenerationEngine start() {
    loop = new Thread(this::run, "generate-" + model);
    loop.setDaemon(true);
    loop.start();
    return this;
  }

  private void run() {
    while (open) {
      try {
        if (!step()) {
          wake.acquire();
          wake.drainPermits();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      } catch (RuntimeException e) {
        // A bug in the engine: end what is in flight with an error rather than leave every
        // client waiting on a dead thread, and keep serving new requests.
        LOG.error("model={} engine step failed; failing {} sequences", model, inFlight(), e);
        failAll(new GenerationException.EngineFailure("the engine failed: " + e));
      }
    }
  }

  private int inFlight() {
    return running.size() + waiting.size();
  }

  private void failAll(GenerationException error) {
    List<Sequence> all = new ArrayList<>(running.values());
    all.addAll(waiting.values());
    queued.addAndGet(-waiting.size());
    running.clear();
    waiting.clear();
    for (Sequence s : all) {
      try {
        fail(s, error);
      } catch (RuntimeException again) {
        LOG.warn("model={} sequence={} could not be failed cleanly", model, s.id, again);
      }
    }
  }

  /**
   * Runs one step. Package-private so tests drive steps by hand.
   *
   * @return whether there was anything to do
   */
  boolean step() {
    for (Sequence s; (s = incoming.poll()) != null; ) {
      waiting.put(s.id, s);
    }
    dropCancelled(waiting);
    dropCancelled(running);
    long now = clock.monotonicNanos();
    for (Sequence s : new ArrayList<>(running.values())) {
      if (s.request.deadlineNanos() <= now) {
        running.remove(s.id);
        fail(s, new GenerationException.DeadlineExceeded("deadline passed while generating"));
      }
    }
    if (waiting.isEmpty() && running.isEmpty()) {
      publishGauges();
      return false;
    }
    List<SequenceView> waitingViews = new ArrayList<>();
    for (Sequence s : waiting.values()) {
      waitingViews.add(s.view(admissionBlocks(s), cachedPrefixTokens(s)));
    }
    List<SequenceView> runningViews = new ArrayList<>();
    for (Sequence s : running.values()) {
      runningViews.add(
          s.view(Math.max(0, Sequence.blocksFor(s.length, config.blockSize()) - s.blockCount), 0));
    }
    StepPlan plan = scheduler.decide(waitingViews, runningViews, blocks.free(), now);
    apply(plan);
    execute(plan);
    publishGauges();
    return true;
  }

  private void dropCancelled(Map<Long, Sequence> set) {
    set.values()
        .removeIf(
            s -> {
              if (s.cancelled) {
                releaseBlocks(s);
                if (set == waiting) {
                  queued.decrementAndGet();
                }
                stats.cancelled.incrementAndGet();
                return true;
              }
              return false;
            });
  }

  /** Blocks a waiting sequence needs to start: its tokens', less prefixes others hold already. */
  private int admissionBlocks(Sequence s) {
    int needed = Sequence.blocksFor(s.length, config.blockSize());
    int shareable = (s.length - 1) / config.blockSize();
    for (int k = 0; k < shareable; k++) {
      long h = s.prefixHash(k, config.blockSize());
      if (!blocks.isCached(h)) {
        break;
      }
      if (blocks.isHeld(h)) {
        needed--;
      }
    }
    return needed;
  }

  /** Prompt tokens of a waiting sequence already in the prefix cache. */
  private int cachedPrefixTokens(Sequence s) {
    int shareable = (s.length - 1) / config.blockSize();
    int k = 0;
    while (k < shareable && blocks.isCached(s.prefixHash(k, config.blockSize()))) {
      k++;
    }
    return k * config.blockSize();
  }

  private void apply(StepPlan plan) {
    for (long id : plan.expired()) {
      Sequence s = waiting.remove(id);
      queued.decrementAndGet();
      fail(s, new GenerationException.DeadlineExceeded("deadline passed while waiting"));
    }
    for (long id : plan.preempted()) {
      Sequence s = running.remove(id);
      releaseBlocks(s);
      s.computed = 0;
      waiting.put(s.id, s);
      queued.incrementAndGet();
      stats.preemptions.incrementAndGet();
      LOG.debug("model={} sequence={} preempted at {} tokens", model, s.id, s.length);
    }
    for (long id : plan.admitted()) {
      Sequence s = waiting.remove(id);
      queued.decrementAndGet();
      int shareable = (s.length - 1) / config.blockSize();
      for (int k = 0; k < shareable; k++) {
        int b = blocks.acquireCached(s.prefixHash(k, config.blockSize()));
        if (b < 0) {
          break;
        }
        s.addBlock(b);
        s.computed += config.blockSize();
        stats.prefixHitTokens.addAndGet(config.blockSize());
      }
      stats.promptTokens.addAndGet(s.length - s.computed);
      running.put(s.id, s);
    }
    for (Sequence s : running.values()) {
      while (s.blockCount < Sequence.blocksFor(s.length, config.blockSize())) {
        s.addBlock(blocks.allocate());
      }
    }
  }

  /** Computes every scheduled sequence's tokens in one model call: decodes and prompt chunks. */
  private void execute(StepPlan plan) {
    List<Sequence> batch = new ArrayList<>(plan.tokens().size());
    for (long id : plan.tokens().keySet()) {
      batch.add(running.get(id));
    }
    if (batch.isEmpty()) {
      return;
    }
    List<Chunk> chunks = new ArrayList<>(batch.size());
    int decodeTokens = 0;
    int promptTokens = 0;
    for (Sequence s : batch) {
      // A prompt admitted this step may have found part of itself in the prefix cache.
      int n = Math.min(plan.tokens().get(s.id), s.pending());
      chunks.add(
          new Chunk(
              Arrays.copyOfRange(s.tokens, s.computed, s.computed + n),
              s.computed,
              Arrays.copyOf(s.blocks, s.blockCount)));
      if (s.pending() == 1) {
        decodeTokens++;
      } else {
        promptTokens += n;
      }
    }
    float[][] logits;
    int tokens = decodeTokens + promptTokens;
    long estimate =
        decodeTokens * lastDecodeNanosPerToken + promptTokens * lastPrefillNanosPerToken;
    try (StepGate.Pass pass = gate.enter(batch.size(), tokens, estimate)) {
      long started = clock.monotonicNanos();
      logits = decoder.step(chunks);
      long took = clock.monotonicNanos() - started;
      // Per-token costs for the next estimate: a step of only decodes prices a decoded token; a
      // step with a prompt chunk prices its prompt tokens with what the decodes did not take.
      if (promptTokens == 0) {
        lastDecodeNanosPerToken = took / decodeTokens;
      } else {
        lastPrefillNanosPerToken =
            Math.max(0, took - decodeTokens * lastDecodeNanosPerToken) / promptTokens;
      }
    } catch (GenerationException refused) {
      // The gate refused the step (the device arbiter's admission control): an answer for these
      // sequences, in the API's format, not an engine failure.
      LOG.warn(
          "model={} step refused for {} sequences: {}", model, batch.size(), refused.getMessage());
      for (Sequence s : batch) {
        running.remove(s.id);
        fail(s, refused);
      }
      return;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      for (Sequence s : batch) {
        running.remove(s.id);
        fail(s, new GenerationException.EngineFailure("interrupted while waiting for the device"));
      }
      return;
    } catch (OrtException | RuntimeException e) {
      LOG.error("model={} step failed for {} sequences", model, batch.size(), e);
      for (Sequence s : batch) {
        running.remove(s.id);
        fail(s, new GenerationException.EngineFailure("the model failed: " + e.getMessage()));
      }
      return;
    }
    long now = clock.monotonicNanos();
    for (int i = 0; i < batch.size(); i++) {
      Sequence s = batch.get(i);
      s.computed += chunks.get(i).tokens().length;
      registerFullBlocks(s);
      if (s.computed == s.length) {
        emit(s, Sampler.pick(logits[i], s.request.sampling(), s.random), now);
      }
    }
  }

  private void registerFullBlocks(Sequence s) {
    int full = s.computed / config.blockSize();
    for (int k = 0; k < full; k++) {
      blocks.register(s.blocks[k], s.prefixHash(k, config.blockSize()));
    }
  }

  private void emit(Sequence s, int token, long now) {
    if (s.firstTokenNanos < 0) {
      s.firstTokenNanos = now;
      stats.timeToFirstToken.record(now - s.arrivalNanos);
    }
    if (token == GptTokenizer.END_OF_TEXT && !s.request.ignoreEos()) {
      finish(s, FinishReason.STOP);
      return;
    }
    s.append(token);
    stats.generatedTokens.incrementAndGet();
    String delta = s.text.add(token);
    if (!deliver(s, () -> s.sink.onText(delta, token))) {
      return;
    }
    if (s.text.stopped()) {
      finish(s, FinishReason.STOP);
    } else if (s.generated >= s.request.maxTokens() || s.length >= config.contextLength()) {
      String rest = s.text.flush();
      if (!rest.isEmpty() && !deliver(s, () -> s.sink.onText(rest, -1))) {
        return;
      }
      finish(s, FinishReason.LENGTH);
    }
  }

  /** Calls a sink; one that throws loses its sequence, not the batch. */
  private boolean deliver(Sequence s, Runnable call) {
    try {
      call.run();
      return true;
    } catch (RuntimeException e) {
      LOG.warn("model={} sequence={} sink failed; sequence dropped", model, s.id, e);
      running.remove(s.id);
      releaseBlocks(s);
      stats.failed.incrementAndGet();
      return false;
    }
  }

  private void finish(Sequence s, FinishReason reason) {
    running.remove(s.id);
    releaseBlocks(s);
    long now = clock.monotonicNanos();
    if (s.generated > 1) {
      stats.timePerOutputToken.record((now - s.firstTokenNanos) / (s.generated - 1));
    }
    stats.endToEnd.record(now - s.arrivalNanos);
    stats.finished.incrementAndGet();
    deliver(s, () -> s.sink.onFinish(reason, s.usage()));
  }

  private void fail(Sequence s, GenerationException error) {
    releaseBlocks(s);
    stats.failed.incrementAndGet();
    deliver(s, () -> s.sink.onError(error, s.usage()));
  }

  private void releaseBlocks(Sequence s) {
    for (int i = 0; i < s.blockCount; i++) {
      blocks.release(s.blocks[i]);
    }
    s.blockCount = 0;
    s.computed = 0;
  }

  private void publishGauges() {
    stats.running.set(running.size());
    stats.waiting.set(waiting.size() + incoming.size());
    stats.blocksUsed.set(blocks.used());
    stats.blocksFree.set(blocks.free());
    stats.prefixLookups.set(blocks.lookups());
    stats.prefixHits.set(blocks.hits());
  }

  @Override
  public void close() throws Exception {
    open = false;
    wake.release();
    if (loop != null) {
      loop.join(10_000);
    }
    decoder.close();
  }
}
