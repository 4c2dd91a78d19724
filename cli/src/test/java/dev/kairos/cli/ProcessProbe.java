package dev.kairos.cli;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a fault test reads from outside a running {@code kairos serve}: its replica processes, its
 * admin API, and (from /proc) its threads and the TCP connections it holds open to a port.
 */
final class ProcessProbe {
  static final String ADMIN_KEY = "fault-test-admin-key";
  private static final Pattern ADMIN =
      Pattern.compile("Admin API on (http://127\\.0\\.0\\.1:\\d+)");
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  private ProcessProbe() {}

  /** Arguments that turn the admin API on at a free port. */
  static String[] adminArgs() {
    return new String[] {"--admin-port", "0", "--admin-key", ADMIN_KEY};
  }

  static String adminUrl(KairosProcess k) {
    Matcher m = ADMIN.matcher(k.output());
    if (!m.find()) {
      throw new IllegalStateException("serve printed no admin URL:\n" + k.output());
    }
    return m.group(1);
  }

  /** One model's entry of {@code GET /admin/supervision} (its JSON object), or "" when absent. */
  static String supervision(KairosProcess k, String model)
      throws IOException, InterruptedException {
    java.util.regex.Matcher m =
        java.util.regex.Pattern.compile("\\{\"model\":\"" + model + "\"[^}]*}")
            .matcher(admin(k, "/admin/supervision"));
    return m.find() ? m.group() : "";
  }

  static String admin(KairosProcess k, String path) throws IOException, InterruptedException {
    HttpResponse<String> r =
        HTTP.send(
            HttpRequest.newBuilder(URI.create(adminUrl(k) + path))
                .header("Authorization", "Bearer " + ADMIN_KEY)
                .GET()
                .build(),
            HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() != 200) {
      throw new IllegalStateException(path + " answered " + r.statusCode() + ": " + r.body());
    }
    return r.body();
  }

  /** Live runtime replica processes of serve whose command line mentions {@code modelDir}. */
  static List<ProcessHandle> replicas(KairosProcess k, Path modelDir) {
    String dir = modelDir.toString();
    return k.process()
        .descendants()
        .filter(ProcessHandle::isAlive)
        .filter(
            p ->
                p.info()
                    .commandLine()
                    .map(c -> c.contains("RuntimeMain") && c.contains(dir))
                    .orElse(false))
        .toList();
  }

  /** Sends {@code signal} (STOP, CONT, 9, ...) to a process with {@code kill}. */
  static void signal(String signal, long pid) throws IOException, InterruptedException {
    int status = new ProcessBuilder("kill", "-" + signal, Long.toString(pid)).start().waitFor();
    if (status != 0) {
      throw new AssertionError("kill -" + signal + " " + pid + " exited with " + status);
    }
  }

  /**
   * Threads of a process now, less the JVM's JIT compiler threads: HotSpot starts and stops those
   * as it has code to compile, so they come and go with no request's doing.
   */
  static int threads(long pid) throws IOException {
    int count = 0;
    try (var tasks = Files.list(Path.of("/proc/" + pid + "/task"))) {
      for (Path task : tasks.toList()) {
        try {
          if (!Files.readString(task.resolve("comm")).contains("CompilerThre")) {
            count++;
          }
        } catch (java.nio.file.NoSuchFileException gone) {
          // the thread ended while the folder was read
        }
      }
    }
    return count;
  }

  /** Open file descriptors of a process now. */
  static int fileDescriptors(long pid) throws IOException {
    try (var s = Files.list(Path.of("/proc/" + pid + "/fd"))) {
      return (int) s.count();
    }
  }

  /** TCP connections (any state but LISTEN) that process {@code pid} holds to remote port. */
  static int connectionsTo(long pid, int remotePort) throws IOException {
    Set<String> inodes = new HashSet<>();
    try (var fds = Files.list(Path.of("/proc/" + pid + "/fd"))) {
      for (Path fd : fds.toList()) {
        try {
          String target = Files.readSymbolicLink(fd).toString();
          if (target.startsWith("socket:[")) {
            inodes.add(target.substring(8, target.length() - 1));
          }
        } catch (IOException closedMeanwhile) {
          // the descriptor went away while listing
        }
      }
    }
    int n = 0;
    for (String table : List.of("tcp", "tcp6")) {
      Path file = Path.of("/proc/" + pid + "/net/" + table);
      if (!Files.exists(file)) {
        continue;
      }
      List<String> lines = Files.readAllLines(file);
      for (String line : lines.subList(1, lines.size())) {
        String[] f = line.trim().split("\\s+");
        String remote = f[2];
        int port = Integer.parseInt(remote.substring(remote.indexOf(':') + 1), 16);
        boolean listening = f[3].equals("0A");
        if (port == remotePort && !listening && inodes.contains(f[9])) {
          n++;
        }
      }
    }
    return n;
  }
}
