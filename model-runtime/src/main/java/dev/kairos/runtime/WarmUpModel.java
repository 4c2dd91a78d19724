package dev.kairos.runtime;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;

/**
 * The platform's own tiny model, run before any user model so that the JIT and class loading of the
 * serving paths are paid at start, not by a user's first request: a standby replica runs its engine
 * session, and {@code kairos serve} loads, answers and unloads it through each runtime host.
 */
public final class WarmUpModel {
  /**
   * Its name in a host; a user's model of this name is never loaded beside it (it leaves first).
   */
  public static final String NAME = "kairos-warm-up";

  /** A tiny CNN (conv 3x3, relu, linear; 2 KB ONNX): input x [n,3,8,8] FP32, output y [n,2]. */
  private static final String TINY_ONNX =
      "CAgSB3B5dG9yY2gaBjEuMTMuMDraEAqUAQoBeAoIMC53ZWlnaHQKBjAuYmlhcxIQLzAvQ29udl9vdXRwdXRfMBoHLz"
          + "AvQ29udiIEQ29udioSCglkaWxhdGlvbnNAAUABoAEHKgwKBWdyb3VwGAGgAQIqFQoMa2VybmVsX3NoYXBlQANAA6AB"
          + "ByoRCgRwYWRzQABAAEAAQACgAQcqEAoHc3RyaWRlc0ABQAGgAQcKMwoQLzAvQ29udl9vdXRwdXRfMBIQLzEvUmVsdV"
          + "9vdXRwdXRfMBoHLzEvUmVsdSIEUmVsdQpJChAvMS9SZWx1X291dHB1dF8wEhMvMi9GbGF0dGVuX291dHB1dF8wGgov"
          + "Mi9GbGF0dGVuIgdGbGF0dGVuKgsKBGF4aXMYAaABAgppChMvMi9GbGF0dGVuX291dHB1dF8wCggzLndlaWdodAoGMy"
          + "5iaWFzEgF5GgcvMy9HZW1tIgRHZW1tKg8KBWFscGhhFQAAgD+gAQEqDgoEYmV0YRUAAIA/oAEBKg0KBnRyYW5zQhgB"
          + "oAECEgl0b3JjaF9qaXQqxwMIBAgDCAMIAxABQggwLndlaWdodEqwA4vavLrFbtM9VDIivtsHEb7MzZe9xGFTPVbkeb"
          + "v8QBw+1+iLvG6WUD0pOm69nPIavfxEPL7kgwK+A3mivbaa6TsJ0Zs93X3sPeKZBb7ioau9WCiPPcWkIz4tOiK9DngT"
          + "PiId/rxD0qY88nAyPqLQNr7sH/i9YZBHvYiimb2HRCo+23j/vUFvtb0orgm+KZE4vv0S5r1pZik+HN+vPRwHvz2a0y"
          + "U8ZRHKvTldBT2PADi+NGUOvpowy70urfg9YxfnPVTMrr38iuO7NhP8PajpQz4gbZw9FfvUPMshBD66Eei99OMSPeLJ"
          + "GL7ylQi+6JrLvTRWsj2xgZ498HfpvcYkbj3hXtg99vzGvNfH8DutpTY9jIP0PXI5PT6u3Re+iHCQvWrmmj0ESCM+pX"
          + "0rPpTiLT7Z4Bw9IV4rvugHkTwgk/a9wKg3vh8YLz7g1xU+7JREvgyLEz38ygS9NLgBvVZrtL1wkZc9/3Lpvc18kD2U"
          + "Ucc9dhMNPl1fkz3JC0O+DK3/vYbMxD21/CQ99boZvsXz4r12ZDk+3skEPp/aq72gZUa9Oro7vnuyYruMZxS+qgIYvi"
          + "oeCAQQAUIGMC5iaWFzShAVvC28G7bsPE9pob1e3+k9KpQJCAIIkAEQAUIIMy53ZWlnaHRKgAn2tk+9m9uaPWvqaT2Y"
          + "64+9sOepvABudjsgNEc8NumhPOjyBT1AkaM73osmveODIT06tqO9gE9KvVDkqryeRCa90NHuvNLhi72rNpG8puyRPP"
          + "NdXr3WIoy7AFh0PUtbDLxWyBc7VpLru7YoijyACFk90qmhPQjEWD2DCKI9gHzFu0RQmb2A0SG9aGpoPaucDbqTqCm9"
          + "rMiCvQC4n71IC5C9S3iKvHMwOz3wiTg9rJikvejqVD1cjIW9oFKQvL5mCr32fYO8YAmGvNIlmb0uXJO9i6VVvABBjT"
          + "omDxu9e5QAPSecmb0ASbi7bBaWPSY6C73PHJo99jr3PB8Fmr3w9Vc9S40dvKBfGL1jeYg9OOqJvcuBEjzW7Y68HsBz"
          + "PQuQvjwzAyQ9ABfxPAAqpLyLkY+8q6SMvRDzOD1vgYc9e4xpPebEcL0rk3M7Fp5wvQvmO72W5Ua9RkzpPLBnS71WTe"
          + "66gL9lOwYIXD2nAoG9W1RqvfsyRr0e6W49EGX1vJb0jz2A2/Y8AOMsPACeIrpb84a8q00rPCDim7yrfhm6ADUuPBB/"
          + "hb1O5zK95s+JPQSBir0rFMS7gNSoPcCa9jyAoBo7xOaTvcgWKT0LIHO94MjBvLsL5bxLMEq8VvNuOmTEjD1Wcio8a9"
          + "2YPUDMUD2zy1e94xYZPYZJcb1oqhC9q8nIPEBp4Tz3CYA94MLbvKviCzn4uS895wylvQPHdj3LII29q4qWOishaLxj"
          + "xTO9IHU0PKIgjT2Ljse8yKVKvQZ6/LzvJ6m9aBMaPRbuI70WyWO9g6REvW5ARD3bwjQ9i/2CPXae9zyw++O8G8W+vC"
          + "CuyTw/S4w9m5y5PBOAIb3+cyC9LFyhvSB9kzzgjD+9iymYvVKnlT1rql29i1IbvGCUwzwr/S07Tq1lvR70ib0QCYg9"
          + "QFRePNqWjT2L2+S8SxXJPBAcnLwr33K7GONPvebg5jwA1tc8q1HhuoCImbx2aFK9GwxsPcYYfr0e1Qs9kIzlvLOuJL"
          + "2ARnU82E4xvStKnTwLEIY8uG99vXZTYzxDYhE9PhwHPcvdK7wS6Yu9wHhSvGsY7TzmFvm8TpABPbNQYz1OOjK9Vm9X"
          + "OhgkDT0WBtY7wBjkO6B7KjxSK4a9K5nWO/BcbD1Dypk9dp5IPXb1NjxTaB89Pg0mvfNtjb2HwpK9PEKqPb6sWD3u8G"
          + "u9TosFPcfhgD3Xmao95jqVPYM5hD32gZy8gJPvvCwgjD24Rj89QGhNvapumT0L6yQ9qxI6PY7wVb1g28M8O1HvvP5Z"
          + "hT3LrXW8puIEPVaDcjz7ORE9K/3nvKNsJj1TaW69Bi+aPIDxZr18Xqi9Cw6JvXq8hj1rrDg9Rh+gPYa5iD3AaZi9vu"
          + "9ovTadXLxDrF29SwVtPXwGgb17iSa9LuGkvV7KQb2XXow9LLyLPdtWdD3CxoM9J8GXPUDOrrz4LxY9WA2YPcbW4TyH"
          + "nKo9dgkxPXYwVD2Q7e68+McjPcDiHDxbCKO8uGlAvR6HP70iU4O9viVlPR6qcj1rZBu8W4ZFvcLogz0qFggCEAFCBj"
          + "MuYmlhc0oIZkdaPUD7yjtaHAoBeBIXChUIARIRCgMSAW4KAggDCgIICAoCCAhiFAoBeRIPCg0IARIJCgMSAW4KAggC"
          + "QgIQEQ==";

  private WarmUpModel() {}

  /** The ONNX file's bytes. */
  public static byte[] onnx() {
    return Base64.getDecoder().decode(TINY_ONNX);
  }

  /**
   * Writes it as a model folder ({@code model.yaml}, {@code 1/model.onnx}) under {@code parent}.
   *
   * @return the model's folder
   */
  public static Path writeTo(Path parent) throws IOException {
    Path dir = parent.resolve(NAME);
    Files.createDirectories(dir.resolve("1"));
    Files.write(dir.resolve("1").resolve("model.onnx"), onnx());
    Files.writeString(
        dir.resolve("model.yaml"),
        "name: " + NAME + "\nengine: onnxruntime\n",
        StandardCharsets.UTF_8);
    return dir;
  }

  /** One inference request for it, in the Open Inference Protocol's JSON. */
  public static String requestJson() {
    StringBuilder b = new StringBuilder("{\"inputs\":[{\"name\":\"x\",\"datatype\":\"FP32\",");
    b.append("\"shape\":[1,3,8,8],\"data\":[");
    for (int i = 0; i < 3 * 8 * 8; i++) {
      b.append(i == 0 ? "" : ",").append((i % 7) / 7.0);
    }
    return b.append("]}]}").toString();
  }
}
