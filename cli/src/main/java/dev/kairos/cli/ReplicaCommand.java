package dev.kairos.cli;

import dev.kairos.runtime.RuntimeMain;
import dev.kairos.sdk.replica.ReplicaToken;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * How replica processes are started: their JVM options, and how far below the gateway's their CPU
 * priority is.
 *
 * <p>In local mode the gateway and the replicas share the machine's cores. A replica's work is long
 * and throughput-bound; the gateway's is short and on every request's path, refusals included. At
 * the same priority, inference threads that fill the cores delay the gateway's event loops: under
 * 5× overload on 2 cores the p99 of a refusal was 12-18 ms with replicas at the gateway's priority
 * and 6-10 ms with them at nice 5, with goodput as high (docs/RELIABILITY.md, Overload). A replica
 * still gets every cycle the gateway does not use.
 *
 * <p>Replicas get the gateway's replica token in their environment, where only this user (and root)
 * can read it, never on their command line, which every user sees in {@code ps}: other users of the
 * machine cannot call a replica on its loopback port directly.
 *
 * <p>Placement pins a replica to its device: to its core set with {@code taskset} (where it is on
 * the PATH), or to its GPU with {@code CUDA_VISIBLE_DEVICES}.
 *
 * @param nice the replicas' nice increment (0 to 19); 0 runs them at the gateway's priority
 * @param token the secret replicas require of callers, or null for none
 * @param cpuList the cores the replica is pinned to ({@code 0,1}), or empty for no pinning
 * @param cudaVisibleDevices the GPU the replica sees, or empty to leave it as inherited
 */
record ReplicaCommand(
    List<String> jvmOptions,
    int nice,
    ReplicaToken token,
    String cpuList,
    String cudaVisibleDevices) {
  ReplicaCommand(List<String> jvmOptions, int nice) {
    this(jvmOptions, nice, null);
  }

  ReplicaCommand(List<String> jvmOptions, int nice, ReplicaToken token) {
    this(jvmOptions, nice, token, "", "");
  }

  /** This command with {@code more} JVM options after its own (a later option wins). */
  ReplicaCommand withMoreJvmOptions(List<String> more) {
    List<String> all = new ArrayList<>(jvmOptions);
    more.stream().filter(o -> !o.isBlank()).forEach(all::add);
    return new ReplicaCommand(all, nice, token, cpuList, cudaVisibleDevices);
  }

  /** This command for a replica placed at {@code site}. */
  ReplicaCommand placedAt(ReplicaSite site) {
    return new ReplicaCommand(
        jvmOptions,
        site.nice() >= 0 ? site.nice() : nice,
        token,
        site.cpuList(),
        site.cudaVisibleDevices());
  }

  ReplicaCommand {
    jvmOptions = List.copyOf(jvmOptions);
    cpuList = cpuList == null ? "" : cpuList;
    cudaVisibleDevices = cudaVisibleDevices == null ? "" : cudaVisibleDevices;
    if (!cpuList.matches("[0-9,-]*")) {
      throw new IllegalArgumentException("cpu list = '" + cpuList + "', must be like 0,1 or 0-3");
    }
    if (nice < 0 || nice > 19) {
      throw new IllegalArgumentException("--replica-nice = " + nice + ", must be 0 to 19");
    }
  }

  /**
   * The command line of a replica: {@code [taskset -c CPUS] [nice -n N] java OPTIONS
   * [-XX:SharedArchiveFile=A] -cp CLASSPATH RuntimeMain ARGS} ({@code taskset} and {@code nice}
   * only where they are on the PATH; the archive where the build made one for this class path, see
   * {@link ClassDataArchive}).
   */
  List<String> commandLine(List<String> args) {
    return commandLine(RuntimeMain.class, args);
  }

  /** The command line of another of the runtime's programs, started as a replica is. */
  List<String> commandLine(Class<?> main, List<String> args) {
    List<String> cmd = new ArrayList<>();
    if (!cpuList.isEmpty() && onPath("taskset")) {
      cmd.addAll(List.of("taskset", "-c", cpuList));
    }
    if (nice > 0 && onPath("nice")) {
      cmd.addAll(List.of("nice", "-n", Integer.toString(nice)));
    }
    cmd.add(ProcessHandle.current().info().command().orElse("java"));
    cmd.addAll(jvmOptions);
    ClassDataArchive.option(System.getProperty("java.class.path"), jvmOptions).ifPresent(cmd::add);
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add(main.getName());
    cmd.addAll(args);
    return cmd;
  }

  /**
   * Sets up a replica's environment: the token, and nothing of the parent's token file or arbiter
   * socket (a replica shares a device only when placement gives it one).
   */
  void environment(Map<String, String> env) {
    env.remove(RuntimeMain.ARBITER_SOCKET_ENV);
    if (!cudaVisibleDevices.isEmpty()) {
      env.put("CUDA_VISIBLE_DEVICES", cudaVisibleDevices);
    }
    if (token != null) {
      token.export(env);
    } else {
      env.remove(ReplicaToken.ENV);
      env.remove(ReplicaToken.FILE_ENV);
    }
  }

  /**
   * Pins a running process (a standby replica handed a model) and all its threads to {@link
   * #cpuList}, without waiting for {@code taskset} to finish: threads the process starts later
   * inherit the pinning from the thread that starts them.
   */
  void pin(long pid) {
    if (cpuList.isEmpty() || !onPath("taskset")) {
      return;
    }
    try {
      new ProcessBuilder("taskset", "-a", "-p", "-c", cpuList, Long.toString(pid))
          .redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.DISCARD)
          .start();
    } catch (java.io.IOException e) {
      // the replica runs unpinned, on every core this process may use
    }
  }

  private static boolean onPath(String program) {
    String path = System.getenv("PATH");
    if (path == null) {
      return false;
    }
    for (String dir : path.split(File.pathSeparator)) {
      if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, program))) {
        return true;
      }
    }
    return false;
  }
}
