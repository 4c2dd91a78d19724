package dev.kairos.multiplexer.arbiter;

import static java.util.concurrent.TimeUnit.MILLISECONDS;
import static org.assertj.core.api.Assertions.assertThat;

import dev.kairos.multiplexer.arbiter.policy.DeadlineAwarePolicy;
import dev.kairos.multiplexer.arbiter.policy.FifoPolicy;
import dev.kairos.multiplexer.arbiter.policy.PendingSlice;
import dev.kairos.multiplexer.arbiter.policy.SlicePolicies;
import dev.kairos.multiplexer.arbiter.policy.WeightedSharePolicy;
import dev.kairos.sdk.time.ManualClock;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ArbiterTest {
  private static final long MS = 1_000_000L;
  private static final int LIGHT = SlicePolicies.LIGHT_PRIORITY;
  private static final int HEAVY = SlicePolicies.HEAVY_PRIORITY;

  private final ManualClock clock = new ManualClock(0, 1_000 * MS);
  private final RecordingListener decisions = new RecordingListener();

  private static SliceRequest light(String model) {
    return new SliceRequest(model, 1 * MS, LIGHT, Long.MAX_VALUE);
  }

  private static SliceRequest heavy(String model) {
    return new SliceRequest(model, 20 * MS, HEAVY, Long.MAX_VALUE);
  }

  private Arbiter arbiter(dev.kairos.multiplexer.arbiter.policy.SlicePolicy policy) {
    return new Arbiter("cpu0", policy, clock, true, decisions);
  }

  private void runHolder(Arbiter a, long millis) {
    clock.advance(millis, MILLISECONDS);
    a.release(decisions.lastGranted().id());
  }

  @Test
  void shouldGrantAtOnceWhenTheDeviceIsFree() {
    Arbiter a = arbiter(new FifoPolicy());
    a.submit(light("mlp"), "r1");
    assertThat(decisions.events).containsExactly("granted:mlp");
    assertThat(a.busy()).isTrue();
  }

  @Test
  void fifoShouldGrantInArrivalOrderWhateverThePriority() {
    Arbiter a = arbiter(new FifoPolicy());
    a.submit(heavy("resnet"), "h");
    a.submit(heavy("resnet"), "h");
    a.submit(light("mlp"), "l");
    runHolder(a, 20);
    runHolder(a, 20);
    assertThat(decisions.events).containsExactly("granted:resnet", "granted:resnet", "granted:mlp");
  }

  @Test
  void deadlineAwareShouldLetALightRequestJumpTheHeavyQueue() {
    Arbiter a = arbiter(new DeadlineAwarePolicy(LIGHT, 30 * MS, 500 * MS));
    a.submit(heavy("resnet"), "h");
    a.submit(heavy("resnet"), "h");
    clock.advance(5, MILLISECONDS);
    a.submit(light("mlp"), "l");
    runHolder(a, 15);
    // the light request waited for the slice that held the device, and only that one
    assertThat(decisions.events).containsExactly("granted:resnet", "granted:mlp");
    assertThat(clock.monotonicNanos() - decisions.lastGranted().arrivalNanos()).isEqualTo(15 * MS);
  }

  @Test
  void deadlineAwareShouldCapHeavySlicesOnlyWhileLightModelsAreActive() {
    Arbiter a = arbiter(new DeadlineAwarePolicy(LIGHT, 30 * MS, 500 * MS));
    a.submit(heavy("resnet"), "h"); // alone on the device: no cap
    runHolder(a, 20);
    a.submit(light("mlp"), "l"); // light requests are never capped
    runHolder(a, 1);
    a.submit(heavy("resnet"), "h"); // a light model is active: capped
    runHolder(a, 20);
    clock.advance(600, MILLISECONDS);
    a.submit(heavy("resnet"), "h"); // the light model has gone quiet: no cap again
    assertThat(decisions.caps)
        .containsExactly(Long.MAX_VALUE, Long.MAX_VALUE, 30 * MS, Long.MAX_VALUE);
  }

  @Test
  void deadlineAwareShouldServeEarliestDeadlineFirstAmongEquals() {
    Arbiter a = arbiter(new DeadlineAwarePolicy(LIGHT, 30 * MS, 500 * MS));
    long now = clock.monotonicNanos();
    a.submit(heavy("resnet"), "h");
    a.submit(new SliceRequest("late", MS, LIGHT, now + 80 * MS), "a");
    a.submit(new SliceRequest("soon", MS, LIGHT, now + 40 * MS), "b");
    runHolder(a, 20);
    assertThat(decisions.events).containsExactly("granted:resnet", "granted:soon");
  }

  @Test
  void deadlineAwareShouldNeverStarveHeavyRequests() {
    Arbiter a = arbiter(new DeadlineAwarePolicy(LIGHT, 30 * MS, 100 * MS));
    a.submit(light("mlp"), "l");
    a.submit(heavy("resnet"), "h");
    // a steady stream of light requests, always one waiting when the device frees
    for (int i = 0; i < 150; i++) {
      a.submit(light("mlp"), "l");
      runHolder(a, 1);
    }
    long heavyGrant = decisions.events.indexOf("granted:resnet");
    assertThat(heavyGrant).isPositive();
    PendingSlice heavySlice = decisions.grantedSlices.get((int) heavyGrant);
    // it ran once it had waited the starvation bound, not later
    assertThat(heavyGrant).isBetween(100L, 102L);
    assertThat(heavySlice.model()).isEqualTo("resnet");
  }

  @Test
  void shouldRejectOnArrivalARequestThatCannotMeetItsDeadline() {
    Arbiter a = arbiter(new FifoPolicy());
    a.submit(heavy("resnet"), "h");
    long now = clock.monotonicNanos();
    a.submit(new SliceRequest("mlp", MS, LIGHT, now + 10 * MS), "l");
    assertThat(decisions.events).containsExactly("granted:resnet", "rejected:mlp");
    assertThat(decisions.reasons.get(0))
        .contains("device cpu0", "model 'mlp'", "11.00 ms after its deadline");
    assertThat(a.waitingCount()).isZero();
  }

  @Test
  void shouldCountGrantsRejectionsAndWaitsPerModel() {
    Arbiter a = arbiter(new FifoPolicy());
    a.submit(heavy("resnet"), "h");
    a.submit(light("mlp"), "l");
    long now = clock.monotonicNanos();
    a.submit(new SliceRequest("mlp", MS, LIGHT, now + 10 * MS), "l");
    runHolder(a, 20); // mlp waited 20 ms
    assertThat(a.statsByModel())
        .containsExactly(
            new SliceStats("mlp", 1, 1, 20 * MS, 20 * MS), new SliceStats("resnet", 1, 0, 0, 0));
  }

  @Test
  void shouldRejectAtGrantTimeARequestThatWouldNowRunLate() {
    Arbiter a = arbiter(new FifoPolicy());
    a.submit(new SliceRequest("resnet", 5 * MS, HEAVY, Long.MAX_VALUE), "h");
    long now = clock.monotonicNanos();
    a.submit(new SliceRequest("mlp", MS, LIGHT, now + 10 * MS), "l");
    a.submit(light("other"), "o");
    runHolder(a, 30); // the heavy batch overran its estimate
    assertThat(decisions.events).containsExactly("granted:resnet", "rejected:mlp", "granted:other");
    assertThat(decisions.reasons.get(0)).contains("by the time it ran");
  }

  @Test
  void shouldAdmitEverythingWithAdmissionControlOff() {
    Arbiter a = new Arbiter("cpu0", new FifoPolicy(), clock, false, decisions);
    a.submit(heavy("resnet"), "h");
    long now = clock.monotonicNanos();
    a.submit(new SliceRequest("mlp", MS, LIGHT, now + MS), "l");
    runHolder(a, 20);
    assertThat(decisions.events).containsExactly("granted:resnet", "granted:mlp");
  }

  @Test
  void abandoningShouldFreeTheDeviceAndDropWaitingSlices() {
    Arbiter a = arbiter(new FifoPolicy());
    a.submit(heavy("resnet"), "gone");
    a.submit(heavy("resnet"), "gone");
    a.submit(light("mlp"), "l");
    a.abandon("gone");
    assertThat(decisions.events).containsExactly("granted:resnet", "granted:mlp");
    assertThat(a.waitingCount()).isZero();
  }

  @Test
  void releasingAnUnknownSliceShouldChangeNothing() {
    Arbiter a = arbiter(new FifoPolicy());
    a.submit(heavy("resnet"), "h");
    a.submit(light("mlp"), "l");
    a.release(12345);
    assertThat(decisions.events).containsExactly("granted:resnet");
  }

  @Test
  void weightedShareShouldSplitDeviceTimeByWeight() {
    Arbiter a = arbiter(WeightedSharePolicy.byPriority(Map.of("gold", 3, "bronze", 1)));
    for (int i = 0; i < 40; i++) {
      a.submit(new SliceRequest("gold", 10 * MS, 3, Long.MAX_VALUE), "g");
      a.submit(new SliceRequest("bronze", 10 * MS, 1, Long.MAX_VALUE), "b");
    }
    for (int i = 0; i < 40; i++) {
      runHolder(a, 10);
    }
    long gold = decisions.events.stream().filter(e -> e.equals("granted:gold")).count();
    long bronze = decisions.events.stream().filter(e -> e.equals("granted:bronze")).count();
    assertThat(gold).isBetween(29L, 31L);
    assertThat(bronze).isBetween(10L, 12L);
  }

  @Test
  void weightedShareShouldNotLetAnIdleModelBankCredit() {
    Arbiter a = arbiter(WeightedSharePolicy.byPriority(Map.of()));
    for (int i = 0; i < 20; i++) {
      a.submit(new SliceRequest("busy", 10 * MS, 1, Long.MAX_VALUE), "b");
      runHolder(a, 10);
    }
    // a newcomer after a long busy run alternates with the busy model instead of taking over
    a.submit(new SliceRequest("busy", 10 * MS, 1, Long.MAX_VALUE), "b");
    for (int i = 0; i < 4; i++) {
      a.submit(new SliceRequest("newcomer", 10 * MS, 1, Long.MAX_VALUE), "n");
      a.submit(new SliceRequest("busy", 10 * MS, 1, Long.MAX_VALUE), "b");
    }
    int before = decisions.events.size();
    for (int i = 0; i < 6; i++) {
      runHolder(a, 10);
    }
    assertThat(decisions.events.subList(before, decisions.events.size()))
        .containsExactly(
            "granted:newcomer",
            "granted:busy",
            "granted:newcomer",
            "granted:busy",
            "granted:newcomer",
            "granted:busy");
  }

  private Arbiter preemptive(dev.kairos.multiplexer.arbiter.policy.SlicePolicy policy) {
    return new Arbiter("cpu0", policy, clock, true, 50 * MS, decisions);
  }

  @Test
  void onAPreemptibleDeviceALightRequestShouldSuspendTheHeavyHolderAndResumeIt() {
    Arbiter a = preemptive(new DeadlineAwarePolicy(LIGHT, 30 * MS, 500 * MS));
    long heavyId = a.submit(heavy("resnet"), "h");
    clock.advance(5, MILLISECONDS);
    long lightId = a.submit(light("mlp"), "l");
    assertThat(decisions.events)
        .containsExactly("granted:resnet", "suspended:resnet", "granted:mlp");
    clock.advance(1, MILLISECONDS);
    a.release(lightId);
    assertThat(decisions.events).endsWith("resumed:resnet");
    assertThat(a.hasSuspended()).isFalse();
    a.release(heavyId);
    assertThat(a.busy()).isFalse();
  }

  @Test
  void lightRequestsShouldRunBackToBackWhileTheHeavyOneStaysSuspended() {
    Arbiter a = preemptive(new DeadlineAwarePolicy(LIGHT, 30 * MS, 500 * MS));
    a.submit(heavy("resnet"), "h");
    long first = a.submit(light("a"), "l1");
    a.submit(light("b"), "l2"); // waits for the light holder, not for the heavy one
    a.release(first);
    assertThat(decisions.events)
        .containsExactly("granted:resnet", "suspended:resnet", "granted:a", "granted:b");
  }

  @Test
  void aSuspendedHeavySliceShouldResumeAfterThePreemptionLimitAndThenRunUnpreempted() {
    Arbiter a = preemptive(new DeadlineAwarePolicy(LIGHT, 30 * MS, 500 * MS));
    a.submit(heavy("resnet"), "h");
    long id = a.submit(light("mlp"), "l");
    for (int i = 0; i < 60; i++) {
      a.submit(light("mlp"), "l");
      clock.advance(1, MILLISECONDS);
      a.release(id);
      if (!a.hasSuspended()) {
        break;
      }
      id = decisions.lastGranted().id();
    }
    // suspended for the 50 ms limit, then resumed although light requests wait
    assertThat(decisions.events).contains("resumed:resnet");
    assertThat(a.waitingCount()).isEqualTo(1);
    a.submit(light("mlp"), "l");
    assertThat(decisions.events.get(decisions.events.size() - 1)).isEqualTo("resumed:resnet");
  }

  @Test
  void aReleaseThatRacedWithTheSuspensionShouldFreeTheSuspendedSliceAndContinueItsProcess() {
    Arbiter a = preemptive(new DeadlineAwarePolicy(LIGHT, 30 * MS, 500 * MS));
    long heavyId = a.submit(heavy("resnet"), "h");
    long lightId = a.submit(light("mlp"), "l");
    a.release(heavyId); // sent by the heavy runtime just before it was stopped
    assertThat(decisions.events).endsWith("suspended:resnet", "granted:mlp", "resumed:resnet");
    assertThat(a.hasSuspended()).isFalse();
    a.submit(heavy("resnet"), "h"); // its next batch waits for the light slice only
    a.release(lightId);
    assertThat(decisions.events).endsWith("granted:resnet");
    assertThat(decisions.events).containsOnlyOnce("resumed:resnet");
  }

  @Test
  void fifoShouldNeverPreempt() {
    Arbiter a = preemptive(new FifoPolicy());
    a.submit(heavy("resnet"), "h");
    a.submit(light("mlp"), "l");
    assertThat(decisions.events).containsExactly("granted:resnet");
  }

  @Test
  void policiesShouldBeKnownByName() {
    assertThat(SlicePolicies.create("fifo").name()).isEqualTo("fifo");
    assertThat(SlicePolicies.create("deadline").name()).isEqualTo("deadline");
    assertThat(SlicePolicies.create("weighted").name()).isEqualTo("weighted");
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> SlicePolicies.create("lottery"))
        .hasMessageContaining("must be one of [deadline, fifo, weighted]");
  }
}
