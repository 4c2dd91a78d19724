package dev.kairos.multiplexer.device;

/**
 * Something models run on and share: a CUDA card, or a set of CPU cores.
 *
 * @param id unique on the node, e.g. {@code gpu0} or {@code cpu0}
 * @param kind what it is
 * @param name what the hardware calls itself, for people
 * @param memoryBytes memory models may use on it
 * @param cores CPU cores in the set (0 for a GPU)
 */
public record Device(String id, Kind kind, String name, long memoryBytes, int cores) {
  public enum Kind {
    CPU,
    GPU
  }

  public Device {
    if (id == null || id.isBlank()) {
      throw new IllegalArgumentException("device id must not be blank");
    }
    if (memoryBytes <= 0) {
      throw new IllegalArgumentException(
          "device " + id + ": memoryBytes = " + memoryBytes + ", must be > 0");
    }
  }

  public static Device cpu(String id, int cores, long memoryBytes) {
    return new Device(id, Kind.CPU, cores + " CPU cores", memoryBytes, cores);
  }

  public static Device gpu(String id, String name, long memoryBytes) {
    return new Device(id, Kind.GPU, name, memoryBytes, 0);
  }
}
