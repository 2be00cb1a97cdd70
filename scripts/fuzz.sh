#!/usr/bin/env bash
# Fuzzes one target of tests/fuzz with libFuzzer (docs/robustness.md).
#
#   scripts/fuzz.sh [--no-build] [--fresh] [--cpu] TARGET SECONDS [libFuzzer flags...]
#
# TARGET: fuzz_rx_frames | fuzz_submissions | fuzz_config. Builds TARGET in
# ./build-asan (the sanitizer build of scripts/sanitize.sh, configured with
# clang-14 and TOEVP_FUZZ=ON: libFuzzer + ASan + UBSan) unless --no-build, then
# fuzzes TARGET on one core for SECONDS of wall time, starting from the kept
# corpus tests/fuzz/corpus/TARGET (only read) and the work corpus that earlier
# runs grew in build-asan/fuzz-work/TARGET (--fresh: an empty one, which is
# what the test suite's short runs use). libFuzzer's final statistics end the
# output (exec/s, coverage). --cpu: SECONDS is CPU time of the fuzzer process
# instead (on a shared machine wall time says little); the run is then
# interrupted once it has used that much CPU, and the CPU and wall seconds
# are printed after libFuzzer's statistics.
#
# A crash, sanitizer report, broken invariant or hang (an input running longer
# than TOEVP_FUZZ_TIMEOUT seconds, 60 by default) stops the run with a non-zero
# status and leaves the input in build-asan/fuzz-work/TARGET/artifacts/.
# Reproduce it with build-asan/tests/fuzz/TARGET FILE (or TARGET_replay FILE
# in any build); once fixed, copy it into tests/fuzz/corpus/TARGET/ as
# regress-<what> so every test run replays it.
set -euo pipefail
cd "$(dirname "$0")/.."

build=1
fresh=0
cpu=0
while [ $# -gt 0 ]; do
  case "$1" in
    --no-build) build=0; shift ;;
    --fresh) fresh=1; shift ;;
    --cpu) cpu=1; shift ;;
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
build_dir=${TOEVP_FUZZ_BUILD_DIR:-build-asan}

if [ "$build" = 1 ]; then
  if ! command -v clang++-14 >/dev/null; then
    echo "fuzz.sh: clang++-14 not found (scripts/setup.sh installs it)" >&2
    exit 2
  fi
  # The configuration of scripts/sanitize.sh, so both share one build.
  cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=Release \
    -DCMAKE_CXX_FLAGS_RELEASE=-O1 -DCMAKE_C_FLAGS_RELEASE=-O1 \
    -DTOEVP_SANITIZE=address,undefined -DTOEVP_WITH_RTL=OFF \
    -DCMAKE_C_COMPILER=clang-14 -DCMAKE_CXX_COMPILER=clang++-14 -DTOEVP_FUZZ=ON >/dev/null
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
flags=(-timeout="${TOEVP_FUZZ_TIMEOUT:-60}" -print_final_stats=1 -artifact_prefix="$work/artifacts/")
if [ "$cpu" = 0 ]; then
  "$exe" -max_total_time="$seconds" "${flags[@]}" "$@" "$work/corpus" "tests/fuzz/corpus/$target" || status=$?
else
  # libFuzzer knows only wall time: watch the process's CPU time
  # (utime + stime in /proc/PID/stat, in clock ticks) and interrupt it at the
  # budget. An interrupted libFuzzer prints its final statistics and exits 72.
  "$exe" "${flags[@]}" "$@" "$work/corpus" "tests/fuzz/corpus/$target" &
  pid=$!
  ticks=$(getconf CLK_TCK)
  start=$(date +%s)
  used=0
  while kill -0 "$pid" 2>/dev/null; do
    read -r -a stat < "/proc/$pid/stat" 2>/dev/null || break
    used=$(( (stat[13] + stat[14]) / ticks ))
    if [ "$used" -ge "$seconds" ]; then kill -INT "$pid"; break; fi
    sleep 5
  done
  wait "$pid" || status=$?
  if [ "$status" = 72 ]; then status=0; fi
  echo "fuzz.sh: $target used ${used} s of CPU in $(( $(date +%s) - start )) s of wall time (status $status)"
fi
if [ "$fresh" = 1 ] && [ "$status" = 0 ]; then rm -rf "$work"; fi
exit "$status"
