package dev.kairos.cli;

/**
 * Told when a replica process leaves that nobody asked to stop: it crashed or was killed, or it was
 * sent SIGTERM from outside and is draining.
 */
@FunctionalInterface
interface ReplicaExitListener {
  /**
   * @param replicaId the replica's id in the route table (out of routing already)
   * @param how what happened, e.g. {@code exited with status 137}
   */
  void left(String model, String version, String replicaId, String how);
}
