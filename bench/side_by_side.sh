#!/usr/bin/env bash
# bench/side_by_side.sh: ConvKit against the PyTorch reference (bench.py) on this machine, interleaved per workload
# and mode, every timed run holding flock /tmp/cpu-bench.lock. Prints ours img/s, PyTorch img/s and the ratio for
# training and inference, and peak RSS of both, and writes bench/results/side-by-side-<date-time>.{md,json}.
#
#   bench/side_by_side.sh                                            # ResNet20v1:128 and MNIST-CNN:128, 3 repeats
#   bench/side_by_side.sh --configs ResNet20v1:128,DenseNet-BC-100-k12:64 --repeats 1
#   bench/side_by_side.sh --configs ResNet20v1:128 --precisions fp32,bf16     # mixed bf16 against torch.autocast
#   bench/side_by_side.sh --configs ResNet20v1:32,ResNet20v1:128,ResNet56v1:128,DenseNet-BC-100-k12:64,VGG16-CIFAR100:64,ResNet50-CIFAR100:32,MNIST-CNN:128
#
# Options (see dev.convkit.bench.SideBySide): --modes train,infer --precisions fp32 --repeats 3 --min-time 10 --torch-blas openblas|system
# --reference PATH (default ../shared/anchors/pytorch/bench.py from the repo root) --python /usr/bin/python3
# --max-other-cores 0.1 --max-attempts 2
# Environment: JAVA_OPTS (options of the driver JVM), SKIP_BUILD=1, MVN_FLAGS, CONVKIT_BENCH_BUILD_DIR.
set -euo pipefail
here="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")" && pwd)"
build_dir="${CONVKIT_BENCH_BUILD_DIR:-$here/target}"
if [[ "${SKIP_BUILD:-0}" != 1 ]]; then "$here/build" >/dev/null; fi
mkdir -p "$here/results"
# shellcheck disable=SC2086
exec java ${JAVA_OPTS:-} "-Dconvkit.home=$(dirname "$here")" -cp "$build_dir/benchmarks.jar" dev.convkit.bench.SideBySide \
    --out "$here/results/side-by-side-$(date +%F-%H%M)" "$@"
