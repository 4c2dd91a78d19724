package dev.kairos.cli.deploy;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;

/**
 * Finds the entries a zip marks as symbolic links. {@code java.util.zip} never creates links (it
 * would write the link's target path as a plain file), but the mark is read from the central
 * directory (Unix mode in the external attributes) so that such a bundle is refused with a clear
 * message instead of being half-honoured. Only the end of the file and its central directory are
 * read, not the entries' contents.
 */
final class ZipLinks {
  private static final int EOCD = 0x06054b50;
  private static final int CENTRAL = 0x02014b50;
  private static final int S_IFMT = 0170000;
  private static final int S_IFLNK = 0120000;

  /** The largest central directory read; 100,000 entries with long names fit. */
  private static final int MAX_DIRECTORY = 64 << 20;

  private ZipLinks() {}

  /**
   * Names of the entries marked as symbolic links; empty when there is no readable directory.
   *
   * @throws BundleRejectedException 413 when the central directory is larger than is read
   */
  static List<String> of(Path zip) throws IOException {
    List<String> links = new ArrayList<>();
    try (FileChannel c = FileChannel.open(zip, StandardOpenOption.READ)) {
      long size = c.size();
      int tailLength = (int) Math.min(size, 22 + 65_535);
      ByteBuffer tail = read(c, size - tailLength, tailLength);
      int eocd = -1;
      for (int i = tailLength - 22; i >= 0; i--) {
        if (tail.getInt(i) == EOCD) {
          eocd = i;
          break;
        }
      }
      if (eocd < 0) {
        return links;
      }
      int entries = Short.toUnsignedInt(tail.getShort(eocd + 10));
      long length = Integer.toUnsignedLong(tail.getInt(eocd + 12));
      long offset = Integer.toUnsignedLong(tail.getInt(eocd + 16));
      if (offset + length > size) {
        return links; // not a directory this reader understands; unpacking will say what is wrong
      }
      if (length > MAX_DIRECTORY) {
        throw new BundleRejectedException(
            413, "the bundle's central directory is larger than " + MAX_DIRECTORY + " bytes");
      }
      ByteBuffer b = read(c, offset, (int) length);
      int at = 0;
      for (int n = 0; n < entries && at + 46 <= length; n++) {
        if (b.getInt(at) != CENTRAL) {
          break;
        }
        int madeBy = Short.toUnsignedInt(b.getShort(at + 4)) >> 8;
        int nameLength = Short.toUnsignedInt(b.getShort(at + 28));
        int extraLength = Short.toUnsignedInt(b.getShort(at + 30));
        int commentLength = Short.toUnsignedInt(b.getShort(at + 32));
        int mode = b.getInt(at + 38) >>> 16;
        if (at + 46 + nameLength > length) {
          break;
        }
        if (madeBy == 3 && (mode & S_IFMT) == S_IFLNK) {
          byte[] name = new byte[nameLength];
          b.get(at + 46, name);
          links.add(new String(name, StandardCharsets.UTF_8));
        }
        at += 46 + nameLength + extraLength + commentLength;
      }
    }
    return links;
  }

  private static ByteBuffer read(FileChannel c, long position, int length) throws IOException {
    ByteBuffer b = ByteBuffer.allocate(length).order(ByteOrder.LITTLE_ENDIAN);
    while (b.hasRemaining()) {
      if (c.read(b, position + b.position()) < 0) {
        break;
      }
    }
    return b.flip().order(ByteOrder.LITTLE_ENDIAN);
  }
}
