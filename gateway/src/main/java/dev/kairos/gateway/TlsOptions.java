package dev.kairos.gateway;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * TLS on the public port.
 *
 * @param certificate PEM certificate chain
 * @param privateKey PEM private key (PKCS#8 or PKCS#1)
 */
public record TlsOptions(Path certificate, Path privateKey) {
  public TlsOptions {
    if (certificate == null || !Files.isReadable(certificate)) {
      throw new IllegalArgumentException("TLS certificate " + certificate + " is not readable");
    }
    if (privateKey == null || !Files.isReadable(privateKey)) {
      throw new IllegalArgumentException("TLS private key " + privateKey + " is not readable");
    }
  }
}
