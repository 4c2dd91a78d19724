package dev.kairos.runtime.engine.onnx;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * What a file is on disk without reading it: its size, modification and change times (nanoseconds)
 * and inode. Any write to the file, or a file put in its place, changes at least one of them; the
 * change time cannot be set back by a program (unlike the modification time). Where the file system
 * has no Unix attributes, the change time and inode are 0 and the size and modification time
 * decide.
 */
record FileStamp(long size, long modifiedNanos, long changedNanos, long inode) {
  static FileStamp of(Path file) throws IOException {
    try {
      Map<String, Object> a = Files.readAttributes(file, "unix:size,lastModifiedTime,ctime,ino");
      return new FileStamp(
          (Long) a.get("size"),
          nanos((FileTime) a.get("lastModifiedTime")),
          nanos((FileTime) a.get("ctime")),
          ((Number) a.get("ino")).longValue());
    } catch (UnsupportedOperationException | IllegalArgumentException e) {
      BasicFileAttributes b = Files.readAttributes(file, BasicFileAttributes.class);
      return new FileStamp(b.size(), nanos(b.lastModifiedTime()), 0, 0);
    }
  }

  private static long nanos(FileTime t) {
    return t.to(TimeUnit.NANOSECONDS);
  }

  /** The stamp as one text value, as {@link #parse} reads it. */
  String text() {
    return size + ":" + modifiedNanos + ":" + changedNanos + ":" + inode;
  }

  /** The stamp written by {@link #text}, or null when the text is not one. */
  static FileStamp parse(String text) {
    if (text == null) {
      return null;
    }
    String[] p = text.split(":");
    if (p.length != 4) {
      return null;
    }
    try {
      return new FileStamp(
          Long.parseLong(p[0]), Long.parseLong(p[1]), Long.parseLong(p[2]), Long.parseLong(p[3]));
    } catch (NumberFormatException e) {
      return null;
    }
  }
}
