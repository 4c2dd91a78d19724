package dev.kairos.gateway.protocol;

/** A model input as its OIP metadata declares it: name and datatype (e.g. FP32). */
public record InputSpec(String name, String datatype) {}
