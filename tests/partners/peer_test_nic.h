// Test helper: the NIC side of a connection to TcpPeerLogic, scripted by
// hand. It builds the frames the NIC would send (through model/proto) and
// parses what the peer answers, so tests read as "NIC sends X at t, peer
// answers Y".
#pragma once

#include <cstdint>
#include <vector>

#include <catch2/catch.hpp>

#include "firmware/examples/payload_pattern.h"
#include "model/proto/tcp_frame.h"
#include "testbench/partners/tcp_peer_logic.h"

namespace toevp::tb::test {

inline constexpr std::uint64_t kNicMac = 0x02'00'00'00'00'01;
inline constexpr std::uint32_t kNicIp = 0x0A'00'00'01;

// A segment the peer sent, headers copied out of the frame.
struct PeerSegment {
  proto::EthernetHeader eth;
  proto::Ipv4Header ip;
  proto::TcpHeader tcp;
  std::size_t payload_bytes = 0;

  bool is(std::uint8_t flags) const { return tcp.flags == flags; }
};

inline std::vector<PeerSegment> parse_outputs(const std::vector<TcpPeerLogic::Output>& outs) {
  std::vector<PeerSegment> segs;
  for (const auto& o : outs) {
    proto::TcpFrameView v;
    const auto err = proto::parse_tcp_frame(o.frame, v, true);
    INFO("peer frame parse: " << proto::to_string(err));
    REQUIRE(err == proto::FrameError::kNone);
    segs.push_back(PeerSegment{v.eth, v.ip, v.tcp, v.payload.size()});
  }
  return segs;
}

class TestNic {
 public:
  TestNic(const TcpPeerParams& peer, std::uint16_t port = 40000, std::uint16_t peer_port = 5001)
      : peer_(peer), port_(port), peer_port_(peer_port) {}

  std::uint16_t port() const { return port_; }
  proto::Seq iss() const { return iss_; }
  ConnKey key() const { return ConnKey{kNicIp, port_, peer_port_}; }
  std::uint32_t pattern_key() const { return static_cast<std::uint16_t>(port_ - peer_.pattern_port_base); }

  std::vector<std::uint8_t> frame(std::uint8_t flags, proto::Seq seq, proto::Seq ack,
                                  proto::ConstBytes payload = {}, proto::TcpOptions opts = {},
                                  std::uint16_t window = 65535) {
    proto::TcpFrameFields f;
    f.dst_mac = peer_.mac;
    f.src_mac = kNicMac;
    f.src_ip = kNicIp;
    f.dst_ip = peer_.ip;
    f.ip_id = ip_id_++;
    f.src_port = port_;
    f.dst_port = peer_port_;
    f.seq = seq;
    f.ack = ack;
    f.flags = flags;
    f.window = window;
    f.options = opts;
    std::vector<std::uint8_t> out;
    proto::build_tcp_frame(f, payload, out);
    return out;
  }

  std::vector<std::uint8_t> syn(proto::TcpOptions opts) { return frame(proto::kTcpSyn, iss_, proto::Seq(0), {}, opts); }

  // The pattern bytes of stream [offset, offset + len) for this connection.
  std::vector<std::uint8_t> pattern(std::uint64_t offset, std::size_t len) const {
    std::vector<std::uint8_t> p(len);
    fw::PayloadPattern::instance().fill(pattern_key(), offset, p.data(), len);
    return p;
  }

  // A data segment carrying stream bytes [offset, offset + len), ACKing `ack`.
  std::vector<std::uint8_t> data(std::uint64_t offset, std::size_t len, proto::Seq ack,
                                 proto::TcpOptions opts = {}, std::uint8_t extra_flags = 0) {
    const auto p = pattern(offset, len);
    return frame(proto::kTcpAck | proto::kTcpPsh | extra_flags, stream_seq(offset), ack, p, opts);
  }

  proto::Seq stream_seq(std::uint64_t offset) const { return iss_ + 1 + static_cast<std::uint32_t>(offset); }

 private:
  TcpPeerParams peer_;
  std::uint16_t port_;
  std::uint16_t peer_port_;
  proto::Seq iss_{0xFFFF'F000};  // wraps within the first 4 KiB: every test crosses 2^32
  std::uint16_t ip_id_ = 1;
};

}  // namespace toevp::tb::test
