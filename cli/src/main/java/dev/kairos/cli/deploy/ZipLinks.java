package dev.kairos.cli.deploy;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Finds the entries a zip marks as symbolic links. {@code java.util.zip} never creates links (it
 * would write the link's target path as a plain file), but the mark is read from the central
 * directory (Unix mode in the external attributes) so that such a bundle is refused with a clear
 * message instead of being half-honoured.
 */
final class ZipLinks {
  private static final int EOCD = 0x06054b50;
  private static final int CENTRAL = 0x02014b50;
  private static final int S_IFMT = 0170000;
  private static final int S_IFLNK = 0120000;

  private ZipLinks() {}

  /** Names of the entries marked as symbolic links; empty when there is no readable directory. */
  static List<String> of(byte[] zip) {
    ByteBuffer b = ByteBuffer.wrap(zip).order(ByteOrder.LITTLE_ENDIAN);
    int eocd = -1;
    for (int i = zip.length - 22; i >= Math.max(0, zip.length - 22 - 65_535); i--) {
      if (b.getInt(i) == EOCD) {
        eocd = i;
        break;
      }
    }
    List<String> links = new ArrayList<>();
    if (eocd < 0) {
      return links;
    }
    int entries = Short.toUnsignedInt(b.getShort(eocd + 10));
    long offset = Integer.toUnsignedLong(b.getInt(eocd + 16));
    int at = (int) Math.min(offset, Integer.MAX_VALUE);
    for (int n = 0; n < entries && at >= 0 && at + 46 <= zip.length; n++) {
      if (b.getInt(at) != CENTRAL) {
        break;
      }
      int madeBy = Short.toUnsignedInt(b.getShort(at + 4)) >> 8;
      int nameLength = Short.toUnsignedInt(b.getShort(at + 28));
      int extraLength = Short.toUnsignedInt(b.getShort(at + 30));
      int commentLength = Short.toUnsignedInt(b.getShort(at + 32));
      int mode = b.getInt(at + 38) >>> 16;
      if (at + 46 + nameLength > zip.length) {
        break;
      }
      if (madeBy == 3 && (mode & S_IFMT) == S_IFLNK) {
        links.add(new String(zip, at + 46, nameLength, StandardCharsets.UTF_8));
      }
      at += 46 + nameLength + extraLength + commentLength;
    }
    return links;
  }
}
