package dev.kairos.cli.deploy;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

/**
 * Ed25519 signatures of deploy bundles (the JDK's own {@code java.security}, no extra library).
 * What is signed is the bundle's content, not its zip bytes: the SHA-256 of every entry's name and
 * content hash, sorted by name, leaving out the signature entry itself. Keys are PEM files: {@code
 * PRIVATE KEY} (PKCS#8) to sign, {@code PUBLIC KEY} (X.509) to verify.
 */
public final class BundleSignature {
  private static final String ALGORITHM = "Ed25519";
  private static final Pattern PEM =
      Pattern.compile("-----BEGIN ([A-Z ]+)-----([A-Za-z0-9+/=\\s]+)-----END \\1-----");

  private BundleSignature() {}

  /** A new key pair. */
  public static KeyPair generate() throws GeneralSecurityException {
    return KeyPairGenerator.getInstance(ALGORITHM).generateKeyPair();
  }

  /** The digest that a signature covers, of a bundle read from disk as it is hashed. */
  public static byte[] digest(Path zip) throws IOException {
    Map<String, byte[]> hashes = new TreeMap<>();
    try (ZipInputStream in =
        new ZipInputStream(new BufferedInputStream(Files.newInputStream(zip), 64 * 1024))) {
      ZipEntry e;
      while ((e = in.getNextEntry()) != null) {
        if (e.isDirectory() || e.getName().equals(Bundle.SIGNATURE)) {
          continue;
        }
        MessageDigest sha = sha256();
        byte[] buf = new byte[64 * 1024];
        int r;
        while ((r = in.read(buf)) > 0) {
          sha.update(buf, 0, r);
        }
        hashes.put(e.getName(), sha.digest());
      }
    }
    MessageDigest all = sha256();
    for (Map.Entry<String, byte[]> h : hashes.entrySet()) {
      byte[] name = h.getKey().getBytes(StandardCharsets.UTF_8);
      all.update(java.nio.ByteBuffer.allocate(4).putInt(name.length).array());
      all.update(name);
      all.update(h.getValue());
    }
    return all.digest();
  }

  /** Signs a digest; the signature as written into a bundle (base64 text). */
  public static byte[] sign(byte[] digest, PrivateKey key) throws GeneralSecurityException {
    Signature s = Signature.getInstance(ALGORITHM);
    s.initSign(key);
    s.update(digest);
    return Base64.getEncoder().encode(s.sign());
  }

  /** Whether {@code signature} (base64 text) is {@code key}'s signature of {@code digest}. */
  public static boolean verify(byte[] digest, byte[] signature, PublicKey key) {
    try {
      Signature s = Signature.getInstance(ALGORITHM);
      s.initVerify(key);
      s.update(digest);
      return s.verify(Base64.getMimeDecoder().decode(signature));
    } catch (GeneralSecurityException | IllegalArgumentException e) {
      return false;
    }
  }

  /** PEM text of a key ({@code PRIVATE KEY} or {@code PUBLIC KEY}). */
  public static String pem(java.security.Key key) {
    String type = key instanceof PrivateKey ? "PRIVATE KEY" : "PUBLIC KEY";
    return "-----BEGIN "
        + type
        + "-----\n"
        + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
            .encodeToString(key.getEncoded())
        + "\n-----END "
        + type
        + "-----\n";
  }

  /**
   * Reads an Ed25519 private key from a PEM file.
   *
   * @throws IllegalArgumentException saying what the file lacks
   */
  public static PrivateKey readPrivateKey(Path file) throws IOException {
    List<byte[]> der = blocks(file, "PRIVATE KEY");
    if (der.size() != 1) {
      throw new IllegalArgumentException(file + " holds no (or more than one) PRIVATE KEY block");
    }
    try {
      return KeyFactory.getInstance(ALGORITHM).generatePrivate(new PKCS8EncodedKeySpec(der.get(0)));
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException(file + " holds no Ed25519 private key: " + e.getMessage());
    }
  }

  /**
   * Reads every Ed25519 public key of a PEM file.
   *
   * @throws IllegalArgumentException when there is none, or a block is not an Ed25519 key
   */
  public static List<PublicKey> readPublicKeys(Path file) throws IOException {
    List<PublicKey> keys = new ArrayList<>();
    for (byte[] der : blocks(file, "PUBLIC KEY")) {
      try {
        keys.add(KeyFactory.getInstance(ALGORITHM).generatePublic(new X509EncodedKeySpec(der)));
      } catch (GeneralSecurityException e) {
        throw new IllegalArgumentException(file + " holds a key that is not Ed25519: " + e);
      }
    }
    if (keys.isEmpty()) {
      throw new IllegalArgumentException(file + " holds no PUBLIC KEY block");
    }
    return keys;
  }

  private static List<byte[]> blocks(Path file, String type) throws IOException {
    List<byte[]> out = new ArrayList<>();
    Matcher m = PEM.matcher(Files.readString(file, StandardCharsets.US_ASCII));
    while (m.find()) {
      if (m.group(1).equals(type)) {
        out.add(Base64.getMimeDecoder().decode(m.group(2).trim()));
      }
    }
    return out;
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }
}
