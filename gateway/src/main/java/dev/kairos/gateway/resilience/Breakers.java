package dev.kairos.gateway.resilience;

import dev.kairos.gateway.time.TimeSource;
import io.github.resilience4j.circuitbreaker.CircuitBreaker;
import io.github.resilience4j.circuitbreaker.CircuitBreakerConfig;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.concurrent.TimeUnit;

/** Makes the Resilience4j circuit breaker of each replica, reading time from a TimeSource. */
public final class Breakers {
  private final CircuitBreakerConfig config;
  private final TimeSource time;
  private final long openForNanos;

  public Breakers(BreakerOptions options, TimeSource time) {
    this.time = time;
    this.openForNanos = options.openFor().toNanos();
    Clock clock = new TimeSourceClock(time);
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
            .currentTimestampFunction(c -> time.nanos(), TimeUnit.NANOSECONDS)
            .build();
  }

  public ReplicaBreaker create(String replicaId) {
    return new ReplicaBreaker(CircuitBreaker.of(replicaId, config), time, openForNanos);
  }

  /** java.time.Clock over a TimeSource, for Resilience4j's open-state wait. */
  private static final class TimeSourceClock extends Clock {
    private final TimeSource time;

    TimeSourceClock(TimeSource time) {
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
      long n = time.nanos();
      return Instant.ofEpochSecond(0, n);
    }
  }
}
