#!/usr/bin/env bash
# Line, branch and toggle coverage of the header generator RTL under the
# random scoreboard (tests/rtl/rtl_scoreboard_test.cpp built against the
# Verilator --coverage build, target rtl_scoreboard_cov). Prints a summary;
# leaves the merged data, an lcov .info file and annotated sources in
# <build>/rtl_coverage/.
#
#   scripts/rtl_coverage.sh [-B build-dir] [--no-build] [--headers N]
#                           [--min-line P] [--min-branch P] [--min-toggle P]
#
# -B defaults to build-rtl (configured here if needed). --headers is the
# number of random headers per random test case (default 100000). The
# --min-* options make the script fail below those percentages (tests/rtl
# runs it that way as a ctest entry). TOEVP_SEED overrides the seeds.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=$root/build-rtl
do_build=1
headers=100000
mins=()
while [ $# -gt 0 ]; do
  case $1 in
    -B) build=$2; shift 2 ;;
    --no-build) do_build=0; shift ;;
    --headers) headers=$2; shift 2 ;;
    --min-line|--min-branch|--min-toggle) mins+=("$1" "$2"); shift 2 ;;
    *) echo "usage: $0 [-B build-dir] [--no-build] [--headers N] [--min-line P] [--min-branch P] [--min-toggle P]" >&2; exit 2 ;;
  esac
done

if [ $do_build = 1 ]; then
  [ -f "$build/build.ninja" ] || cmake -S "$root" -B "$build" -G Ninja >/dev/null
  ninja -C "$build" rtl_scoreboard_cov >/dev/null
fi
exe=$build/tests/rtl/rtl_scoreboard_cov
[ -x "$exe" ] || { echo "rtl_coverage: $exe not built (TOEVP_WITH_RTL off?)" >&2; exit 1; }

out=$build/rtl_coverage
rm -rf "$out"
mkdir -p "$out/raw"
echo "rtl_coverage: $headers random headers per case, counts in $out"
TOEVP_RTL_COVERAGE=$out/raw TOEVP_RTL_HEADERS=$headers "$exe" >"$out/test.log" 2>&1 ||
  { cat "$out/test.log"; echo "rtl_coverage: the scoreboard failed" >&2; exit 1; }
grep -E "^seed|passed" "$out/test.log" | sed 's/^/  /'
verilator_coverage --write "$out/merged.dat" "$out"/raw/*.dat
verilator_coverage --write-info "$out/coverage.info" "$out/merged.dat"
annotate=$(verilator_coverage --annotate "$out/annotated" --annotate-all --annotate-min 1 \
  "$out/merged.dat")
python3 "$root/scripts/rtl_coverage_summary.py" "$out/merged.dat" ${mins[@]+"${mins[@]}"}
echo "  per source line (verilator_coverage --annotate): ${annotate#Total coverage }"
echo "annotated source: $out/annotated/toe_header_gen.sv (a line starting with % is uncovered)"
echo "lcov data: $out/coverage.info (genhtml can render it)"
