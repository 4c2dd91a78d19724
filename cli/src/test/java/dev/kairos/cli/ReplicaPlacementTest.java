package dev.kairos.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.kairos.multiplexer.device.DeviceInventory;
import dev.kairos.multiplexer.placement.SloAwarePlacement;
import dev.kairos.multiplexer.profile.BatchLatency;
import dev.kairos.multiplexer.profile.ModelProfile;
import dev.kairos.multiplexer.profile.ProfileStore;
import dev.kairos.multiplexer.serving.ServingPlacement;
import dev.kairos.runtime.repository.ModelDirectory;
import dev.kairos.runtime.repository.ModelRepository;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Where {@code kairos serve} starts replicas: real model folders, profiles and arbiters. */
class ReplicaPlacementTest {
  private static final long MS = 1_000_000;
  @TempDir Path repo;
  private final SharedDevices arbiters = new SharedDevices("deadline");
  private final Map<String, Double> rates = new java.util.HashMap<>();

  @AfterEach
  void stop() {
    arbiters.close();
  }

  private ReplicaPlacement placement(int cpuDevices, DeviceSharing sharing) {
    return new ReplicaPlacement(
        new DeviceInventory(
            () -> {
              throw new AssertionError("no model asked for a GPU: the probe must not run");
            },
            List.of(0, 1, 2, 3),
            cpuDevices,
            16L << 30),
        new ServingPlacement(new SloAwarePlacement(0.9, 8 * MS), 8 * MS),
        new ModelDemands(m -> rates.getOrDefault(m, 0.0)),
        arbiters,
        sharing);
  }

  @Test
  void shouldLetAHeavyAndALightModelTakeTurnsThroughTheDevicesArbiter() throws Exception {
    List<ModelDirectory> served = List.of(model("mlp", "light", ""), heavy("resnet"));
    ReplicaPlacement p = placement(1, DeviceSharing.ARBITER);

    ReplicaSite light = p.assign(served.get(0), served);
    ReplicaSite heavy = p.assign(served.get(1), served);

    assertThat(light.device()).isEqualTo("cpu0").isEqualTo(heavy.device());
    assertThat(light.runtimeArgs()).hasSize(2).first().isEqualTo("--arbiter-socket");
    assertThat(heavy.runtimeArgs()).isEqualTo(light.runtimeArgs());
    assertThat(arbiters.arbiters()).containsOnlyKeys("cpu0");
    assertThat(light.cpuList()).isEqualTo("0,1,2,3");
    assertThat(light.standbyAllowed()).isFalse();
    assertThat(light.description()).contains("placed on cpu0 with resnet", "arbiter");
  }

  @Test
  void shouldSpreadHostsOverTheCoreSetsAndPlaceAHostedModelOnOne() throws Exception {
    List<ModelDirectory> served = List.of(model("mlp", "light", ""), heavy("resnet"));
    ReplicaPlacement two = placement(2, DeviceSharing.WEIGHTS);

    assertThat(two.hostSites())
        .extracting(ReplicaSite::device, ReplicaSite::cpuList)
        .containsExactly(
            org.assertj.core.groups.Tuple.tuple("cpu0", "0,1"),
            org.assertj.core.groups.Tuple.tuple("cpu1", "2,3"));
    assertThat(two.hostDevice(served.get(0), served)).isIn("cpu0", "cpu1");

    // one core set: nothing to spread or decide, hosts run on every core
    ReplicaPlacement one = placement(1, DeviceSharing.WEIGHTS);
    assertThat(one.hostSites()).isEmpty();
    assertThat(one.hostDevice(served.get(0), served)).isNull();
    // the Devices page counts a hosted replica on its host's device, or on the one core set
    assertThat(one.deviceOfHost("")).isEqualTo("cpu0");
    assertThat(two.deviceOfHost("cpu1")).isEqualTo("cpu1");
  }

  @Test
  void shouldRunTheHeavyModelAtTheLowestPriorityUnderCpuWeights() throws Exception {
    List<ModelDirectory> served = List.of(model("mlp", "light", ""), heavy("resnet"));
    ReplicaPlacement p = placement(1, DeviceSharing.WEIGHTS);

    ReplicaSite light = p.assign(served.get(0), served);
    ReplicaSite heavy = p.assign(served.get(1), served);

    assertThat(heavy.nice()).isEqualTo(19);
    assertThat(light.nice()).isEqualTo(-1);
    assertThat(light.runtimeArgs()).isEmpty();
    assertThat(heavy.runtimeArgs()).isEmpty();
    assertThat(arbiters.arbiters()).isEmpty();
    assertThat(light.standbyAllowed()).isTrue();
    assertThat(heavy.standbyAllowed()).isFalse();
  }

