#!/usr/bin/env bash
# Runs every test (Catch2 cases under ctest, each in its own process) of the
# build in ./build, then the sanitizer stage (scripts/sanitize.sh: an
# AddressSanitizer + UndefinedBehaviorSanitizer build of a representative
# subset, fuzz-corpus replays and a short libFuzzer run of each target; see
# docs/robustness.md).
#
#   scripts/test.sh                  everything (what .ci/run does)
#   scripts/test.sh -R proto         extra arguments go to ctest; the
#                                    sanitizer stage is then skipped
#
# TOEVP_SANITIZE_STAGE=0 skips the sanitizer stage, =1 runs it even with
# ctest arguments. TOEVP_JOBS sets the parallelism (default 2).
set -euo pipefail
cd "$(dirname "$0")/.."
build_dir=${TOEVP_BUILD_DIR:-build}
stage=${TOEVP_SANITIZE_STAGE:-}
if [ -z "$stage" ]; then
  if [ $# -eq 0 ]; then stage=1; else stage=0; fi
fi

ctest --test-dir "$build_dir" -j "${TOEVP_JOBS:-2}" --output-on-failure --timeout 900 "$@"

if [ "$stage" = 1 ]; then
  echo "test: sanitizer stage (scripts/sanitize.sh)"
  start=$(date +%s)
  scripts/sanitize.sh
  echo "test: sanitizer stage passed in $(( $(date +%s) - start )) s"
fi
