package dev.kairos.autoscaler.simulator;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;

/**
 * Runs one task per model of a trace on a few threads, the models with the most requests first,
 * each thread taking the next model as it finishes one. A few models carry most of a trace's
 * requests (in the Azure sample the top 1 % take almost half), so a split of the models into fixed
 * shares leaves one thread replaying the last big ones alone; taking them first and handing out the
 * rest one at a time keeps every thread busy to the end.
 */
public final class BusiestFirst {
  private BusiestFirst() {}

  /**
   * @param task the work for model {@code i} of {@code models}
   * @return the tasks' results, in the models' order
   * @throws RuntimeException a task's exception, as thrown
   */
  public static <T> List<T> map(List<TraceModel> models, int threads, IntFunction<T> task) {
    Integer[] order = new Integer[models.size()];
    Arrays.setAll(order, i -> i);
    Arrays.sort(
        order,
        Comparator.comparingLong((Integer i) -> models.get(i).totalRequests())
            .reversed()
            .thenComparing(i -> i));
    Object[] out = new Object[order.length];
    AtomicInteger next = new AtomicInteger();
    int n = Math.max(1, Math.min(threads, order.length));
    ExecutorService pool = Executors.newFixedThreadPool(n);
    try {
      List<Future<?>> workers = new ArrayList<>();
      for (int w = 0; w < n; w++) {
        workers.add(
            pool.submit(
                () -> {
                  for (int k = next.getAndIncrement();
                      k < order.length;
                      k = next.getAndIncrement()) {
                    out[order[k]] = task.apply(order[k]);
                  }
                }));
      }
      for (Future<?> f : workers) {
        f.get();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while replaying", e);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException r) {
        throw r;
      }
      if (e.getCause() instanceof Error err) {
        throw err;
      }
      throw new IllegalStateException(e.getCause());
    } finally {
      pool.shutdownNow();
    }
    @SuppressWarnings("unchecked")
    List<T> results = (List<T>) Arrays.asList(out);
    return results;
  }
}
