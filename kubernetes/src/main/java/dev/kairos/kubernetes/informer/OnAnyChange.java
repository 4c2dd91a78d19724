package dev.kairos.kubernetes.informer;

import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import java.util.function.Consumer;

/** An informer handler that reacts the same way to an added, updated or deleted object. */
public final class OnAnyChange<T> implements ResourceEventHandler<T> {
  private final Consumer<T> action;

  private OnAnyChange(Consumer<T> action) {
    this.action = action;
  }

  /** Calls {@code action} with the object's latest state on every event. */
  public static <T> OnAnyChange<T> of(Consumer<T> action) {
    return new OnAnyChange<>(action);
  }

  @Override
  public void onAdd(T obj) {
    action.accept(obj);
  }

  @Override
  public void onUpdate(T oldObj, T newObj) {
    action.accept(newObj);
  }

  @Override
  public void onDelete(T obj, boolean deletedFinalStateUnknown) {
    action.accept(obj);
  }
}
