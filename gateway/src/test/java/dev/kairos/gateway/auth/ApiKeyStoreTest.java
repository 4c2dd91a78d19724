package dev.kairos.gateway.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The store's states, with the test driving the poll ({@code reloadIfChanged}) by hand. */
class ApiKeyStoreTest {
  @TempDir Path dir;

  private static String line(String name, String secret) {
    return name + " " + ApiKeys.sha256Hex(secret) + " infer:*";
  }

  @Test
  void shouldRefuseWhileAWatchedFileIsAbsentAndTakeItsKeysWhenItAppears() throws Exception {
    Path file = dir.resolve("api-keys");
    ApiKeyStore store = ApiKeyStore.watching(file, List.of(), false);
    assertThat(store.enforced()).isTrue();
    assertThat(store.current().all()).isEmpty();

    Files.write(file, List.of(line("app", "one")));
    store.reloadIfChanged();
    assertThat(store.enforced()).isTrue();
    assertThat(store.current().find("one")).isNotNull();
  }

  @Test
  void shouldPickUpAChangeOfContentEvenWithTheSameModificationTime() throws Exception {
    Path file = Files.write(dir.resolve("api-keys"), List.of(line("app", "one")));
    ApiKeyStore store = ApiKeyStore.watching(file, List.of(), false);
    var stamp = Files.getLastModifiedTime(file);
    Files.write(file, List.of(line("app", "two")));
    Files.setLastModifiedTime(file, stamp);
    store.reloadIfChanged();
    assertThat(store.current().find("one")).isNull();
    assertThat(store.current().find("two")).isNotNull();
  }

  @Test
  void shouldDropTheKeysAndStayClosedWhenTheFileGoesAway() throws Exception {
    Path file = Files.write(dir.resolve("api-keys"), List.of(line("app", "one")));
    ApiKey admin = ApiKeys.parseLine("admin " + ApiKeys.sha256Hex("root-key") + " admin");
    ApiKeyStore store = ApiKeyStore.fromFile(file, List.of(admin));
    Files.delete(file);
    store.reloadIfChanged();
    assertThat(store.enforced()).isTrue();
    assertThat(store.current().find("one")).isNull();
    assertThat(store.current().find("root-key")).isNotNull();
    assertThatThrownBy(store::reload).isInstanceOf(NoSuchFileException.class);
  }

  @Test
  void shouldKeepTheOldKeysWhenTheFileBecomesMalformed() throws Exception {
    Path file = Files.write(dir.resolve("api-keys"), List.of(line("app", "one")));
    ApiKeyStore store = ApiKeyStore.watching(file, List.of(), true);
    Files.write(file, List.of("broken line"));
    store.reloadIfChanged();
    assertThat(store.enforced()).isTrue();
    assertThat(store.current().find("one")).isNotNull();
  }

  @Test
  void shouldBeOpenWithoutTheFileOnlyWhenAllowedAndCloseWhenItAppears() throws Exception {
    Path file = dir.resolve("api-keys");
    ApiKeyStore store = ApiKeyStore.watching(file, List.of(), true);
    assertThat(store.enforced()).isFalse();

    Files.write(file, List.of(line("app", "one")));
    store.reloadIfChanged();
    assertThat(store.enforced()).isTrue();

    Files.delete(file);
    store.reloadIfChanged();
    assertThat(store.enforced()).isFalse();
  }

  @Test
  void shouldRefuseAtStartAKeysFileTheOperatorNamedThatIsNotThere() {
    assertThatThrownBy(() -> ApiKeyStore.fromFile(dir.resolve("missing"), List.of()))
        .isInstanceOf(NoSuchFileException.class);
  }

  @Test
  void shouldLeaveInferenceOpenWithoutAnyFileInLocalMode() throws Exception {
    ApiKey admin = ApiKeys.parseLine("admin " + ApiKeys.sha256Hex("root-key") + " admin");
    ApiKeyStore store = ApiKeyStore.fromFile(null, List.of(admin));
    assertThat(store.enforced()).isFalse();
    assertThat(store.current().find("root-key")).isNotNull();
  }
}
