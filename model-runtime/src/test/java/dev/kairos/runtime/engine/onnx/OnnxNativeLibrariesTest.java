package dev.kairos.runtime.engine.onnx;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OnnxNativeLibrariesTest {
  @TempDir Path target;

  private Path jar() throws Exception {
    Files.createDirectories(target.resolve("lib"));
    return Files.createFile(target.resolve("lib").resolve("onnxruntime-1.29.0.jar"));
  }

  private Path unpack(String platform, String... libs) throws Exception {
    Path dir = target.resolve("native").resolve("onnxruntime-1.29.0").resolve(platform);
    Files.createDirectories(dir);
    for (String l : libs) {
      Files.createFile(dir.resolve(l));
    }
    return dir;
  }

  @Test
  void shouldFindTheLibrariesTheBuildUnpackedForThisPlatform() throws Exception {
    Path jar = jar();
    Path dir = unpack("linux-x64", "libonnxruntime.so", "libonnxruntime4j_jni.so");
    assertThat(OnnxNativeLibraries.unpacked(jar, "Linux", "amd64")).hasValue(dir);
  }

  @Test
  void shouldLeaveOnnxRuntimeToUnpackWhenAnyLibraryIsMissing() throws Exception {
    Path jar = jar();
    unpack("linux-x64", "libonnxruntime.so");
    assertThat(OnnxNativeLibraries.unpacked(jar, "Linux", "amd64")).isEmpty();
  }

  @Test
  void shouldNotHandAnotherPlatformsLibraries() throws Exception {
    Path jar = jar();
    unpack("linux-x64", "libonnxruntime.so", "libonnxruntime4j_jni.so");
    assertThat(OnnxNativeLibraries.unpacked(jar, "Linux", "aarch64")).isEmpty();
    assertThat(OnnxNativeLibraries.unpacked(jar, "Mac OS X", "amd64")).isEmpty();
  }
}
