package dev.kairos.gateway.resilience;

import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.concurrent.TimeUnit;

/**
 * Makes the Resilience4j circuit breaker of each replica, reading time from a
 * dev.kairos.sdk.time.Clock.
 */
public final class Breakers {
  private final CircuitBreakerConfig config;
  private final dev.kairos.sdk.time.Clock time;
  private final long openForNanos;

  public Breakers(BreakerOptions options, dev.kairos.sdk.time.Clock time) {
    this.time = time;
    this.openForNanos = options.openFor().toNanos();
    Clock clock = new KairosClockAdapter(time);
    this.config =
        CircuitBreakerConfig.custom()
            .slidingWindowType(CircuitBreakerConfig.SlidingWindowType.COUNT_BASED)
            .slidingWindowSize(options.windowSize())
            .minimumNumberOfCalls(Math.min(options.minimumCalls(), options.windowSize()))
            .failureRateThreshold(options.failureRatePercent())
            .waitDurationInOpenState(options.openFor())
            .permittedNumberOfCallsInHalfOpenState(options.probes())
            .automaticTransitionFromOpenToHalfOpenEnabled(false)
            .writableStackTraceEnabled(false)
            .clock(clock)
            .currentTimestampFunction(c -> time.monotonicNanos(), TimeUnit.NANOSECONDS)
            .build();
  }

  public ReplicaBreaker create(String replicaId) {
    return new ReplicaBreaker(CircuitBreaker.of(replicaId, config), time, openForNanos);
  }

  /** java.time.Clock over a dev.kairos.sdk.time.Clock, for Resilience4j's open-state wait. */
  private static final class KairosClockAdapter extends Clock {
    private final dev.kairos.sdk.time.Clock time;

    KairosClockAdapter(dev.kairos.sdk.time.Clock time) {
      this.time = time;
    }

    @Override
    public ZoneOffset getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(java.time.ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      long n = time.monotonicNanos();
      return Instant.ofEpochSecond(0, n);
    }
  }
}
