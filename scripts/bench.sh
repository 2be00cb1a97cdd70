#!/usr/bin/env bash
# Simulation speed of toevp on the default design point.
#
#   scripts/bench.sh [-n RUNS] [-B BUILD_DIR] [--messages N] [--no-callgrind]
#
# 1. Wall clock: runs `toevp run --json` RUNS times (default 5) on the
#    default scenario and prints each run's simulated frames per wall second
#    and wall seconds, then the medians. Wall time is noisy on a shared
#    machine; compare medians, and only of runs on the same machine.
# 2. Instructions (when valgrind is installed): callgrind counts are
#    repeatable where wall time is not. Two short runs (M and 3M messages)
#    give the instructions per simulated frame, both overall for the longer
#    run and at the margin ((I2 - I1) / (F2 - F1): the cost of one more frame,
#    without start-up and elaboration), and where the time goes: the top 10
#    functions by inclusive instruction count.
# Frames are the NIC's frames on the wire (report key frames.nic_to_peer), as
# in the report's sim_frames_per_wall_s.
set -euo pipefail
cd "$(dirname "$0")/.."

runs=5
build_dir=${TOEVP_BUILD_DIR:-build}
messages=""  # default scenario: workload.messages as in the config
callgrind=1
cg_messages=100
while [ $# -gt 0 ]; do
  case "$1" in
    -n) runs=$2; shift 2 ;;
    -B) build_dir=$2; shift 2 ;;
    --messages) messages=$2; shift 2 ;;
    --no-callgrind) callgrind=0; shift ;;
    -h|--help) sed -n '2,18p' "$0"; exit 0 ;;
    *) echo "bench.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done

toevp=$build_dir/testbench/toevp
if [ ! -x "$toevp" ]; then
  echo "bench.sh: $toevp not found; build it first (scripts/build.sh or ninja -C $build_dir toevp)" >&2
  exit 2
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# json FILE EXPR: a value of the report (python3 is a setup dependency).
json() { python3 -c "import json,sys; j=json.load(open(sys.argv[1])); print($2)" "$1"; }
median() { sort -g | awk '{v[NR]=$1} END {print (NR%2) ? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2}'; }

sets=()
[ -n "$messages" ] && sets+=(--set "workload.messages=$messages")

echo "toevp bench: default design point, $runs runs ($toevp)"
printf '  %-4s %16s %10s %12s\n' run frames/wall_s wall_s frames
for i in $(seq 1 "$runs"); do
  "$toevp" run --quiet "${sets[@]}" --json "$tmp/run$i.json"
  fps=$(json "$tmp/run$i.json" "j['sim_frames_per_wall_s']")
  wall=$(json "$tmp/run$i.json" "j['wall_s']")
  frames=$(json "$tmp/run$i.json" "j['frames']['nic_to_peer']")
  printf '  %-4s %16.0f %10.4f %12s\n' "$i" "$fps" "$wall" "$frames"
  echo "$fps" >>"$tmp/fps"
  echo "$wall" >>"$tmp/wall"
done
printf '  %-4s %16.0f %10.4f\n' median "$(median <"$tmp/fps")" "$(median <"$tmp/wall")"

if [ "$callgrind" -eq 0 ]; then exit 0; fi
if ! command -v valgrind >/dev/null || ! command -v callgrind_annotate >/dev/null; then
  echo "valgrind not installed: no instruction counts (apt-get install valgrind)"
  exit 0
fi

# cg N TAG: a callgrind run of N messages; prints "instructions frames".
cg() {
  valgrind --tool=callgrind --callgrind-out-file="$tmp/cg.$2" \
    "$toevp" run --quiet --set "workload.messages=$1" --json "$tmp/cg$2.json" 2>"$tmp/cg$2.log" >/dev/null
  local ir
  ir=$(awk '/^(summary|totals):/ {print $2; exit}' "$tmp/cg.$2")
  echo "$ir $(json "$tmp/cg$2.json" "j['frames']['nic_to_peer']")"
}

echo
echo "callgrind: $cg_messages and $((3 * cg_messages)) messages of the default scenario"
read -r ir1 f1 < <(cg "$cg_messages" short)
read -r ir2 f2 < <(cg "$((3 * cg_messages))" long)
printf '  %-34s %14s %8s\n' run instructions frames
printf '  %-34s %14s %8s\n' "$cg_messages messages" "$ir1" "$f1"
printf '  %-34s %14s %8s\n' "$((3 * cg_messages)) messages" "$ir2" "$f2"
awk -v i1="$ir1" -v f1="$f1" -v i2="$ir2" -v f2="$f2" 'BEGIN {
  printf "  instructions per frame, overall   %10.0f\n", i2 / f2
  printf "  instructions per frame, marginal  %10.0f\n", (i2 - i1) / (f2 - f1)
}'

# tops FILE INCLUSIVE: the 10 costliest functions of a callgrind profile,
# without the entry chain every instruction is under (ld.so, libc start,
# main, sc_main, the command, Platform::run, the kernel's run loop), which
# would otherwise fill an inclusive list with 97 % lines.
wrappers='below main|libc_start|ld-linux|[?]:main |sc_elab_and_sim|sc_main|cmd_run|Platform::run|sc_core::sc_start|sc_simcontext::simulate|sc_simcontext::run|0x[0-9a-f]+ '
tops() {
  callgrind_annotate --inclusive="$2" "$1" 2>/dev/null |
    awk '/file:function/ {on = 1; next} on && /^ *[0-9]/ {print}' |
    grep -Ev "$wrappers" | head -10 |
    sed -E 's/\?\?\?://; s/ \[[^]]*\]$//' | cut -c1-150 | sed 's/^/  /'
}

echo
echo "where the time goes ($((3 * cg_messages)) messages): top 10 functions by inclusive instructions"
tops "$tmp/cg.long" yes || true  # head closes the pipe early: SIGPIPE upstream is fine
echo
echo "top 10 functions by their own (exclusive) instructions"
tops "$tmp/cg.long" no || true
