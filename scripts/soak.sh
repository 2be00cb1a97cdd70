#!/bin/bash
# Soak test of the protocol engine under a lossy, reordering link (not in CI:
# minutes of wall time). Two parts:
#   1. >= 1,000,000 messages over 64 connections (bulk_sender, the program
#      docs/protocol.md's figures come from) with 1% loss and 1% reordering
#      in both directions; every check of `toevp run` must pass
#      (every byte at the peer in order, every SEND_DONE exactly once and
#      after its ACK, nothing held at the end).
#   2. One connection's goodput under random data loss p against the Mathis
#      bound MSS/RTT * sqrt(3/2) / sqrt(p) (Mathis et al., CCR 1997), RTT
#      being the mean RTT the NIC measured.
# Usage: scripts/soak.sh [BUILD_DIR]   (default: build; needs testbench/toevp)
# Environment: SEED (1), MESSAGES (1000000), CONNECTIONS (64), MESSAGE_BYTES
# (4096), LOSSES ("0.001 0.003 0.01 0.03"), OUT (soak-results).
set -euo pipefail

BUILD=${1:-build}
TOEVP=$BUILD/testbench/toevp
[ -x "$TOEVP" ] || { echo "soak: $TOEVP not found (build the toevp target first)" >&2; exit 2; }
SEED=${SEED:-1}
MESSAGES=${MESSAGES:-1000000}
CONNECTIONS=${CONNECTIONS:-64}
MESSAGE_BYTES=${MESSAGE_BYTES:-4096}
LOSSES=${LOSSES:-0.001 0.003 0.01 0.03}
OUT=${OUT:-soak-results}
mkdir -p "$OUT"

both() {  # both() key value -> --set for both directions
  echo "--set link.a_to_b.$1=$2 --set link.b_to_a.$1=$2"
}

echo "soak: $MESSAGES messages of $MESSAGE_BYTES B over $CONNECTIONS connections, 1% loss + 1% reordering both ways, seed $SEED"
start=$(date +%s)
status=0
# shellcheck disable=SC2046
"$TOEVP" run --quiet --json "$OUT/soak.json" \
  --set sim.seed="$SEED" --set sim.time_limit_ms=100000 --set fw.program=bulk_sender \
  --set workload.connections="$CONNECTIONS" --set workload.messages="$MESSAGES" \
  --set workload.message_bytes="$MESSAGE_BYTES" --set workload.outstanding_per_conn=16 \
  $(both loss 0.01) $(both reorder 0.01) $(both reorder_delay_ns 3000) || status=$?
echo "soak: toevp exit status $status after $(( $(date +%s) - start )) s wall"

for p in $LOSSES; do
  # shellcheck disable=SC2046
  "$TOEVP" run --quiet --json "$OUT/mathis_$p.json" \
    --set sim.seed="$SEED" --set sim.time_limit_ms=100000 \
    --set workload.connections=1 --set workload.messages=1000 --set workload.message_bytes=65536 \
    --set link.a_to_b.loss="$p" || status=$?
done

python3 - "$OUT" "$LOSSES" <<'PY'
import json, math, sys
out, losses = sys.argv[1], sys.argv[2].split()
s = json.load(open(f"{out}/soak.json"))
pr = s["protocol"]
f = s["link_faults"]
print("\n== soak ==")
print(f"messages          {s['messages_completed']} of {s['messages_posted']} completed, firmware ok {s['firmware_ok']}")
print(f"peer              {s['peer_bytes_received']} bytes, data ok {s['peer_data_ok']}")
print(f"scoreboard        {s['scoreboard']['send_done_checked']} SEND_DONE checked, {s['scoreboard']['violations']} violations")
print(f"context table     {s['context_table']['in_use_at_end']} in use at the end, peak {s['context_table']['peak_used']}")
for d in ("a_to_b", "b_to_a"):
    x = f[d]
    print(f"link {d}       {x['frames']} frames, {x['lost_random']} lost, {x['reordered']} reordered")
print(f"recovery          {s['retransmitted_segments']} segments resent: {pr['fast_retransmits']} fast retransmits, "
      f"{pr['partial_ack_retransmits']} partial-ACK resends, {pr['timeouts']} timeouts")
print(f"goodput           {s['goodput_gbps']:.2f} Gb/s aggregate (theoretical {s['theoretical_goodput_gbps']:.2f})")
print(f"simulated         {s['sim_time_ns']/1e6:.1f} ms in {s['wall_s']:.1f} s wall")
print("\n== goodput of one connection vs the Mathis bound (loss NIC->peer only) ==")
print(f"{'p':>7} {'measured p':>10} {'RTT us':>7} {'goodput Gb/s':>12} {'Mathis Gb/s':>11} {'ratio':>6} {'timeouts':>8}")
for p in losses:
    j = json.load(open(f"{out}/mathis_{p}.json"))
    mtu = j["config"]["mac"]["mtu"]
    mss = mtu - 40 - (12 if j["config"]["workload"]["timestamps"] else 0)
    rtt = j["protocol"]["rtt_mean_ns"] * 1e-9
    fa = j["link_faults"]["a_to_b"]
    pm = fa["lost_random"] / max(fa["frames"], 1)
    bound = mss * 8 / rtt * math.sqrt(1.5) / math.sqrt(float(p)) / 1e9 if rtt > 0 else float("nan")
    line = min(bound, j["theoretical_goodput_gbps"])
    print(f"{p:>7} {pm:>10.4f} {rtt*1e6:>7.2f} {j['goodput_gbps']:>12.2f} {bound:>11.2f} {j['goodput_gbps']/line:>6.2f} "
          f"{j['protocol']['timeouts']:>8}")
print("(ratio: measured / min(Mathis, line-rate goodput))")
PY
exit $status
