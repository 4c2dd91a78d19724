package dev.kairos.cli.deploy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kairos.runtime.host.TrustedPredictors;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PredictorTrustTest {
  private static final String JAVA =
      "name: hello\nengine: java\ninputs: [{name: x, datatype: FP32, shape: [-1]}]\n";

  @TempDir Path repo;
  @TempDir Path work;

  private Bundle javaBundle() throws Exception {
    Path dir = work.resolve("hello");
    Files.createDirectories(dir.resolve("1"));
    Files.writeString(dir.resolve("model.yaml"), JAVA);
    Files.writeString(dir.resolve("1/hello.jar"), "jar bytes");
    return Bundle.of(dir);
  }

  private BundleInstaller installer(PredictorTrust trust) {
    return new BundleInstaller(repo, 1 << 20, 100, trust);
  }

  @Test
  void shouldRefuseAnUnsignedJavaPredictorSayingHowToGetItAccepted() throws Exception {
    Bundle b = javaBundle();

    assertThatThrownBy(() -> installer(PredictorTrust.none()).install(b.zip(), "hello", null))
        .isInstanceOfSatisfying(
            BundleRejectedException.class, e -> assertThat(e.status()).isEqualTo(403))
        .hasMessageContaining("is a Java predictor")
        .hasMessageContaining("--trust-java-predictors")
        .hasMessageContaining("kairos deploy --sign-with");
    assertThat(repo.resolve("hello")).doesNotExist();
    assertThat(BundleInstaller.trustedPredictors(repo)).doesNotExist();
  }

  @Test
  void shouldAcceptAJavaPredictorSignedByATrustedKey() throws Exception {
    KeyPair team = BundleSignature.generate();
    Bundle signed = javaBundle().signedWith(team.getPrivate());

    installer(new PredictorTrust(false, List.of(team.getPublic())))
        .install(signed.zip(), "hello", null);

    assertThat(repo.resolve("hello/1/hello.jar")).hasContent("jar bytes");
    assertThat(repo.resolve("hello/1/" + Bundle.SIGNATURE)).doesNotExist();
    // accepted: the hosts may let it share, if it asks
    assertThat(
            TrustedPredictors.read(BundleInstaller.trustedPredictors(repo))
                .trusts(repo.resolve("hello/1/hello.jar")))
        .isTrue();
  }

  @Test
  void shouldRefuseASignatureByAnotherKeyOrOfOtherContent() throws Exception {
    KeyPair team = BundleSignature.generate();
    KeyPair stranger = BundleSignature.generate();
    PredictorTrust trust = new PredictorTrust(false, List.of(team.getPublic()));
    Bundle byStranger = javaBundle().signedWith(stranger.getPrivate());
    byte[] signature =
        BundleSignature.sign(BundleSignature.digest(javaBundle().zip()), team.getPrivate());
    byte[] tampered =
        BundleInstallerTest.zip(
            Map.of(
                "model.yaml",
                JAVA,
                "files/hello.jar",
                "other jar bytes",
                Bundle.SIGNATURE,
                new String(signature, java.nio.charset.StandardCharsets.US_ASCII)));

    assertThatThrownBy(() -> installer(trust).install(byStranger.zip(), "hello", null))
        .isInstanceOfSatisfying(
            BundleRejectedException.class, e -> assertThat(e.status()).isEqualTo(403))
        .hasMessageContaining("does not match any trusted key");
    assertThatThrownBy(
            () -> installer(trust).install(BundleInstallerTest.file(tampered), "hello", null))
        .isInstanceOfSatisfying(
            BundleRejectedException.class, e -> assertThat(e.status()).isEqualTo(403));
    assertThat(repo.resolve("hello")).doesNotExist();
  }

  @Test
  void shouldLeaveModelsWithoutJavaCodeAlone() throws Exception {
    byte[] onnx =
        BundleInstallerTest.zip(
            Map.of(
                "model.yaml",
                "name: m\nengine: onnxruntime\n",
                "files/model.onnx",
                "not parsed at install"));

    installer(PredictorTrust.none()).install(BundleInstallerTest.file(onnx), "m", null);

    assertThat(repo.resolve("m/1/model.onnx")).exists();
    assertThat(BundleInstaller.trustedPredictors(repo)).doesNotExist();
  }

  @Test
  void shouldReadTheKeysItWrites(@TempDir Path keys) throws Exception {
    KeyPair pair = BundleSignature.generate();
    Files.writeString(keys.resolve("k.key"), BundleSignature.pem(pair.getPrivate()));
    Files.writeString(
        keys.resolve("k.pub"),
        BundleSignature.pem(pair.getPublic())
            + BundleSignature.pem(BundleSignature.generate().getPublic()));

    assertThat(BundleSignature.readPrivateKey(keys.resolve("k.key"))).isEqualTo(pair.getPrivate());
    assertThat(BundleSignature.readPublicKeys(keys.resolve("k.pub")))
        .hasSize(2)
        .contains(pair.getPublic());
    assertThatThrownBy(() -> BundleSignature.readPublicKeys(keys.resolve("k.key")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("holds no PUBLIC KEY");
  }
}
