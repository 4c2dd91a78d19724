package dev.kairos.cli;

import dev.kairos.cli.deploy.BundleSignature;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Parameters;

/**
 * {@code kairos keygen NAME}: an Ed25519 key pair for signing deploy bundles ({@code NAME.key},
 * readable by its owner only) and for trusting them ({@code NAME.pub}, for {@code kairos serve
 * --trusted-keys}).
 */
@Command(
    name = "keygen",
    description =
        "Make an Ed25519 key pair to sign deploy bundles: NAME.key (kairos deploy --sign-with)"
            + " and NAME.pub (kairos serve --trusted-keys).")
final class KeygenCommand implements Callable<Integer> {
  @Parameters(paramLabel = "NAME", description = "Path prefix of the two files, e.g. keys/release.")
  Path name;

  @Override
  public Integer call() throws Exception {
    Path key = Path.of(name + ".key");
    Path pub = Path.of(name + ".pub");
    if (Files.exists(key) || Files.exists(pub)) {
      System.err.println("kairos keygen: " + key + " or " + pub + " exists; not overwriting it");
      return 1;
    }
    if (key.toAbsolutePath().getParent() != null) {
      Files.createDirectories(key.toAbsolutePath().getParent());
    }
    KeyPair pair = BundleSignature.generate();
    Files.createFile(
        key, PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------")));
    Files.writeString(key, BundleSignature.pem(pair.getPrivate()), StandardCharsets.US_ASCII);
    Files.writeString(pub, BundleSignature.pem(pair.getPublic()), StandardCharsets.US_ASCII);
    System.out.println("Wrote " + key + " (private: keep it secret) and " + pub + " (public)");
    return 0;
  }
}
