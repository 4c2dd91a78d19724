package dev.kairos.multiplexer.arbiter;

import dev.kairos.multiplexer.arbiter.policy.PendingSlice;
import java.util.ArrayList;
import java.util.List;

/** Remembers the arbiter's decisions in order, as "granted:model" or "rejected:model". */
final class RecordingListener implements Arbiter.Listener {
  final List<String> events = new ArrayList<>();
  final List<PendingSlice> grantedSlices = new ArrayList<>();
  final List<Long> caps = new ArrayList<>();
  final List<String> reasons = new ArrayList<>();

  @Override
  public void granted(PendingSlice slice, long sliceCapNanos) {
    events.add("granted:" + slice.model());
    grantedSlices.add(slice);
    caps.add(sliceCapNanos);
  }

  @Override
  public void rejected(PendingSlice slice, String reason) {
    events.add("rejected:" + slice.model());
    reasons.add(reason);
  }

  @Override
  public void suspended(PendingSlice slice) {
    events.add("suspended:" + slice.model());
  }

  @Override
  public void resumed(PendingSlice slice) {
    events.add("resumed:" + slice.model());
  }

  PendingSlice lastGranted() {
    return grantedSlices.get(grantedSlices.size() - 1);
  }
}
