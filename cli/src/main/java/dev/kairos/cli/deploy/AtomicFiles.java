package dev.kairos.cli.deploy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Comparator;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * The repository's write primitives: a file is replaced by writing a hidden temporary file next to
 * it, fsyncing it, renaming it over the old one and fsyncing the folder, so a crash at any point
 * leaves the old or the new content, never a mix.
 */
public final class AtomicFiles {
  private AtomicFiles() {}

  /** Replaces (or creates) {@code file} with {@code content}, atomically and durably. */
  static void write(Path file, byte[] content) throws IOException {
    Path dir = file.toAbsolutePath().getParent();
    Path tmp = dir.resolve("." + file.getFileName() + ".tmp-" + UUID.randomUUID());
    try {
      try (FileChannel c =
          FileChannel.open(tmp, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
        ByteBuffer b = ByteBuffer.wrap(content);
        while (b.hasRemaining()) {
          c.write(b);
        }
        c.force(true);
      }
      Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      syncDir(dir);
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  /** Whether {@code file} is a temporary file of {@link #write} that a crash left behind. */
  static boolean isTemporary(Path file) {
    return file.getFileName().toString().matches("\\..+\\.tmp-[0-9a-f-]{36}");
  }

  /** Renames atomically and makes the rename durable. */
  static void move(Path from, Path to) throws IOException {
    Files.move(from, to, StandardCopyOption.ATOMIC_MOVE);
    syncDir(to.toAbsolutePath().getParent());
    if (!from.toAbsolutePath().getParent().equals(to.toAbsolutePath().getParent())) {
      syncDir(from.toAbsolutePath().getParent());
    }
  }

  /** Fsyncs every file and folder under {@code dir}, deepest first. */
  static void syncTree(Path dir) throws IOException {
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
        if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
          syncDir(p);
        } else {
          try (FileChannel c = FileChannel.open(p, StandardOpenOption.WRITE)) {
            c.force(true);
          }
        }
      }
    }
  }

  /** Makes renames in {@code dir} durable (best effort where folders cannot be opened). */
  static void syncDir(Path dir) {
    try (FileChannel c = FileChannel.open(dir, StandardOpenOption.READ)) {
      c.force(true);
    } catch (IOException ignored) {
      // not every platform lets a folder be opened for fsync
    }
  }

  /** Deletes a tree, not following links. */
  public static void deleteTree(Path dir) {
    if (!Files.exists(dir, LinkOption.NOFOLLOW_LINKS)) {
      return;
    }
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
