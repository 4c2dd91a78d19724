package dev.kairos.runtime.repository;

import java.nio.file.Path;

/**
 * One numbered version folder of a model and the artifact found in it.
 *
 * @param version the folder name, a number
 * @param dir the folder
 * @param artifact the model file (or jar) the engine loads, or null if none was recognised
 */
public record ModelVersion(String version, Path dir, Path artifact) {}
