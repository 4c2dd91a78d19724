#!/bin/bash
# Packs gpu-multiplexer's tests and model-runtime's TensorRT test, their libraries and a trimmed JRE into .gpu/ (about 45 MB), for a
# GPU machine that has neither Maven nor a network. There: bash .gpu/run.sh (it runs the tests
# tagged gpu, then the module's whole suite, and says which CUDA, TensorRT and ONNX Runtime
# providers the machine has).
set -euo pipefail
cd "$(dirname "$0")/../.."
mvn -B -q -o -pl gpu-multiplexer,model-runtime -am test-compile dependency:build-classpath \
  -Dmdep.outputFile=target/cp.txt -Dmdep.includeScope=test -Dspotless.check.skip=true
mvn -B -q dependency:get -Dartifact=org.junit.platform:junit-platform-console-standalone:1.14.1
rm -rf .gpu /tmp/kairos-gpu-jre && mkdir -p .gpu/lib .gpu/cls
jlink --add-modules java.base,java.logging,java.management,java.naming,java.xml,java.sql,jdk.unsupported,java.instrument,jdk.management,jdk.crypto.ec \
  --strip-debug --no-header-files --no-man-pages --compress=2 --output /tmp/kairos-gpu-jre/jre
tar cJf .gpu/jre.tar.xz -C /tmp/kairos-gpu-jre jre && rm -rf /tmp/kairos-gpu-jre
cp ~/.m2/repository/org/junit/platform/junit-platform-console-standalone/1.14.1/junit-platform-console-standalone-1.14.1.jar .gpu/console.jar
# The console launcher brings JUnit itself; logback shows the probe's log lines.
tr ':' '\n' <gpu-multiplexer/target/cp.txt | grep '\.jar$' | grep -v -E '/junit-|opentest4j|apiguardian' |
  xargs -I{} cp {} .gpu/lib/
cp ~/.m2/repository/ch/qos/logback/logback-classic/1.5.18/logback-classic-1.5.18.jar \
  ~/.m2/repository/ch/qos/logback/logback-core/1.5.18/logback-core-1.5.18.jar .gpu/lib/
cp -r sdk-java/target/classes .gpu/cls/sdk
cp -r gpu-multiplexer/target/classes .gpu/cls/main
cp -r gpu-multiplexer/target/test-classes .gpu/cls/test
# TensorRT's engine and its gpu test, without ONNX Runtime's and PyTorch's natives (too big to carry)
cp -r model-runtime/target/classes .gpu/cls/runtime
cp -r model-runtime/target/test-classes .gpu/cls/runtime-test
tr ':' '\n' <model-runtime/target/cp.txt | grep -E '/tensorrt-' | xargs -I{} cp {} .gpu/lib/
cp tools/gpu/logback-test.xml .gpu/cls/test/
cp tools/gpu/run.sh .gpu/run.sh
du -sh .gpu
