package dev.kairos.cli;

import java.util.List;

/**
 * Where placement puts one replica, as its process is started: on which device, with which runtime
 * arguments (an arbiter socket when the device is shared), pinned to which cores or GPU.
 *
 * @param device the device id
 * @param runtimeArgs extra arguments of the runtime process
 * @param cpuList the cores the process is pinned to ({@code taskset -c} form), or empty
 * @param cudaVisibleDevices the value of {@code CUDA_VISIBLE_DEVICES}, or empty
 * @param nice the process's nice increment, or -1 for the platform's default
 * @param standbyAllowed whether a standby process of the warm pool may take it (one started without
 *     these arguments and environment)
 * @param description one line for the console and the log
 */
record ReplicaSite(
    String device,
    List<String> runtimeArgs,
    String cpuList,
    String cudaVisibleDevices,
    int nice,
    boolean standbyAllowed,
    String description) {
  ReplicaSite {
    runtimeArgs = List.copyOf(runtimeArgs);
  }
}
