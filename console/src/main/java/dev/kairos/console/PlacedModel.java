package dev.kairos.console;

/**
 * A model on a device as the console shows it.
 *
 * @param model the model
 * @param replicas its replica processes running on the device now
 * @param reason why placement put it there
 */
public record PlacedModel(String model, int replicas, String reason) {}
