#!/usr/bin/env bash
# The algorithm developer's path, timed end to end on a machine where Kairos is built:
#   archetype -> (edit nothing) -> mvn package -> kairos deploy -> kairos predict
#
#   tools/walkthrough.sh            # prints each step's time and the total; exit 0 when it worked
#
# The SDK and the archetype are published into a private file repository under target/ (the local
# ~/.m2 keeps no Kairos snapshots). Maven runs offline; only a first run on a machine that lacks the
# archetype plugin goes online, once. A `kairos serve` on free ports, with a throwaway admin key and
# an empty model repository, is started for the walkthrough and stopped at the end.
set -euo pipefail
KAIROS_HOME="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
WORK="${KAIROS_WALKTHROUGH_DIR:-$KAIROS_HOME/target/walkthrough}"
ARCHETYPE_PLUGIN=org.apache.maven.plugins:maven-archetype-plugin:3.4.1
VERSION="$(sed -n 's:.*<version>\(.*\)</version>.*:\1:p' "$KAIROS_HOME/pom.xml" | head -1)"
START=$(date +%s%N)
STEP_START=$START

elapsed() { awk -v now="$(date +%s%N)" -v since="$1" 'BEGIN { printf "%.1f", (now - since) / 1e9 }'; }
step() {
  printf '[walkthrough] %-58s %6.1f s\n' "$1" "$(elapsed "$STEP_START")"
  STEP_START=$(date +%s%N)
}
fail() { echo "[walkthrough] FAILED: $*" >&2; exit 1; }

# Offline first; online only if something is missing from ~/.m2 (the first run on a machine).
mvn_() {
  local log="$WORK/mvn-offline.log"
  if mvn -B -q -o -Daether.offline.protocols=file -s "$WORK/settings.xml" "$@" >"$log" 2>&1; then
    return 0
  fi
  echo "[walkthrough] offline Maven could not resolve everything; going online once" >&2
  mvn -B -q -s "$WORK/settings.xml" "$@"
}

rm -rf "$WORK"
mkdir -p "$WORK/models" "$WORK/repo"
cat >"$WORK/settings.xml" <<XML
<settings>
  <profiles>
    <profile>
      <id>kairos-sdk</id>
      <repositories>
        <repository>
          <id>archetype</id>
          <url>file://$WORK/repo</url>
          <snapshots><enabled>true</enabled><updatePolicy>always</updatePolicy></snapshots>
        </repository>
      </repositories>
    </profile>
  </profiles>
  <activeProfiles><activeProfile>kairos-sdk</activeProfile></activeProfiles>
</settings>
XML

# 0. Kairos is built (the launcher rebuilds only what changed); the SDK and the archetype jars are
# copied into the private repository (a plain layout: Maven resolves a -SNAPSHOT file without
# metadata). Copies of Kairos artifacts cached in ~/.m2 by an earlier run are dropped first, so the
# generated project compiles against this checkout's SDK.
"$KAIROS_HOME/kairos" --version >/dev/null
export KAIROS_SKIP_BUILD=1
(cd "$KAIROS_HOME" && mvn_ package -pl sdk-java,kairos-model-archetype -am -DskipTests \
    -Dspotless.check.skip=true)
forget_kairos_in_m2() {
  rm -rf "$HOME/.m2/repository/dev/kairos/kairos-parent" \
      "$HOME/.m2/repository/dev/kairos/kairos-sdk-java" \
      "$HOME/.m2/repository/dev/kairos/kairos-model-archetype"
}
forget_kairos_in_m2
publish() { # artifactId pom [jar]
  local dir="$WORK/repo/dev/kairos/$1/$VERSION"
  mkdir -p "$dir"
  cp "$2" "$dir/$1-$VERSION.pom"
  if [ -n "${3:-}" ]; then cp "$3" "$dir/$1-$VERSION.jar"; fi
}
publish kairos-parent "$KAIROS_HOME/pom.xml"
publish kairos-sdk-java "$KAIROS_HOME/sdk-java/pom.xml" "$KAIROS_HOME/sdk-java/target/kairos-sdk-java-$VERSION.jar"
publish kairos-model-archetype "$KAIROS_HOME/kairos-model-archetype/pom.xml" \
    "$KAIROS_HOME/kairos-model-archetype/target/kairos-model-archetype-$VERSION.jar"
step "setup: Kairos built, SDK + archetype published"

# 1. A platform to deploy to. It accepts Java predictors signed by the team's key (kairos keygen);
#    --trust-java-predictors instead would accept any.
KEY="walkthrough-$RANDOM$RANDOM"
"$KAIROS_HOME/kairos" keygen "$WORK/keys/team" >/dev/null
KAIROS_ADMIN_KEY="$KEY" "$KAIROS_HOME/kairos" serve --port 0 --admin-port 0 --models "$WORK/models" \
    --trusted-keys "$WORK/keys/team.pub" >"$WORK/serve.log" 2>&1 &
SERVE_PID=$!
trap 'kill "$SERVE_PID" 2>/dev/null; wait "$SERVE_PID" 2>/dev/null || true; forget_kairos_in_m2' EXIT
for _ in $(seq 1 240); do
  grep -q "Kairos ready" "$WORK/serve.log" && break
  kill -0 "$SERVE_PID" 2>/dev/null || { cat "$WORK/serve.log" >&2; fail "kairos serve exited"; }
  sleep 0.5
done
URL="$(sed -n 's/.*gateway listening on \(http:[^ ]*\).*/\1/p' "$WORK/serve.log" | head -1)"
ADMIN="$(sed -n 's/.*Admin API on \(http:[^ ]*\).*/\1/p' "$WORK/serve.log" | head -1)"
[ -n "$URL" ] && [ -n "$ADMIN" ] || { cat "$WORK/serve.log" >&2; fail "no gateway or admin URL in the serve log"; }
export KAIROS_URL="$URL" KAIROS_ADMIN_URL="$ADMIN" KAIROS_ADMIN_KEY="$KEY"
step "kairos serve up ($URL, admin $ADMIN)"
DEV_START=$(date +%s%N)

# 2. The developer's steps.
cd "$WORK"
mvn_ "$ARCHETYPE_PLUGIN:generate" -DinteractiveMode=false \
    -DarchetypeGroupId=dev.kairos -DarchetypeArtifactId=kairos-model-archetype \
    -DarchetypeVersion="$VERSION" -DgroupId=com.example -DartifactId=hello-model -Dversion=1.0.0 \
    -Dpackage=com.example.hello -DmodelName=hello
step "mvn archetype:generate (kairos-model-archetype)"

(cd hello-model && mvn_ package)
[ -f hello-model/target/model/hello/1/hello.jar ] || fail "the build made no target/model/hello/1/hello.jar"
step "mvn package (compile, PredictorTester test, model directory)"

"$KAIROS_HOME/kairos" deploy --sign-with "$WORK/keys/team.key" hello-model/target/model/hello
step "kairos deploy --sign-with team.key hello-model/target/model/hello"

"$KAIROS_HOME/kairos" predict hello --input hello-model/src/test/resources/request.json | tee "$WORK/predict.json"
grep -q '"name":"score"' "$WORK/predict.json" || fail "the prediction has no 'score' output"
grep -q '7\.35' "$WORK/predict.json" || fail "the prediction is not the golden score 7.35"
step "kairos predict hello --input request.json"

"$KAIROS_HOME/kairos" models
printf '[walkthrough] developer steps (archetype -> predict): %.1f s; total with setup: %.1f s\n' \
    "$(elapsed "$DEV_START")" "$(elapsed "$START")"
