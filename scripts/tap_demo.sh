#!/usr/bin/env bash
# tap_demo.sh: the virtual NIC talks TCP to a real Linux stack.
#
# Creates a network namespace with a TAP device (10.99.0.2/24 on the Linux
# side), starts `socat` listening there, and runs toevp with
# link.partner=tap: the simulated NIC's firmware does the three-way handshake
# with Linux through RAW_TX/RAW_RX, offloads the connection and streams
# messages from host memory (zero copy) to socat, which writes what it
# receives to a file. The script then compares the SHA-256 of that file with
# the bytes the firmware sent (`toevp pattern`), and removes the namespace
# (and with it the TAP device) whatever happened.
#
# Addresses: only 10.99.0.0/24 inside the namespace this script creates;
# nothing on the host's own interfaces changes. Neither side is told the
# other's MAC (RFC 826): the TAP keeps the MAC the kernel gave it and the
# firmware resolves it before its SYN (tap.peer_mac all zeros); Linux learns
# the NIC's MAC from that request and checks it with a request of its own,
# which the firmware answers. The script prints Linux's neighbour events,
# toevp the firmware's ARP counts ("tap ARP").
#
# Usage: scripts/tap_demo.sh [--toevp PATH] [--messages N] [--message-bytes B]
#                            [--timeout SECONDS] [--pcap FILE] [--out-dir DIR]
# Exit status: 0 the data arrived intact, 1 it did not (or the run failed),
# 77 this machine cannot run the demo (not root, no /dev/net/tun, a tool
# missing) — the message says which; tests treat 77 as "skipped".
set -euo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
toevp=${TOEVP:-$here/build/testbench/toevp}
messages=32
message_bytes=65536
timeout_s=120
pcap=""
out_dir=""

while [ $# -gt 0 ]; do
  case "$1" in
    --toevp) toevp=$2; shift 2 ;;
    --messages) messages=$2; shift 2 ;;
    --message-bytes) message_bytes=$2; shift 2 ;;
    --timeout) timeout_s=$2; shift 2 ;;
    --pcap) pcap=$2; shift 2 ;;
    --out-dir) out_dir=$2; shift 2 ;;
    *) echo "tap_demo: unknown argument '$1'" >&2; exit 2 ;;
  esac
done

skip() { echo "tap_demo: SKIP: $*" >&2; exit 77; }
[ "$(id -u)" -eq 0 ] || skip "needs root (network namespaces and a TAP device); run it with sudo"
[ -c /dev/net/tun ] || skip "no /dev/net/tun (TUN/TAP not available in this kernel or container)"
for tool in ip socat sha256sum timeout; do
  command -v "$tool" >/dev/null || skip "'$tool' is not installed (scripts/setup.sh installs it)"
done
[ -x "$toevp" ] || { echo "tap_demo: no toevp executable at $toevp (build it, or pass --toevp)" >&2; exit 1; }

ns=toevp_demo_$$
tap=tvp$$                     # interface names are at most 15 characters
nic_ip=10.99.0.1 linux_ip=10.99.0.2
nic_mac=02:00:00:00:00:01
port=5001
work=${out_dir:-$(mktemp -d /tmp/tap_demo.XXXXXX)}
mkdir -p "$work"
received=$work/received.bin
socat_pid=""
monitor_pid=""

cleanup() {
  [ -n "$socat_pid" ] && kill "$socat_pid" 2>/dev/null || true
  [ -n "$monitor_pid" ] && kill "$monitor_pid" 2>/dev/null || true
  ip netns del "$ns" 2>/dev/null || true   # takes the TAP device with it
  [ -n "$out_dir" ] || rm -rf "$work"
}
trap cleanup EXIT INT TERM

in_ns() { ip netns exec "$ns" "$@"; }

