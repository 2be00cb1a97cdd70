#!/usr/bin/env bash
# Sanitizer stage (docs/robustness.md): configures ./build-asan with
# TOEVP_SANITIZE=address,undefined (every target; every report is fatal, so
# it fails its test), builds it and runs the test suite there. With clang-14
# installed the build is also TOEVP_FUZZ=ON: the same instrumented build has
# the libFuzzer targets, and the suite then includes a short fuzzing run of
# each (scripts/fuzz.sh is the long run). Without clang it uses g++.
# scripts/test.sh runs this after the normal tests.
#
#   scripts/sanitize.sh [--all] [--no-build] [ctest arguments...]
#
# By default (CI) it builds and runs the representative subset below, which
# keeps CI well under 30 minutes on 2 cores (an ASan build compiles about
# four times slower than the normal one): every library of the platform
# (model, firmware, testbench, partners), the unit tests of the protocol,
# the ABI, firmware, peer and model timing, the platform runs of the method
# steps, the default point, bad input, link faults, protocol recovery and
# workloads, the receive-path timing, ARP resolution, the firmware-mistake
# cases, and the three fuzz targets (kept
# corpus replay; with clang also 20 s of fuzzing each). Left out: the CLI,
# statistics-output, sweep, TAP and header-generator tests, which exercise
# the same model code through the toevp executable or scripts. --all builds
# and runs everything.
#
# Left out: the Verilated RTL (TOEVP_WITH_RTL=OFF). The generated code is
# not ours and is most of the build; the RTL has its own lint, X check and
# scoreboard in the normal build.
set -euo pipefail
cd "$(dirname "$0")/.."
build_dir=${TOEVP_ASAN_BUILD_DIR:-build-asan}
jobs=${TOEVP_JOBS:-2}

build=1
all=0
while [ $# -gt 0 ]; do
  case "$1" in
    --no-build) build=0; shift ;;
    --all) all=1; shift ;;
    *) break ;;
  esac
done

subset=(proto_tests toevp_abi_regmap_test toevp_firmware_test model_timing_test tcp_peer_logic_test
        protocol_logic_test protocol_platform_test platform_default_test platform_method_test
        platform_bad_input_test link_faults_test platform_faults_test workload_platform_test
        debug_mistakes_test platform_arp_test protocol_receive_timing_test
        fuzz_rx_frames_replay fuzz_submissions_replay fuzz_config_replay)
targets=()
select=()
if [ "$all" = 0 ]; then
  targets=("${subset[@]}")
  if command -v clang++-14 >/dev/null; then targets+=(fuzz_rx_frames fuzz_submissions fuzz_config); fi
  # ctest names start with the executable's name (fuzz targets: "fuzz_x: ...").
  select=(-R "^($(IFS='|'; echo "${subset[*]}")|fuzz_rx_frames:|fuzz_submissions:|fuzz_config:)")
fi

if [ "$build" = 1 ]; then
  if command -v clang++-14 >/dev/null; then
    compilers=(-DCMAKE_C_COMPILER=clang-14 -DCMAKE_CXX_COMPILER=clang++-14 -DTOEVP_FUZZ=ON)
  else
    compilers=(-DCMAKE_C_COMPILER=gcc -DCMAKE_CXX_COMPILER=g++ -DTOEVP_FUZZ=OFF)
  fi
  # -O1: the sanitizers' recommended level, and compile time is most of
  # this stage.
  cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=Release \
    -DCMAKE_CXX_FLAGS_RELEASE=-O1 -DCMAKE_C_FLAGS_RELEASE=-O1 \
    -DTOEVP_SANITIZE=address,undefined -DTOEVP_WITH_RTL=OFF "${compilers[@]}" >/dev/null
  if [ ${#targets[@]} -gt 0 ]; then
    cmake --build "$build_dir" -j "$jobs" --target "${targets[@]}"
  else
    cmake --build "$build_dir" -j "$jobs"
  fi
fi

# detect_leaks=0: when a SystemC program exits, the stacks of SC_THREADs that
# are still waiting are freed without unwinding, so everything their locals
# own would be reported as leaked (docs/robustness.md).
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=0:abort_on_error=1:detect_stack_use_after_return=0:check_initialization_order=1:strict_init_order=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
if [ -x /usr/lib/llvm-14/bin/llvm-symbolizer ]; then
  export ASAN_SYMBOLIZER_PATH=${ASAN_SYMBOLIZER_PATH:-/usr/lib/llvm-14/bin/llvm-symbolizer}
fi
ctest --test-dir "$build_dir" -j "$jobs" --output-on-failure --timeout 1800 "${select[@]}" "$@"
