#!/usr/bin/env bash
# Speed of fast mode (sim.mode = fast) against cycle mode at equal workload.
#
#   scripts/bench_fast.sh [-n RUNS] [-B BUILD_DIR] [--messages N] [--set key=value]... [--no-callgrind]
#
# 1. Wall clock: RUNS times (default 5) the same design point in cycle mode
#    and in fast mode, alternating so both see the same machine load; prints
#    every run's wall seconds and simulated frames per wall second, the
#    medians per mode and the speedup (median cycle wall / median fast wall).
#    Wall time is the simulation only (the report's wall_s: no elaboration).
#    On a shared machine compare medians of one invocation only.
# 2. Instructions (when valgrind is installed), repeatable where wall time is
#    not: callgrind runs of M and 3M messages per mode give the instructions
#    per simulated frame overall and at the margin ((I2 - I1) / (F2 - F1),
#    without start-up), the SystemC delta cycles per frame, and the speedup
#    in instructions.
# Each pair of runs must deliver the same bytes and completions
# (stream_digest, completion_stream_digest); the script fails if not.
# Frames are the NIC's frames on the wire (frames.nic_to_peer).
set -euo pipefail
cd "$(dirname "$0")/.."

runs=5
build_dir=${TOEVP_BUILD_DIR:-build}
messages=""  # default: workload.messages of the config
callgrind=1
cg_messages=100
sets=()
while [ $# -gt 0 ]; do
  case "$1" in
    -n) runs=$2; shift 2 ;;
    -B) build_dir=$2; shift 2 ;;
    --messages) messages=$2; shift 2 ;;
    --set) sets+=(--set "$2"); shift 2 ;;
    --no-callgrind) callgrind=0; shift ;;
    -h|--help) sed -n '2,20p' "$0"; exit 0 ;;
    *) echo "bench_fast.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done

toevp=$build_dir/testbench/toevp
if [ ! -x "$toevp" ]; then
  echo "bench_fast.sh: $toevp not found; build it first (scripts/build.sh or ninja -C $build_dir toevp)" >&2
  exit 2
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# json FILE EXPR: a value of the report (python3 is a setup dependency).
json() { python3 -c "import json,sys; j=json.load(open(sys.argv[1])); print($2)" "$1"; }
median() { sort -g | awk '{v[NR]=$1} END {print (NR%2) ? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2}'; }
# same A B: both reports delivered the same bytes and completions.
same() {
  local a b
  a=$(json "$1" "j['stream_digest'] + ' ' + j['completion_stream_digest'] + ' ' + str(j['peer_data_ok'])")
  b=$(json "$2" "j['stream_digest'] + ' ' + j['completion_stream_digest'] + ' ' + str(j['peer_data_ok'])")
  if [ "$a" != "$b" ] || [[ "$a" != *True ]]; then
    echo "bench_fast.sh: cycle and fast mode differ ($1: $a, $2: $b)" >&2
    exit 1
  fi
}

[ -n "$messages" ] && sets+=(--set "workload.messages=$messages")
echo "toevp fast-mode bench: $runs runs per mode ($toevp${sets[*]:+ ${sets[*]}})"
printf '  %-4s %-6s %16s %10s %10s\n' run mode frames/wall_s wall_s frames
for i in $(seq 1 "$runs"); do
  for mode in cycle fast; do
    "$toevp" run --quiet "${sets[@]}" --set sim.mode=$mode --json "$tmp/$mode$i.json"
    fps=$(json "$tmp/$mode$i.json" "j['sim_frames_per_wall_s']")
    wall=$(json "$tmp/$mode$i.json" "j['wall_s']")
    frames=$(json "$tmp/$mode$i.json" "j['frames']['nic_to_peer']")
    printf '  %-4s %-6s %16.0f %10.4f %10s\n' "$i" "$mode" "$fps" "$wall" "$frames"
    echo "$fps" >>"$tmp/fps.$mode"
    echo "$wall" >>"$tmp/wall.$mode"
  done
  same "$tmp/cycle$i.json" "$tmp/fast$i.json"
done
wc=$(median <"$tmp/wall.cycle"); wf=$(median <"$tmp/wall.fast")
printf '  %-11s %16.0f %10.4f\n' "median cycle" "$(median <"$tmp/fps.cycle")" "$wc"
printf '  %-11s %16.0f %10.4f\n' "median fast" "$(median <"$tmp/fps.fast")" "$wf"
awk -v c="$wc" -v f="$wf" 'BEGIN { printf "  speedup (wall, medians)  %.2fx\n", c / f }'

if [ "$callgrind" -eq 0 ]; then exit 0; fi
if ! command -v valgrind >/dev/null; then
  echo "valgrind not installed: no instruction counts (apt-get install valgrind)"
  exit 0
fi

# cg MODE N: a callgrind run of N messages; prints "instructions frames delta_cycles".
cg() {
  # Later --set wins: N messages whatever the sets above say.
  valgrind --tool=callgrind --callgrind-out-file="$tmp/cg.$1.$2" \
    "$toevp" run --quiet "${sets[@]}" --set sim.mode="$1" --set "workload.messages=$2" \
    --json "$tmp/cg.$1.$2.json" 2>"$tmp/cg.$1.$2.log" >/dev/null
  local ir
  ir=$(awk '/^(summary|totals):/ {print $2; exit}' "$tmp/cg.$1.$2")
  echo "$ir $(json "$tmp/cg.$1.$2.json" "j['frames']['nic_to_peer'], j['kernel_delta_cycles']")"
}

m1=$cg_messages; m2=$((3 * cg_messages))
echo
echo "callgrind: $m1 and $m2 messages per mode"
printf '  %-6s %14s %14s %10s %10s %14s\n' mode "instr($m1)" "instr($m2)" frames instr/frame "marginal/frame"
declare -A marg
for mode in cycle fast; do
  read -r i1 f1 _ < <(cg $mode $m1)
  read -r i2 f2 d2 < <(cg $mode $m2)
  same "$tmp/cg.cycle.$m2.json" "$tmp/cg.$mode.$m2.json" 2>/dev/null || true
  marg[$mode]=$(awk -v i1="$i1" -v f1="$f1" -v i2="$i2" -v f2="$f2" 'BEGIN { printf "%.0f", (i2 - i1) / (f2 - f1) }')
  awk -v m="$mode" -v i1="$i1" -v i2="$i2" -v f2="$f2" -v d2="$d2" -v mg="${marg[$mode]}" 'BEGIN {
    printf "  %-6s %14s %14s %10s %10.0f %14s   (%.2f delta cycles per frame)\n", m, i1, i2, f2, i2 / f2, mg, d2 / f2 }'
done
same "$tmp/cg.cycle.$m2.json" "$tmp/cg.fast.$m2.json"
awk -v c="${marg[cycle]}" -v f="${marg[fast]}" 'BEGIN { printf "  speedup (marginal instructions per frame)  %.2fx\n", c / f }'
