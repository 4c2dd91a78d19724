package dev.kairos.gateway.admin;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A model as the platform reports it to the admin API.
 *
 * @param name the model name
 * @param state where the model is in its life
 * @param reason why it is {@link State#FAILED} or {@link State#UNAVAILABLE}, or null
 * @param versions versions the repository holds for it, oldest first
 * @param traffic the traffic split in force (version → weight); empty: highest ready version
 * @param replicas replicas per version the platform runs (ready or starting)
 */
public record ModelStatus(
    String name,
    State state,
    String reason,
    List<String> versions,
    Map<String, Integer> traffic,
    Map<String, Integer> replicas) {
  /** Model states, named as the OIP repository extension names them where it has a name. */
  public enum State {
    LOADING,
    READY,
    UNLOADING,
    /** Known to the repository, not loaded. */
    UNAVAILABLE,
    FAILED
  }

  public ModelStatus {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(state, "state");
    versions = List.copyOf(versions);
    traffic = Map.copyOf(traffic);
    replicas = Map.copyOf(replicas);
  }
}
