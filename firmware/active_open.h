// The client side of the TCP three-way handshake (RFC 9293 section 3.5), done
// by firmware through the NIC's raw L2 path before the connection is
// offloaded (DESIGN.md, method step 1). This is the protocol logic only:
// it makes the SYN and the final ACK, judges what arrives in SYN-SENT
// (RFC 9293 section 3.10.7.3), negotiates the options and fills the PCB. The
// driver moves the frames and keeps the time.
//
// Negotiation: window scaling only when both sides offer it (RFC 7323
// section 2.2), a peer shift above 14 is taken as 14 (section 2.3);
// timestamps and SACK only when both sides offer them (RFC 7323 section 3.2,
// RFC 2018 section 2); without an MSS option the peer's MSS is 536
// (RFC 9293 section 3.7.1). The PCB's mss is payload bytes per segment: the
// smaller of both MSS values, less 12 when timestamps ride on every segment.
//
// Timestamps: the NIC sends TSval = its clock + PCB.ts_offset. The SYN and
// the ACK carry TSval = ts_offset (clock zero), so the clock only moves
// forward from there, as RFC 7323 section 5.4 requires.
#pragma once

#include <cstdint>
#include <vector>

#include "firmware/packet.h"
#include "firmware/pcb.h"

namespace toevp::fw {

// What connect() needs to know about one connection.
struct ConnectParams {
  std::uint16_t conn_id = 0;  // TCB table slot
  MacAddr local_mac{};
  MacAddr peer_mac{};         // all zeros: Driver::connect resolves it by ARP
  std::uint32_t local_ip = 0;
  std::uint32_t peer_ip = 0;
  std::uint16_t local_port = 0;
  std::uint16_t peer_port = 0;
  std::uint16_t mss = 0;           // our MSS option; 0: CAP_MTU - 40
  int wscale = 7;                  // our window scale shift (0..14); < 0: not offered
  bool timestamps = true;
  bool sack = true;
  std::uint32_t rcv_wnd = 1u << 20;  // bytes we advertise
  std::uint8_t ttl = 64;
  std::uint64_t syn_timeout_ns = 1'000'000;  // first SYN retransmission; doubles after each
  unsigned syn_tries = 4;                    // SYNs sent before giving up
  std::uint64_t offload_timeout_ns = 10'000'000;
};

class ActiveOpen {
 public:
  enum class Verdict {
    kIgnored,      // not for this connection, or not acceptable in SYN-SENT
    kEstablished,  // acceptable SYN-ACK: send ack_frame(), then offload pcb()
    kRefused,      // RST with an acceptable ACK (RFC 9293 section 3.10.7.3)
  };

  // `mtu_mss` is CAP_MTU - 40, the MSS used when params.mss is 0.
  ActiveOpen(const ConnectParams& params, std::uint16_t mtu_mss, std::uint32_t iss,
             std::uint32_t ts_base, std::uint16_t first_ip_id);

  std::vector<std::uint8_t> syn_frame();  // each call uses the next IPv4 ID
  Verdict on_frame(const TcpFrame& seg);
  std::vector<std::uint8_t> ack_frame();  // valid after kEstablished
  Pcb pcb() const;                        // valid after kEstablished

  std::uint32_t iss() const { return iss_; }
  std::uint16_t syn_mss_option() const { return our_mss_; }

 private:
  bool same_flow(const TcpFrame& seg) const;
  void learn_peer(const TcpFrame& synack);
  TcpFrame base_frame(std::uint8_t flags, std::uint32_t seq);

  ConnectParams p_;
  std::uint16_t our_mss_;
  std::uint32_t iss_;
  std::uint32_t ts_base_;
  std::uint16_t next_ip_id_;
  // Learned from the SYN-ACK.
  bool established_ = false;
  std::uint32_t irs_ = 0;
  std::uint16_t peer_window_ = 0;
  std::uint16_t peer_mss_ = 536;
  int snd_wscale_ = -1;  // -1: scaling not in use
  bool timestamps_ = false;
  bool sack_ = false;
  std::uint32_t ts_recent_ = 0;
};

}  // namespace toevp::fw
