#!/usr/bin/env bash
# Fuzzes one target of tests/fuzz with libFuzzer (docs/robustness.md).
#
#   scripts/fuzz.sh [--no-build] [--fresh] TARGET SECONDS [libFuzzer flags...]
#
# TARGET: fuzz_rx_frames | fuzz_submissions | fuzz_config. Builds ./build-fuzz
# (clang-14, TOEVP_FUZZ=ON: libFuzzer + ASan + UBSan) unless --no-build, then
# fuzzes TARGET on one core for SECONDS of wall time, starting from the kept
# corpus tests/fuzz/corpus/TARGET (only read) and the work corpus that earlier
# runs grew in build-fuzz/fuzz-work/TARGET (--fresh: an empty one, which is
# what the test suite's short runs use). libFuzzer's final statistics end the
# output (exec/s, coverage).
#
# A crash, sanitizer report, broken invariant or hang (an input running longer
# than TOEVP_FUZZ_TIMEOUT seconds, 60 by default) stops the run with a non-zero
# status and leaves the input in build-fuzz/fuzz-work/TARGET/artifacts/.
# Reproduce it with build-fuzz/tests/fuzz/TARGET FILE (or TARGET_replay FILE
# in any build); once fixed, copy it into tests/fuzz/corpus/TARGET/ as
# regress-<what> so every test run replays it.
set -euo pipefail
cd "$(dirname "$0")/.."

build=1
fresh=0
while [ $# -gt 0 ]; do
  case "$1" in
    --no-build) build=0; shift ;;
    --fresh) fresh=1; shift ;;
    *) break ;;
  esac
done
if [ $# -lt 2 ]; then
  sed -n '2,20p' "$0" | sed 's/^# \{0,1\}//'
  exit 2
fi
target=$1
seconds=$2
shift 2
build_dir=${TOEVP_FUZZ_BUILD_DIR:-build-fuzz}

if [ "$build" = 1 ]; then
  if ! command -v clang++-14 >/dev/null; then
    echo "fuzz.sh: clang++-14 not found (scripts/setup.sh installs it)" >&2
    exit 2
  fi
  # -O1: libFuzzer's recommended level with the sanitizers; no Verilated RTL.
  CC=clang-14 CXX=clang++-14 cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=Release \
    -DCMAKE_CXX_FLAGS_RELEASE=-O1 -DCMAKE_C_FLAGS_RELEASE=-O1 \
    -DTOEVP_FUZZ=ON -DTOEVP_WITH_RTL=OFF >/dev/null
  cmake --build "$build_dir" -j "${TOEVP_JOBS:-2}" --target "$target"
fi

exe=$build_dir/tests/fuzz/$target
if [ ! -x "$exe" ]; then
  echo "fuzz.sh: $exe not built (configure with TOEVP_FUZZ=ON, CXX=clang++-14)" >&2
  exit 2
fi
work=$build_dir/fuzz-work/$target
if [ "$fresh" = 1 ]; then
  work=$build_dir/fuzz-work/$target-fresh-$$
  rm -rf "$work"
fi
mkdir -p "$work/corpus" "$work/artifacts"

# Leak checks: the SystemC kernel keeps its simulation context until exit,
# and libFuzzer's per-input leak check would count it (docs/robustness.md).
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=0:abort_on_error=1:detect_stack_use_after_return=0}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
if [ -x /usr/lib/llvm-14/bin/llvm-symbolizer ]; then
  export ASAN_SYMBOLIZER_PATH=${ASAN_SYMBOLIZER_PATH:-/usr/lib/llvm-14/bin/llvm-symbolizer}
fi
status=0
"$exe" -max_total_time="$seconds" -timeout="${TOEVP_FUZZ_TIMEOUT:-60}" -print_final_stats=1 \
  -artifact_prefix="$work/artifacts/" "$@" "$work/corpus" "tests/fuzz/corpus/$target" || status=$?
if [ "$fresh" = 1 ] && [ "$status" = 0 ]; then rm -rf "$work"; fi
exit "$status"
