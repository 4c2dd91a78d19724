package dev.kairos.runtime.host;

import com.sun.jna.Library;
import com.sun.jna.Native;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Hands the C heap's free memory back to the system after a model is loaded or closed: glibc's
 * {@code malloc_trim(0)}, which releases free pages inside its arenas as well as at their tops. A
 * host keeps engine allocations up to a size in its arenas rather than a fresh mapping each (fast
 * loads, see {@code RuntimeProcess}); without this, what an unloaded model freed there would stay
 * resident until another load reused it. Where the C library has no {@code malloc_trim} (not
 * glibc), it does nothing.
 */
final class NativeHeap {
  private static final Logger log = LoggerFactory.getLogger(NativeHeap.class);

  private interface LibC extends Library {
    int malloc_trim(long pad);
  }

  private static volatile LibC libc = load();

  private NativeHeap() {}

  private static LibC load() {
    try {
      return Native.load("c", LibC.class);
    } catch (UnsatisfiedLinkError | RuntimeException e) {
      log.info("no C library to trim the heap with ({}): freed memory stays", e.toString());
      return null;
    }
  }

  /** Returns free heap memory to the system; false where this C library cannot. */
  static boolean trim() {
    LibC c = libc;
    if (c == null) {
      return false;
    }
    try {
      c.malloc_trim(0);
      return true;
    } catch (UnsatisfiedLinkError e) {
      libc = null; // a C library without malloc_trim
      log.info("the C library has no malloc_trim: freed memory stays");
      return false;
    }
  }
}
