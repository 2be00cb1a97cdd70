#!/usr/bin/env bash
# Runs every test (Catch2 cases under ctest, each in its own process) of the
# build in ./build. Extra arguments go to ctest, e.g. scripts/test.sh -R proto.
set -euo pipefail
cd "$(dirname "$0")/.."
build_dir=${TOEVP_BUILD_DIR:-build}
ctest --test-dir "$build_dir" -j "${TOEVP_JOBS:-2}" --output-on-failure --timeout 900 "$@"
