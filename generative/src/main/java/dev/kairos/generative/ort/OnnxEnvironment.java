package dev.kairos.generative.ort;

import ai.onnxruntime.OrtEnvironment;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.FutureTask;

/**
 * The process's ONNX Runtime environment, created on a thread whose stack fits the command line.
 *
 * <p>Creating the environment makes ONNX Runtime's native code read {@code /proc/self/cmdline} and
 * walk it recursively, so the stack it needs grows with the length of the process's command line (a
 * long {@code -cp}, many {@code -D} options). On a default Java thread stack a long command line
 * overflows it below the JVM's guard pages and the process dies of SIGSEGV (status 139) with no
 * {@code hs_err} file. Once the environment exists, sessions and runs need no more stack than
 * usual, so only the creation moves to a dedicated thread. Every caller takes the environment from
 * here, never from {@link OrtEnvironment#getEnvironment()}, whose first call would create it on the
 * caller's own stack.
 */
public final class OnnxEnvironment {
  /** Floor of the creating thread's stack: ample for any ordinary command line. */
  static final long MIN_STACK_BYTES = 16L << 20;

  /** Stack per byte of command line: several times what the native walk uses per byte. */
  static final long STACK_BYTES_PER_COMMAND_LINE_BYTE = 1024;

  private static FutureTask<OrtEnvironment> creation; // guarded by the class

  private OnnxEnvironment() {}

  /**
   * Starts creating the environment on its own thread, unless that has begun, and returns at once.
   * A process about to load a model on ONNX Runtime calls it as early as it can: loading ONNX
   * Runtime's native libraries and creating the environment is a good part of a fresh process's
   * start, and it needs nothing from the model.
   */
  public static synchronized void start() {
    if (creation == null) {
      creation = new FutureTask<>(OrtEnvironment::getEnvironment);
      Thread thread =
          new Thread(null, creation, "onnxruntime-environment", stackBytes(commandLineBytes()));
      thread.setDaemon(true);
      thread.start();
    }
  }

  /** The environment, created on the first call (on a large-stack thread), the same one after. */
  public static OrtEnvironment get() {
    FutureTask<OrtEnvironment> task;
    synchronized (OnnxEnvironment.class) {
      start();
      task = creation;
    }
    try {
      return task.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while creating the ONNX Runtime environment", e);
    } catch (ExecutionException e) {
      synchronized (OnnxEnvironment.class) {
        if (creation == task) {
          creation = null; // a later call tries again
        }
      }
      // Rethrow what OrtEnvironment itself threw (e.g. the native library failing to load).
      Throwable cause = e.getCause();
      if (cause instanceof RuntimeException runtime) {
        throw runtime;
      }
      if (cause instanceof Error error) {
        throw error;
      }
      throw new IllegalStateException("could not create the ONNX Runtime environment", cause);
    }
  }

  /** The stack the creating thread gets for a command line of {@code commandLineBytes}. */
  static long stackBytes(long commandLineBytes) {
    return Math.max(MIN_STACK_BYTES, commandLineBytes * STACK_BYTES_PER_COMMAND_LINE_BYTE);
  }

  /**
   * What ONNX Runtime will read: the kernel's copy of the arguments, else the JDK's view of them.
   */
  static long commandLineBytes() {
    try {
      return Files.readAllBytes(Path.of("/proc/self/cmdline")).length;
    } catch (IOException | UnsupportedOperationException | SecurityException e) {
      return ProcessHandle.current().info().commandLine().map(String::length).orElse(0);
    }
  }
}
