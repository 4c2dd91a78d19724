package dev.kairos.cli;

/** Told when a replica process exits that nobody asked to stop (it crashed or was killed). */
@FunctionalInterface
interface ReplicaExitListener {
  /**
   * @param replicaId the replica's id in the route table (already removed from it)
   * @param exitStatus the process's exit status (137 for SIGKILL, 143 for SIGTERM)
   */
  void exited(String model, String version, String replicaId, int exitStatus);
}
