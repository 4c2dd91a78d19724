package dev.kairos.autoscaler.scaler;

import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;

/** The contract kit run against the fake, so the kit itself is known to pass a correct scaler. */
class FakeScalerTest extends ScalerContract {
  private final FakeScaler fake = new FakeScaler();
  private final ScaleTarget target = new ScaleTarget("m", "1");
  private final ScheduledExecutorService readier = Executors.newSingleThreadScheduledExecutor();

  FakeScalerTest() {
    readier.scheduleWithFixedDelay(() -> fake.makeReady(target), 10, 10, TimeUnit.MILLISECONDS);
  }

  @AfterEach
  void stop() {
    readier.shutdownNow();
  }

  @Override
  protected Scaler scaler() {
    return fake;
  }

  @Override
  protected ScaleTarget target() {
    return target;
  }
}
