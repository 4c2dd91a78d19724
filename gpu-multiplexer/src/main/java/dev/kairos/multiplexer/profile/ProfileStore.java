package dev.kairos.multiplexer.profile;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Optional;

/**
 * Profiles live beside the model, as {@code profile.json} in its directory, written atomically
 * (temporary file, fsync, rename) so a reader never sees half of one.
 */
public final class ProfileStore {
  public static final String FILE = "profile.json";
  private static final ObjectMapper JSON =
      new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  private ProfileStore() {}

  public static Path write(Path modelDir, ModelProfile profile) throws IOException {
    Path target = modelDir.resolve(FILE);
    Path tmp = Files.createTempFile(modelDir, ".profile", ".tmp");
    try {
      Files.write(tmp, JSON.writeValueAsBytes(profile));
      try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
        ch.force(true);
      }
      Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } finally {
      Files.deleteIfExists(tmp);
    }
    return target;
  }

  /** The stored profile, if the model has one. */
  public static Optional<ModelProfile> read(Path modelDir) throws IOException {
    Path f = modelDir.resolve(FILE);
    if (!Files.isRegularFile(f)) {
      return Optional.empty();
    }
    try {
      return Optional.of(JSON.readValue(f.toFile(), ModelProfile.class));
    } catch (IOException | IllegalArgumentException e) {
      throw new IOException(f + ": not a valid profile: " + e.getMessage(), e);
    }
  }
}