ip netns add "$ns"
in_ns ip link set lo up
in_ns ip tuntap add dev "$tap" mode tap
in_ns ip link set dev "$tap" mtu 1500
in_ns sysctl -qw "net.ipv6.conf.$tap.disable_ipv6=1"   # no IPv6 chatter on the wire
# Linux learns the NIC's MAC from the firmware's ARP request (RFC 826) and
# checks it with a unicast request once it uses it: 5 s later by default, at
# once here, so that Linux asks and the firmware answers during the run.
in_ns sysctl -qw "net.ipv4.neigh.$tap.delay_first_probe_time=0"
in_ns ip addr add "$linux_ip/24" dev "$tap"
in_ns ip link set dev "$tap" up
linux_mac=$(in_ns cat "/sys/class/net/$tap/address")
echo "tap_demo: namespace $ns, TAP $tap: Linux $linux_ip ($linux_mac) <-> NIC $nic_ip ($nic_mac), MACs resolved by ARP"

in_ns socat -u "TCP-LISTEN:$port,bind=$linux_ip,reuseaddr" "OPEN:$received,creat,trunc" &
socat_pid=$!
# Linux's neighbour events while the NIC runs (its table is flushed when
# toevp closes the TAP and the carrier drops).
ip -n "$ns" monitor neigh > "$work/neigh.log" &
monitor_pid=$!
sleep 0.2

bytes=$((messages * message_bytes))
pcap_args=()
[ -n "$pcap" ] && pcap_args=(--pcap "$pcap")
echo "tap_demo: sending $messages messages of $message_bytes bytes ($bytes bytes) from the simulated NIC"
# Linux's minimum RTO is 200 ms and it delays ACKs up to 40 ms; the NIC's
# timers are set alike, since simulated time runs at (at most) wall-clock pace.
status=0
timeout "$timeout_s" ip netns exec "$ns" "$toevp" run \
  --set link.partner=tap --set tap.device="$tap" --set tap.peer_port=$port \
  --set tap.local_ip=$nic_ip --set tap.peer_ip=$linux_ip --set tap.local_mac=$nic_mac \
  --set tap.peer_mac=00:00:00:00:00:00 \
  --set fw.program=bulk_sender --set workload.connections=1 \
  --set workload.messages="$messages" --set workload.message_bytes="$message_bytes" \
  --set workload.outstanding_per_conn=16 \
  --set pe.rto_min_us=200000 --set pe.rto_initial_us=1000000 \
  --set sim.time_limit_ms=$((timeout_s * 1000)) \
  --json "$work/run.json" "${pcap_args[@]}" || status=$?

# What Linux learned by ARP, from the neighbour events it reported while
# the NIC ran (the table is flushed once toevp closes the TAP and its carrier
# drops). The firmware's side is the "tap ARP" line of the run's summary,
# "firmware_arp" in its JSON report.
kill "$monitor_pid" 2>/dev/null || true
wait "$monitor_pid" 2>/dev/null || true
monitor_pid=""
# (The entry's deletion when toevp closed the TAP is left out.)
{ grep -v '^Deleted' "$work/neigh.log" || true; } | sed 's/^/tap_demo: Linux neighbour event: /'

# socat exits when the NIC's FIN arrives; give it a moment.
for _ in $(seq 50); do kill -0 "$socat_pid" 2>/dev/null || break; sleep 0.1; done
kill "$socat_pid" 2>/dev/null || true
wait "$socat_pid" 2>/dev/null || true
socat_pid=""

got=$(stat -c %s "$received" 2>/dev/null || echo 0)
want_sum=$("$toevp" pattern --bytes "$bytes" --conn 0 | sha256sum | cut -d' ' -f1)
got_sum=$(sha256sum "$received" | cut -d' ' -f1)
echo "tap_demo: toevp exit status $status"
echo "tap_demo: sent     $bytes bytes sha256 $want_sum"
echo "tap_demo: received $got bytes sha256 $got_sum"
if [ "$status" -eq 0 ] && [ "$got" -eq "$bytes" ] && [ "$want_sum" = "$got_sum" ]; then
  echo "tap_demo: PASS: Linux received every byte intact"
  exit 0
fi
echo "tap_demo: FAIL"
exit 1
