#!/usr/bin/env bash
# Configures and builds toevp in ./build (Release, Ninja). Extra arguments go
# to CMake's configure step, e.g. scripts/build.sh -DTOEVP_WITH_RTL=OFF.
set -euo pipefail
cd "$(dirname "$0")/.."
build_dir=${TOEVP_BUILD_DIR:-build}
cmake -S . -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=Release "$@"
# Two jobs: the machines this runs on have two cores and builds of SystemC
# code need about 1 GB each.
cmake --build "$build_dir" -j "${TOEVP_JOBS:-2}"
