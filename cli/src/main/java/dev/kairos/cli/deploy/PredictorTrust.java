package dev.kairos.cli.deploy;

import java.io.IOException;
import java.nio.file.Path;
import java.security.PublicKey;
import java.util.List;

/**
 * Which deploys may bring Java code: a Java predictor runs inside a replica with the platform's
 * rights, so a bundle with {@code engine: java} is installed only when the platform was started
 * with {@code --trust-java-predictors}, or when it is signed by one of the keys of {@code
 * --trusted-keys}. Models without Java code are not affected.
 *
 * @param trustAll every Java predictor is accepted (the operator said so at start)
 * @param keys public keys whose signatures are accepted
 */
public record PredictorTrust(boolean trustAll, List<PublicKey> keys) {
  public PredictorTrust {
    keys = List.copyOf(keys);
  }

  /** Java predictors are refused (the default). */
  public static PredictorTrust none() {
    return new PredictorTrust(false, List.of());
  }

  /** Java predictors are accepted without a signature. */
  public static PredictorTrust all() {
    return new PredictorTrust(true, List.of());
  }

  /**
   * Checks a bundle that holds a Java predictor.
   *
   * @param signature the bundle's signature entry, or null
   * @throws BundleRejectedException 403 saying how to get it accepted
   */
  void check(String model, Path zip, byte[] signature) throws IOException {
    if (trustAll) {
      return;
    }
    String how =
        "; start the platform with --trust-java-predictors, or sign the bundle with a key it"
            + " trusts (kairos keygen, kairos serve --trusted-keys, kairos deploy --sign-with)";
    if (signature == null) {
      throw new BundleRejectedException(
          403,
          "model '"
              + model
              + "' is a Java predictor (engine: java), which runs code on this platform; the bundle"
              + " is not signed"
              + how);
    }
    byte[] digest = BundleSignature.digest(zip);
    for (PublicKey k : keys) {
      if (BundleSignature.verify(digest, signature, k)) {
        return;
      }
    }
    throw new BundleRejectedException(
        403,
        "model '"
            + model
            + "' is a Java predictor (engine: java); its signature does not match any trusted"
            + " key"
            + (keys.isEmpty() ? " (no --trusted-keys were given)" : "")
            + how);
  }
}
