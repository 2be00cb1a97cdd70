#!/usr/bin/env python3
"""Closed-form bounds of the sizing study (docs/sizing_study.md): what each
stage of the NIC's transmit pipeline costs per message, from a design point's
config (the "config" object of a run's --json report) and the cycle counts of
docs/timing.md. The slowest stage bounds goodput whatever the context table
holds; Little's law bounds it by the table:

    goodput <= min(S x 8 / max(stage time per message), N x S x 8 / T)

Every stage is a pipeline that takes one message (or segment, or frame) per
initiation interval; the stages overlap, so the bound is the slowest one,
not their sum. Times are in ns, goodputs in Gb/s (bits per ns).

    study_bounds.py [--set key=value]... [--bytes S]   prints the stage table
"""
import argparse
import json
import math
import os
import subprocess
import sys

PCIE_GT_PER_S = {1: 2.5, 2: 5.0, 3: 8.0, 4: 16.0, 5: 32.0}
ETH_OVERHEAD = 8 + 4 + 12  # preamble+SFD, FCS, mean inter-frame gap (docs/timing.md, MAC)


def key(config, dotted):
    section, name = dotted.split(".", 1)
    return config[section][name]


class DesignPoint:
    """The numbers of one config that the bounds need."""

    def __init__(self, config):
        c = lambda k: key(config, k)
        self.T = 1000.0 / float(c("nic.core_clock_mhz"))  # core cycle, ns
        gen, lanes = int(c("pcie.gen")), int(c("pcie.lanes"))
        if gen >= 3:  # one 130-bit block per lane carries 16 bytes per lane
            self.Tb, self.B = 130.0 / PCIE_GT_PER_S[gen], 16 * lanes
        else:         # one 10-bit symbol per lane carries a byte per lane
            self.Tb, self.B = 10.0 / PCIE_GT_PER_S[gen], lanes
        self.mps, self.mrrs = int(c("pcie.mps")), int(c("pcie.mrrs"))
        self.tlp = int(c("pcie.tlp_overhead_bytes"))
        self.completer = int(c("pcie.completer_latency_cycles")) * self.T
        self.tags = int(c("pcie.read_tags"))
        self.fetch_batch = int(c("cmd.fetch_batch"))
        self.decode = int(c("cmd.decode_cycles"))
        self.alloc = int(c("ctx.alloc_cycles"))
        self.ctx_max = int(c("ctx.max_bytes"))
        self.tcb_hit = int(c("tcb.hit_cycles"))
        self.pe_tx, self.pe_rx = int(c("pe.tx_cycles")), int(c("pe.rx_cycles"))
        self.datapath = int(c("nic.datapath_bytes"))
        self.rate = float(c("mac.rate_gbps"))  # bits per ns
        self.timestamps = bool(c("workload.timestamps"))
        self.header = 54 + (12 if self.timestamps else 0)
        self.beats = 9 if self.timestamps else 7  # header generator initiation interval, cycles
        self.mtu = int(c("mac.mtu"))
        self.mss = self.mtu - 40 - (12 if self.timestamps else 0)
        self.ack_every = int(c("peer.ack_every"))
        self.delayed_ack = float(c("peer.delayed_ack_us")) * 1000
        tx = int(c("nic.tx_buffer_bytes"))
        self.tx_buffer = tx or auto_tx_buffer(self.rate, self.completer, self.mtu + 14)

    def segments(self, size, stream=True):
        """[(segment bytes, segments per message)]. In a stream the protocol
        engine cuts the connection's byte stream, not each message, into MSS
        segments (protocol_engine.cpp, build_segment), so a queued message
        costs size / MSS segments; a lone message is its own segments."""
        if stream:
            return [(self.mss, size / self.mss)]
        full, last = divmod(size, self.mss)
        return [(self.mss, full)] + ([(last, 1)] if last else [])

    def read_ns(self, nbytes):
        """A DMA read of nbytes on an idle link (docs/timing.md, PCIe): the
        request TLP, the completer latency, the completions back to back,
        plus one block of alignment (the request and the first completion
        each wait for a block boundary, half a block on average) and half a
        core cycle to land on a clock edge."""
        requests = math.ceil(nbytes / self.mrrs)
        completions = math.ceil(nbytes / self.mps)
        down = nbytes + completions * self.tlp
        return (requests - 1) * self.T + self.Tb + self.completer + math.ceil(down / self.B) * self.Tb \
            + self.Tb + self.T / 2

    def stage_ns(self, size, stream=True):
        """Time per message of S bytes in each stage that handles it."""
        segs = self.segments(size, stream)
        n = sum(k for _, k in segs)
        frames = [(s + self.header, k) for s, k in segs]  # Ethernet + IPv4 + TCP header, no FCS
        contexts = math.ceil(size / self.ctx_max)
        b = self.fetch_batch
        reads = [(math.ceil(s / self.mrrs), s, k) for s, k in segs]
        return {
            # Fetch b entries (one DMA read), then decode and link each; the
            # next fetch waits for this batch (command_processor.cpp).
            "command processor (SQ fetch + decode)":
                (self.read_ns(b * 64) + b * (self.decode + self.alloc * contexts) * self.T) / b,
            "protocol engine transmit (TCB hit + decision)": n * (self.tcb_hit + self.pe_tx) * self.T,
            "protocol engine receive (ACKs)": n / self.ack_every * (self.tcb_hit + self.pe_rx) * self.T,
            "header generator": n * self.beats * self.T,
            "frame datapath": sum(k * math.ceil(f / self.datapath) for f, k in frames) * self.T,
            "MAC (wire)": sum(k * (max(f + 4, 64) + 8 + 12) for f, k in frames) * 8 / self.rate,
            "PCIe downstream (payload + SQ entry)":
                (sum(k * (s + math.ceil(s / self.mps) * self.tlp) for s, k in segs) + 64 + self.tlp * 64 / self.mps)
                * self.Tb / self.B,
            "PCIe upstream (read requests + completion)":
                (sum(r * k for r, _, k in reads) * self.tlp + 32 + self.tlp) * self.Tb / self.B,
            "PCIe read tags": sum(r * k * self.read_ns(min(s, self.mrrs)) for r, s, k in reads) / self.tags,
            "transmit buffer": sum(k * (self.read_ns(s) + (f + ETH_OVERHEAD) * 8 / self.rate) / max(1, self.tx_buffer // f)
                                   for (s, k), (f, _) in zip(segs, frames)),
        }

    def pipeline(self, size, stream=True):
        """(bound in Gb/s, binding stage, {stage: ns per message})."""
        stages = self.stage_ns(size, stream)
        name = max(stages, key=stages.get)
        return size * 8 / stages[name], name, stages

    def delayed_ack_wait(self, size):
        """A lone message whose segment count is not a multiple of the
        peer's ACK-every count ends on a segment that only the delayed-ACK
        timer acknowledges (the next segment never comes)."""
        return self.delayed_ack if math.ceil(size / self.mss) % self.ack_every else 0.0


def auto_tx_buffer(rate_gbps, read_latency_ns, frame):
    """nic.tx_buffer_bytes = 0 (docs/timing.md, Cut-through DMA)."""
    return max(16384, (math.ceil(rate_gbps / 8 * read_latency_ns / frame) + 2) * frame)


def littles_bound(entries, size, hold_ns):
    return entries * size * 8 / hold_ns


def default_config(toevp, sets):
    """The config of a design point, as toevp resolves it (one 1-message run)."""
    out = "/tmp/study_bounds_%d.json" % os.getpid()
    argv = [toevp, "run", "--quiet", "--json", out, "--set", "workload.messages=1"]
    for s in sets:
        argv += ["--set", s]
    subprocess.run(argv, check=True, stdout=subprocess.DEVNULL)
    with open(out) as f:
        config = json.load(f)["config"]
    os.unlink(out)
    return config


def main():
    repo = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--set", action="append", default=[])
    ap.add_argument("--bytes", type=int, action="append", help="message size (repeatable)")
    ap.add_argument("--toevp", default=os.environ.get("TOEVP") or os.path.join(repo, "build", "testbench", "toevp"))
    a = ap.parse_args()
    dp = DesignPoint(default_config(a.toevp, a.set))
    for size in a.bytes or [256, 4096, 65536]:
        bound, name, stages = dp.pipeline(size)
        print(f"{size} B messages: {bound:.2f} Gb/s, bound by the {name}")
        for s, t in sorted(stages.items(), key=lambda kv: -kv[1]):
            print(f"  {t:9.1f} ns  {size * 8 / t:8.2f} Gb/s  {s}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