  @Test
  void shouldLeaveModelsOnOneDeviceAloneWithSharingOff() throws Exception {
    List<ModelDirectory> served = List.of(model("mlp", "light", ""), heavy("resnet"));
    ReplicaPlacement p = placement(1, DeviceSharing.OFF);

    ReplicaSite heavy = p.assign(served.get(1), served);

    assertThat(heavy.device()).isEqualTo("cpu0");
    assertThat(heavy.runtimeArgs()).isEmpty();
    assertThat(heavy.nice()).isEqualTo(-1);
    assertThat(heavy.description()).contains("do not take turns");
  }

  @Test
  void shouldPinBusyHeavyModelsToCoreSetsOfTheirOwn() throws Exception {
    List<ModelDirectory> served = List.of(heavy("a"), heavy("b"));
    rates.put("a", 30.0);
    rates.put("b", 30.0);
    ReplicaPlacement p = placement(2, DeviceSharing.ARBITER);

    ReplicaSite a = p.assign(served.get(0), served);
    ReplicaSite b = p.assign(served.get(1), served);

    assertThat(List.of(a.cpuList(), b.cpuList())).containsExactlyInAnyOrder("0,1", "2,3");
    assertThat(a.runtimeArgs()).isEmpty();
    assertThat(a.description()).contains("alone on");
  }

  @Test
  void shouldCallAReplicaMisplacedOnceItsModelBelongsElsewhere() throws Exception {
    List<ModelDirectory> served = List.of(heavy("a"), heavy("b"));
    ReplicaPlacement p = placement(2, DeviceSharing.ARBITER);
    ReplicaSite a = p.assign(served.get(0), served);
    String elsewhere = a.device().equals("cpu0") ? "cpu1" : "cpu0";

    p.started("a v1#1", a.device());
    p.started("a v1#2", elsewhere);

    assertThat(p.misplaced("a v1#1", "a", served)).isFalse();
    assertThat(p.misplaced("a v1#2", "a", served)).isTrue();
    assertThat(p.misplaced("a v1#3", "a", served)).isFalse();
  }

  @Test
  void shouldRefuseAGpuModelWhereTheProbeFindsNoGpu() throws Exception {
    ModelDirectory gpu = model("llm", "light", "kind: gpu, ");
    ReplicaPlacement p =
        new ReplicaPlacement(
            new DeviceInventory(List::of, List.of(0, 1), 1, 8L << 30),
            new ServingPlacement(new SloAwarePlacement(0.9, 8 * MS), 8 * MS),
            new ModelDemands(m -> 0),
            arbiters,
            DeviceSharing.WEIGHTS);

    assertThatThrownBy(() -> p.assign(gpu, List.of(gpu)))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining("model 'llm' asks for device.kind: gpu")
        .hasMessageContaining("the CUDA probe found no GPU");
  }

  @Test
  void shouldLetDeviceSharedOverridePlacement() throws Exception {
    ModelDirectory pinned = model("mlp", "light", "shared: mine, ");
    ReplicaPlacement p = placement(1, DeviceSharing.WEIGHTS);

    ReplicaSite site = p.assign(pinned, List.of(pinned));

    assertThat(site.device()).isEqualTo("mine");
    assertThat(site.runtimeArgs()).contains("--arbiter-socket");
    assertThat(site.description()).contains("shares device mine as a light model");
  }

  private ModelDirectory heavy(String name) throws Exception {
    ModelDirectory d = model(name, "heavy", "");
    ProfileStore.write(
        d.dir(),
        new ModelProfile(
            name,
            "cpu:4",
            List.of(new BatchLatency(1, 25 * MS, 35 * MS), new BatchLatency(4, 90 * MS, 120 * MS)),
            100L << 20,
            0,
            "measured by a test"));
    return ModelRepository.read(d.dir());
  }

  private ModelDirectory model(String name, String cls, String deviceFields) throws Exception {
    Path src = Path.of("..", "examples", "models", "mlp");
    Path dst = repo.resolve(name);
    Files.createDirectories(dst.resolve("1"));
    Files.copy(src.resolve("1/model.onnx"), dst.resolve("1/model.onnx"));
    Files.writeString(
        dst.resolve("model.yaml"),
        "name: "
            + name
            + "\nengine: onnxruntime\ndevice: {"
            + deviceFields
            + "class: "
            + cls
            + "}\n");
    ModelDirectory d = ModelRepository.read(dst);
    assertThat(d.ok()).as(String.valueOf(d.error())).isTrue();
    return d;
  }
}
