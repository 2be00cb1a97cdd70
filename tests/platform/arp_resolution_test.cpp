// ARP inside the platform: firmware connects with an all-zero peer MAC, the
// driver resolves it from the TCP peer model (which answers requests for its
// IP, RFC 826) and the connection runs on the learned MAC; an address nobody
// has fails connect() with the ARP message after the configured tries; the
// example program, told no peer MAC, resolves once and caches it for every
// connection. Checked on the link, frame by frame, and in the peer's counters.
#include <catch2/catch.hpp>

#include <algorithm>

#include "firmware/arp.h"
#include "firmware/examples/firmware_program.h"
#include "firmware/pcb.h"
#include "model/abi/abi.h"
#include "model/proto/arp.h"
#include "model/proto/ethernet.h"
#include "model/proto/tcp_frame.h"
#include "testbench/platform.h"
#include "testbench/workload.h"
#include "tests/platform/platform_harness.h"

namespace toevp::tb::test {
namespace {

constexpr std::uint64_t kPeerMac = 0x02'00'00'00'00'02;  // TcpPeerParams' default
constexpr std::uint64_t kNicMac = 0x02'00'00'00'00'01;

// Every frame on the link, both directions, in send order.
struct LinkLog : link::FrameObserver {
  struct Seen {
    bool from_nic;
    sc_core::sc_time first_bit;
    std::vector<std::uint8_t> data;
  };
  std::vector<Seen> frames;
  void on_frame(const link::EthFrame& f, bool from_a, const sc_core::sc_time& first_bit) override {
    frames.push_back(Seen{from_a, first_bit, f.data});
  }
};

bool is_arp(const LinkLog::Seen& s, proto::EthernetHeader& eth, proto::ArpPacket& arp) {
  return proto::parse_ethernet(s.data, eth) == proto::EthernetError::kNone && eth.ethertype == proto::kEtherTypeArp &&
         proto::parse_arp(proto::ConstBytes(s.data).subspan(proto::kEthernetHeaderBytes), arp) == proto::ArpError::kNone;
}

std::uint64_t mac_number(const fw::MacAddr& m) {
  std::uint64_t v = 0;
  for (std::uint8_t b : m) v = (v << 8) | b;
  return v;
}

struct Seen {
  std::string error;
  bool connected = false;
  fw::Pcb pcb;
  fw::DriverStats stats;
  bool sent = false;
  std::uint64_t connect_ns = 0;
};

int resolve_program(fw::HostInterface& host, std::uint32_t peer_ip, Seen& s) {
  fw::Driver drv(host);
  if (!drv.init(fw::DriverConfig{})) {
    s.error = drv.last_error();
    return 1;
  }
  fw::ConnectParams cp = connect_params(0);
  cp.peer_mac = {};  // resolve it
  cp.peer_ip = peer_ip;
  const std::uint64_t t0 = host.now_ns();
  s.connected = drv.connect(cp);
  s.connect_ns = host.now_ns() - t0;
  s.stats = drv.stats();
  if (!s.connected) {
    s.error = drv.last_error();
    return 1;
  }
  s.pcb = drv.offloaded_pcb(0);
  const std::uint64_t buf = host.dma_alloc(8192, 64);
  fill_pattern(host, buf, 0, 0, 8192);
  fw::Completion c;
  s.sent = drv.send(0, buf, 8192, 1) && next(drv, c) && c.type == abi::CqeType::kSendDone;
  return 0;
}

TEST_CASE("connect with a zero peer MAC resolves the peer model's MAC by ARP and the connection runs on it",
          "[platform][arp]") {
  Platform p(make_config({}));
  LinkLog log;
  p.link.add_observer(&log);
  Seen s;
  REQUIRE(p.run([&](fw::HostInterface& h) { return resolve_program(h, p.peer.logic().params().ip, s); }));
  INFO(s.error);
  REQUIRE(s.connected);
  REQUIRE(log.frames.size() >= 4);
  // 1. The NIC broadcasts "who has 10.0.0.2? tell 10.0.0.1".
  proto::EthernetHeader eth;
  proto::ArpPacket arp;
  REQUIRE(log.frames[0].from_nic);
  REQUIRE(is_arp(log.frames[0], eth, arp));
  CHECK(eth.dst == proto::kBroadcastMac);
  CHECK(eth.src == kNicMac);
  CHECK(arp.op == proto::kArpOpRequest);
  CHECK(arp.sender_mac == kNicMac);
  CHECK(arp.sender_ip == 0x0A000001u);
  CHECK(arp.target_ip == 0x0A000002u);
  // 2. The peer model answers it to the NIC's MAC.
  REQUIRE_FALSE(log.frames[1].from_nic);
  REQUIRE(is_arp(log.frames[1], eth, arp));
  CHECK(eth.dst == kNicMac);
  CHECK(eth.src == kPeerMac);
  CHECK(arp.op == proto::kArpOpReply);
  CHECK(arp.sender_mac == kPeerMac);
  CHECK(arp.sender_ip == 0x0A000002u);
  CHECK(arp.target_mac == kNicMac);
  CHECK(arp.target_ip == 0x0A000001u);
  // It leaves the peer as the request's last bit arrives (turnaround 0):
  // one link propagation (2 us) and a 60-byte frame's serialization later.
  const sc_core::sc_time turn = log.frames[1].first_bit - log.frames[0].first_bit;
  INFO("reply first bit " << turn << " after the request's");
  CHECK(turn >= p.link.params().propagation);
  CHECK(turn <= p.link.params().propagation + sc_core::sc_time(20, sc_core::SC_NS));
  // 3. Then the SYN, to the learned MAC; the PCB carries it too.
  REQUIRE(log.frames[2].from_nic);
  proto::TcpFrameView v;
  REQUIRE(proto::parse_tcp_frame(log.frames[2].data, v) == proto::FrameError::kNone);
  CHECK(v.tcp.flags == proto::kTcpSyn);
  CHECK(v.eth.dst == kPeerMac);
  CHECK(mac_number(s.pcb.remote_mac) == kPeerMac);
  // One request, one reply; the data went through and is intact.
  CHECK(s.stats.arp_requests_sent == 1);
  CHECK(s.stats.arp_replies_received == 1);
  CHECK(p.peer.logic().stats().arp_replies_sent == 1);
  CHECK(p.peer.logic().stats().frames_bad == 0);
  const auto arp_frames = std::count_if(log.frames.begin(), log.frames.end(), [](const LinkLog::Seen& f) {
    proto::EthernetHeader e;
    proto::ArpPacket a;
    return is_arp(f, e, a);
  });
  CHECK(arp_frames == 2);
  CHECK(s.sent);
  CHECK(p.peer.logic().all_data_ok());
  // Resolution costs two trips over the link, not a retry interval.
  INFO("connect() took " << s.connect_ns << " ns");
  CHECK(s.connect_ns < 50'000);  // (18.7 us with the handshake and the offload)
}

TEST_CASE("connect to an address nobody answers ARP for fails after the configured tries",
          "[platform][arp]") {
  Platform p(make_config({}));
  LinkLog log;
  p.link.add_observer(&log);
  Seen s;
  REQUIRE(p.run([&](fw::HostInterface& h) { return resolve_program(h, 0x0A000003, s); }));
  CHECK_FALSE(s.connected);
  CHECK(s.error == "ARP: no reply from 10.0.0.3 after 3 tries");
  CHECK(s.stats.arp_requests_sent == 3);
  CHECK(s.connect_ns >= 3 * fw::ArpConfig{}.retry_ns);
  // Three broadcasts a retry interval apart, nothing else: the peer model
  // heard them and kept quiet.
  REQUIRE(log.frames.size() == 3);
  for (const auto& f : log.frames) CHECK(f.from_nic);
  // (Each leaves a doorbell-to-wire latency after its post; the first one's
  // is a little longer, behind init's raw receive buffers.)
  for (std::size_t i = 1; i < 3; ++i) {
    const sc_core::sc_time gap = log.frames[i].first_bit - log.frames[i - 1].first_bit;
    CHECK(gap >= sc_core::sc_time(995, sc_core::SC_US));
    CHECK(gap <= sc_core::sc_time(1005, sc_core::SC_US));
  }
  CHECK(p.peer.logic().stats().arp_ignored == 3);
  CHECK(p.peer.logic().stats().arp_replies_sent == 0);
}

TEST_CASE("bulk_sender told no peer MAC resolves it once and streams every message on four connections",
          "[platform][arp]") {
  const model::Config config = make_config({"fw.program=bulk_sender", "workload.connections=4",
                                            "workload.messages=64", "workload.message_bytes=16384"});
  fw::ProgramParams params = program_params(config);
  params["peer_mac"] = "00:00:00:00:00:00";
  auto program = fw::make_program("bulk_sender", params);
  Platform p(config);
  LinkLog log;
  p.link.add_observer(&log);
  auto* prog = program.get();
  REQUIRE(p.run([prog](fw::HostInterface& h) { return prog->run(h); }));
  const fw::ProgramResults& r = program->results();
  INFO(r.first_error);
  CHECK(r.ok);
  CHECK(r.connections_established == 4);
  CHECK(r.messages_completed == 64);
  CHECK(r.driver.arp_requests_sent == 1);  // the other three connections found it cached
  CHECK(r.driver.arp_replies_received == 1);
  CHECK(p.peer.logic().all_data_ok());
  CHECK(p.peer.logic().stats().arp_replies_sent == 1);
  // Every TCP frame from the NIC went to the peer's MAC.
  for (const auto& f : log.frames) {
    proto::TcpFrameView v;
    if (f.from_nic && proto::parse_tcp_frame(f.data, v) == proto::FrameError::kNone) {
      CHECK(v.eth.dst == kPeerMac);
      if (v.eth.dst != kPeerMac) break;
    }
  }
}

}  // namespace
}  // namespace toevp::tb::test
