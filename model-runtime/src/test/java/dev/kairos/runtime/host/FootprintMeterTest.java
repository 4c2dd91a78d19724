package dev.kairos.runtime.host;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class FootprintMeterTest {
  private final AtomicLong rss = new AtomicLong(1000);
  private final FootprintMeter meter = new FootprintMeter(rss::get);

  @Test
  void shouldMeasureALoadAloneExactly() {
    FootprintMeter.Window w = meter.open();
    rss.addAndGet(300);
    assertThat(meter.close(w, 10)).isEqualTo(new Footprint(300, true));
  }

  @Test
  void shouldNeverGoBelowTheArtifactsSize() {
    FootprintMeter.Window w = meter.open();
    rss.addAndGet(-50); // a collection shrank the heap during the load
    assertThat(meter.close(w, 80)).isEqualTo(new Footprint(80, true));
  }

  @Test
  void shouldMarkOverlappingLoadsAndErrHigh() {
    FootprintMeter.Window a = meter.open();
    rss.addAndGet(100);
    FootprintMeter.Window b = meter.open();
    rss.addAndGet(200);
    assertThat(meter.close(b, 0)).isEqualTo(new Footprint(200, false));
    assertThat(meter.close(a, 0)).isEqualTo(new Footprint(300, false));
    FootprintMeter.Window c = meter.open();
    rss.addAndGet(5);
    assertThat(meter.close(c, 0).alone()).isTrue();
  }

  @Test
  void shouldCreditWhatAnUnloadGivesBackDuringALoad() {
    FootprintMeter.Window w = meter.open();
    rss.addAndGet(300);
    assertThat(meter.release(() -> rss.addAndGet(-120))).isEqualTo(120);
    assertThat(meter.close(w, 0)).isEqualTo(new Footprint(300, false));
  }
}
