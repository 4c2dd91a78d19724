#!/bin/bash
# Runs on a GPU machine from the bundle tools/gpu/bundle.sh made: the tests tagged gpu of
# gpu-multiplexer, model-runtime's TensorRT test, then gpu-multiplexer's whole suite. OUT names
# where the reports go.
cd "$(dirname "$0")/.." || exit 1
OUT=${OUT:-/tmp/gpu-out}; mkdir -p "$OUT"
echo "== machine"; nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv 2>&1; nproc
echo "== java here?"; command -v java && java -version 2>&1 | head -1
mkdir -p /tmp/j && tar xJf .gpu/jre.tar.xz -C /tmp/j && J=/tmp/j/jre/bin/java && $J -version 2>&1 | head -1
echo "== CUDA runtime 13 libraries"
ldconfig -p | grep -E 'libcuda.so.1|libcudart.so.13'
CUDART=$(find / \( -path /proc -o -path /sys \) -prune -o -name 'libcudart.so.13*' -print 2>/dev/null | grep -v stubs | head -5); echo "$CUDART"
for f in $CUDART; do LD_LIBRARY_PATH=$LD_LIBRARY_PATH:$(dirname $f); done
if ! ldconfig -p | grep -q 'libcuda.so.1'; then
  for f in $(find / \( -path /proc -o -path /sys \) -prune -o -name 'libcuda.so.1' -print 2>/dev/null | grep -v -E 'stubs|compat' | head -2); do LD_LIBRARY_PATH=$LD_LIBRARY_PATH:$(dirname $f); done
fi
export LD_LIBRARY_PATH
echo "LD_LIBRARY_PATH=$LD_LIBRARY_PATH"
echo "== TensorRT / ONNX Runtime CUDA here?"
command -v trtexec; find / \( -path /proc -o -path /sys \) -prune -o -name 'libnvinfer.so*' -print 2>/dev/null | head -3
python3 -c 'import onnxruntime as o; print("python onnxruntime", o.__version__, o.get_available_providers())' 2>&1 | tail -1
CP=$PWD/.gpu/console.jar:$PWD/.gpu/cls/test:$PWD/.gpu/cls/main:$PWD/.gpu/cls/sdk:$PWD/.gpu/cls/runtime:$PWD/.gpu/cls/runtime-test
for j in .gpu/lib/*.jar; do CP=$CP:$PWD/$j; done
cd gpu-multiplexer
echo "== gpu-tagged tests"
$J -cp "$CP" org.junit.platform.console.ConsoleLauncher execute --scan-classpath "$OLDPWD/.gpu/cls/test" \
  --include-tag gpu --details=tree --disable-banner --reports-dir="$OUT/gpu-reports" 2>&1 | tee "$OUT/gpu-tests.txt"
echo "gpu-tagged rc=${PIPESTATUS[0]}"
echo "== TensorRT's gpu test (from model-runtime)"
(cd ../model-runtime && $J -cp "$CP" org.junit.platform.console.ConsoleLauncher execute \
  --select-class dev.kairos.runtime.engine.tensorrt.TensorRtGpuTest --details=tree --disable-banner \
  --reports-dir="$OUT/trt-reports" 2>&1 | tee "$OUT/trt-tests.txt"; echo "tensorrt rc=${PIPESTATUS[0]}")
echo "== whole gpu-multiplexer suite, gpu tests included"
$J -cp "$CP" org.junit.platform.console.ConsoleLauncher execute --scan-classpath "$OLDPWD/.gpu/cls/test" \
  --details=summary --disable-banner --reports-dir="$OUT/all-reports" 2>&1 | tail -40 | tee "$OUT/all-tests.txt"
echo "all rc=${PIPESTATUS[0]}"
