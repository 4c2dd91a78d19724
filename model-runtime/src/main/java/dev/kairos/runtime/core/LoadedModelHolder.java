package dev.kairos.runtime.core;

import dev.kairos.runtime.engine.LoadedModel;
import java.util.concurrent.locks.ReadWriteLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Function;

/**
 * The model version a replica serves, swappable at run time: batches use it under a read lock, so a
 * reload or unload waits for running batches before it closes the old model.
 */
final class LoadedModelHolder {
  private final String name;
  private final ReadWriteLock lock = new ReentrantReadWriteLock();
  private volatile LoadedModel current;

  LoadedModelHolder(String name, LoadedModel initial) {
    this.name = name;
    this.current = initial;
  }

  /**
   * @throws NotReadyException when no model is loaded
   */
  LoadedModel acquire() {
    LoadedModel m = current;
    if (m == null) {
      throw new NotReadyException("model '" + name + "' is not loaded");
    }
    return m;
  }

  boolean isLoaded() {
    return current != null;
  }

  /** Runs {@code work} on the current model; a concurrent swap waits until it returns. */
  <T> T use(Function<LoadedModel, T> work) {
    lock.readLock().lock();
    try {
      return work.apply(acquire());
    } finally {
      lock.readLock().unlock();
    }
  }

  void replace(LoadedModel next) {
    LoadedModel old;
    lock.writeLock().lock();
    try {
      old = current;
      current = next;
    } finally {
      lock.writeLock().unlock();
    }
    if (old != null && old != next) {
      old.close();
    }
  }
}
