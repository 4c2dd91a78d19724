package dev.kairos.kubernetes.reconcile;

/** Told what the reconciler serves: how the autoscaler learns its targets and their knobs. */
public interface ModelListener {
  /** A Model was reconciled: these versions run with this configuration. */
  void served(String model, ModelDocument doc);

  /** A Model was deleted. */
  void removed(String model);

  ModelListener NONE =
      new ModelListener() {
        @Override
        public void served(String model, ModelDocument doc) {}

        @Override
        public void removed(String model) {}
      };
}
