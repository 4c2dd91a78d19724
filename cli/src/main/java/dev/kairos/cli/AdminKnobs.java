package dev.kairos.cli;

import dev.kairos.autoscaler.tuner.Setting;
import dev.kairos.sdk.model.BatchingConfig;
import dev.kairos.sdk.model.BatchingKnobs;
import dev.kairos.sdk.model.ModelConfig;
import dev.kairos.sdk.model.ScalingConfig;
import dev.kairos.sdk.model.ScalingKnobs;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Knobs of a running platform, through its admin API ({@code GET/PUT /admin/models/{m}/scaling});
 * the platform writes them into {@code model.yaml} itself. A model whose knobs read differently at
 * apply time than at the search's start is left alone.
 */
final class AdminKnobs implements KnobStore {
  private final AdminClient admin;
  private final Map<String, Map<String, Object>> read = new HashMap<>();

  AdminKnobs(AdminClient admin) {
    this.admin = admin;
  }

  @Override
  public ModelConfig current(String model) throws Exception {
    Map<String, Object> knobs;
    try {
      knobs = admin.scaling(model);
    } catch (AdminClient.AdminError e) {
      if (e.status == 404) {
        return null;
      }
      throw e;
    }
    synchronized (this) {
      read.put(model, knobs);
    }
    ScalingConfig scaling = ScalingKnobs.apply(ScalingConfig.DEFAULT, knobs);
    ModelConfig d = ModelConfig.defaults(model, null);
    return new ModelConfig(
        model,
        d.engine(),
        d.inputs(),
        d.outputs(),
        BatchingConfig.DEFAULT,
        d.device(),
        scaling,
        d.traffic(),
        d.options());
  }

  @Override
  public void apply(String model, Setting setting) throws Exception {
    for (String k : setting.knobs().keySet()) {
      if (BatchingKnobs.NAMES.contains(k)) {
        throw new IllegalArgumentException(
            "the admin API sets scaling knobs only; write batching knobs with --models DIR");
      }
    }
    Map<String, Object> before;
    synchronized (this) {
      before = read.get(model);
    }
    Map<String, Object> now = admin.scaling(model);
    if (!now.equals(before)) {
      throw new ModelChanged(
          "the scaling knobs of '"
              + model
              + "' changed since the search started; not overwritten (run kairos tune again)");
    }
    admin.setScaling(model, new LinkedHashMap<>(setting.knobs()));
  }

  @Override
  public String where() {
    return admin.base().toString();
  }
}
