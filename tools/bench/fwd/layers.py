#!/usr/bin/env python3
"""Java samples of a gateway recording by the layer of the nearest frame that names one.

Reads `jfr print --events jdk.ExecutionSample` output (tools/bench/wire/profile.sh leaves it in
$WORK/samples.txt) and, for each sample, walks from the leaf frame down to the first frame of a
known layer: the forward path's Netty client, Vert.x's HTTP server or client, Kairos's own code,
Vert.x core, Netty's HTTP codecs, Netty's transport. Prints each layer's share of the samples;
then the same by the nearest HTTP layer alone (Netty and Vert.x core frames skipped), which says on
whose behalf the transport and codec time was spent: the forward path's client (Kairos's Netty
client or Vert.x's), Vert.x's HTTP server, or Kairos's pipeline.

    python3 tools/bench/fwd/layers.py tools/bench/work/wire/samples.txt
"""
import re
import sys

LAYERS = [
    ("Kairos forward client (pipeline.Replica*)", "dev.kairos.gateway.pipeline.Replica"),
    ("Vert.x HTTP client", "io.vertx.core.http.impl.Http1xClient"),
    ("Vert.x HTTP client", "io.vertx.core.http.impl.HttpClient"),
    ("Vert.x HTTP server", "io.vertx.core.http.impl"),
    ("Kairos pipeline, breaker, metrics", "dev.kairos"),
    ("Resilience4j (breaker)", "io.github.resilience4j"),
    ("Vert.x core (futures, contexts, queues, buffers)", "io.vertx.core"),
    ("Netty HTTP codecs (both sides)", "io.netty.handler.codec"),
    ("Netty transport, event loop, buffers", "io.netty"),
]
HTTP_LAYERS = [
    ("forward client: Kairos's Netty client", "dev.kairos.gateway.pipeline.Replica"),
    ("forward client: Vert.x HTTP client", "io.vertx.core.http.impl.Http1xClient"),
    ("forward client: Vert.x HTTP client", "io.vertx.core.http.impl.HttpClient"),
    ("forward client: Vert.x HTTP client", "io.vertx.core.net.impl.pool"),
    ("Vert.x HTTP server", "io.vertx.core.http.impl"),
    ("Kairos pipeline (admit, route, forward, relay), breaker, metrics", "dev.kairos"),
    ("Kairos pipeline (admit, route, forward, relay), breaker, metrics", "io.github.resilience4j"),
]
FRAME = re.compile(r"^\s+([A-Za-z_$][\w$.]*)\(")


def layer(frames, layers):
    for f in frames:
        for name, prefix in layers:
            if f.startswith(prefix):
                return name
    return "JDK and other"


def main(path):
    samples = []
    for event in open(path).read().split("jdk.ExecutionSample")[1:]:
        frames = [m.group(1) for m in map(FRAME.match, event.split("\n")) if m]
        if frames:
            samples.append(frames)
    print(f"{len(samples)} samples")
    for title, layers in (("by the leaf's layer", LAYERS), ("by the nearest HTTP layer", HTTP_LAYERS)):
        counts = {}
        for frames in samples:
            name = layer(frames, layers)
            counts[name] = counts.get(name, 0) + 1
        print(f"## {title}")
        for name, n in sorted(counts.items(), key=lambda kv: -kv[1]):
            print(f"{100 * n / len(samples):5.1f}%  {name}")


if __name__ == "__main__":
    main(sys.argv[1])
