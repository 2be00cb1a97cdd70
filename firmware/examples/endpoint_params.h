// What every example program needs to know to open its connections: the
// addresses of both ends, the TCP options it offers, the handshake timers and
// the driver's settings, read from ProgramParams under the same keys
// bulk_sender uses (local_mac, peer_ip, wscale, sq_entries, ...), so one
// config file drives any program (testbench/workload.cpp).
//
// Connection i uses TCB slot i and local port local_port_base + i; the TCP
// peer model checks its bytes against fw::PayloadPattern key i.
#pragma once

#include <cstdint>
#include <string>

#include "firmware/active_open.h"
#include "firmware/driver.h"
#include "firmware/examples/firmware_program.h"

namespace toevp::fw {

struct EndpointParams {
  MacAddr local_mac{0x02, 0x00, 0x00, 0x00, 0x00, 0x01};
  MacAddr peer_mac{0x02, 0x00, 0x00, 0x00, 0x00, 0x02};
  std::uint32_t local_ip = 0x0A000001;  // 10.0.0.1
  std::uint32_t peer_ip = 0x0A000002;   // 10.0.0.2
  std::uint16_t local_port_base = 40000;
  std::uint16_t peer_port = 5001;
  std::uint16_t mss = 0;  // 0: CAP_MTU - 40
  int wscale = 7;         // < 0: not offered
  bool timestamps = true;
  bool sack = true;
  std::uint32_t rcv_wnd = 1u << 20;
  std::uint64_t syn_timeout_ns = 1'000'000;
  unsigned syn_tries = 4;
  DriverConfig driver;

  // Reads the keys above (and the driver's: sq_entries, cq_entries,
  // raw_rx_buffers, interrupts, int_moderation_cycles, interrupt_wait_ns,
  // poll_interval_ns, command_timeout_ns, seed, arp_tries, arp_retry_ns)
  // from `r`. peer_mac 00:00:00:00:00:00: connect() resolves it by ARP.
  void read(ParamReader& r) {
    local_mac = r.mac("local_mac", local_mac);
    peer_mac = r.mac("peer_mac", peer_mac);
    local_ip = r.ipv4("local_ip", local_ip);
    peer_ip = r.ipv4("peer_ip", peer_ip);
    local_port_base = static_cast<std::uint16_t>(r.u32("local_port_base", local_port_base));
    peer_port = static_cast<std::uint16_t>(r.u32("peer_port", peer_port));
    mss = static_cast<std::uint16_t>(r.u32("mss", mss));
    wscale = r.i32("wscale", wscale);
    timestamps = r.boolean("timestamps", timestamps);
    sack = r.boolean("sack", sack);
    rcv_wnd = r.u32("rcv_wnd", rcv_wnd);
    syn_timeout_ns = r.u64("syn_timeout_ns", syn_timeout_ns);
    syn_tries = r.u32("syn_tries", syn_tries);
    driver.sq_entries = r.u32("sq_entries", driver.sq_entries);
    driver.cq_entries = r.u32("cq_entries", driver.cq_entries);
    driver.raw_rx_buffers = r.u32("raw_rx_buffers", driver.raw_rx_buffers);
    driver.interrupts = r.boolean("interrupts", driver.interrupts);
    driver.int_moderation_cycles = r.u32("int_moderation_cycles", driver.int_moderation_cycles);
    driver.interrupt_wait_ns = r.u64("interrupt_wait_ns", driver.interrupt_wait_ns);
    driver.poll_interval_ns = r.u64("poll_interval_ns", driver.poll_interval_ns);
    driver.command_timeout_ns = r.u64("command_timeout_ns", driver.command_timeout_ns);
    driver.seed = r.u64("seed", driver.seed);
    driver.arp.tries = r.u32("arp_tries", driver.arp.tries);
    driver.arp.retry_ns = r.u64("arp_retry_ns", driver.arp.retry_ns);
    // The host answers ARP for its address from init() on, not only once
    // it connects.
    driver.local_ip = local_ip;
    driver.local_mac = local_mac;
  }

  ConnectParams connect_params(std::uint16_t conn) const {
    ConnectParams c;
    c.conn_id = conn;
    c.local_mac = local_mac;
    c.peer_mac = peer_mac;
    c.local_ip = local_ip;
    c.peer_ip = peer_ip;
    c.local_port = static_cast<std::uint16_t>(local_port_base + conn);
    c.peer_port = peer_port;
    c.mss = mss;
    c.wscale = wscale;
    c.timestamps = timestamps;
    c.sack = sack;
    c.rcv_wnd = rcv_wnd;
    c.syn_timeout_ns = syn_timeout_ns;
    c.syn_tries = syn_tries;
    return c;
  }
};

}  // namespace toevp::fw
