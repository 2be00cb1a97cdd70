// ARP in the firmware (RFC 826): the packet code against hand-written wire
// bytes, the neighbour cache, and the driver against the fake NIC answering
// requests for its addresses (and nothing else), counting malformed ARP, and
// resolving a zero peer MAC in connect() with retries and a clear failure.
#include <catch2/catch.hpp>

#include <array>

#include "firmware/arp.h"
#include "firmware/driver.h"
#include "firmware/packet.h"
#include "tests/firmware/fake_nic.h"

using namespace toevp;
using namespace toevp::fw;
using namespace toevp::fw::test;

namespace {

constexpr MacAddr kOurMac{0x02, 0, 0, 0, 0, 0x01};
constexpr MacAddr kLinuxMac{0x02, 0x5A, 0x11, 0x22, 0x33, 0x44};
constexpr std::uint32_t kOurIp = 0x0A000001;    // 10.0.0.1
constexpr std::uint32_t kPeerIp = 0x0A000002;   // 10.0.0.2
constexpr std::uint32_t kOtherIp = 0x0A000063;  // 10.0.0.99

// "Who has 10.0.0.1? Tell 10.0.0.2" from 02:5a:11:22:33:44, as Linux sends
// it through a TAP device: 42 bytes, no padding.
const Frame kLinuxRequest = {
    0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x02, 0x5A, 0x11, 0x22, 0x33, 0x44, 0x08, 0x06,  // Ethernet
    0x00, 0x01, 0x08, 0x00, 0x06, 0x04, 0x00, 0x01,                                      // Ethernet/IPv4, request
    0x02, 0x5A, 0x11, 0x22, 0x33, 0x44, 10, 0, 0, 2,                                     // sender
    0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 10, 0, 0, 1};                                    // target

Frame request_for(std::uint32_t target_ip, std::uint32_t sender_ip = kPeerIp) {
  ArpPacket a;
  a.sender_mac = kLinuxMac;
  a.sender_ip = sender_ip;
  a.target_ip = target_ip;
  return encode_arp_frame(kBroadcastMac, a);
}

ConnectParams conn_params(std::uint16_t conn = 0) {
  ConnectParams p;
  p.conn_id = conn;
  p.local_mac = kOurMac;
  p.peer_mac = {};  // resolve by ARP
  p.local_ip = kOurIp;
  p.peer_ip = kPeerIp;
  p.local_port = static_cast<std::uint16_t>(40000 + conn);
  p.peer_port = 5001;
  return p;
}

// Fake host + NIC whose link partner answers ARP for 10.0.0.2 (ArpPeer) and
// the handshake (SynAckPeer); the driver initialised with `cfg`.
struct Bench {
  FakeHost host;
  SynAckPeer tcp;
  ArpPeer arp;
  std::vector<Frame> user_frames;  // what reached the user's raw handler
  FakeNic nic{host, [this](const Frame& f) { return arp(f); }};
  Driver drv{host};
  explicit Bench(DriverConfig cfg = {}) {
    arp.mac = kLinuxMac;
    arp.host = &host;
    arp.next = [this](const Frame& f) { return tcp(f); };
    REQUIRE(drv.init(cfg));
    drv.set_raw_rx_handler([this](proto::ConstBytes f) { user_frames.emplace_back(f.begin(), f.end()); });
    host.delay_ns(10);  // the fake NIC takes the raw receive buffers init() posted
  }
  // A frame arrives from the wire; the driver reaps it (and sends what it answers).
  void arrive(const Frame& f) {
    nic.inject(f);
    drv.poll(10'000);
    host.delay_ns(10);  // the fake NIC fetches what the driver posted
    drv.poll(0);
  }
};

DriverConfig with_address() {
  DriverConfig cfg;
  cfg.local_ip = kOurIp;
  cfg.local_mac = kOurMac;
  return cfg;
}

ArpPacket decode(const Frame& f, MacAddr& eth_dst) {
  ArpPacket a;
  REQUIRE(decode_arp_frame(f, a, eth_dst) == ArpDecode::kOk);
  return a;
}

}  // namespace

TEST_CASE("ARP frames are encoded at RFC 826's offsets and padded to the Ethernet minimum") {
  ArpPacket a;
  a.op = static_cast<std::uint16_t>(ArpOp::kRequest);
  a.sender_mac = kLinuxMac;
  a.sender_ip = kPeerIp;
  a.target_ip = kOurIp;
  const Frame f = encode_arp_frame(kBroadcastMac, a);
  REQUIRE(f.size() == 60);
  CHECK(Frame(f.begin(), f.begin() + 42) == kLinuxRequest);
  CHECK(std::all_of(f.begin() + 42, f.end(), [](std::uint8_t b) { return b == 0; }));
  // And Linux's unpadded 42 bytes decode into the same packet.
  MacAddr dst{};
  const ArpPacket d = decode(kLinuxRequest, dst);
  CHECK(dst == kBroadcastMac);
  CHECK(d.op == 1);
  CHECK(d.sender_mac == kLinuxMac);
  CHECK(d.sender_ip == kPeerIp);
  CHECK(is_zero(d.target_mac));
  CHECK(d.target_ip == kOurIp);
  CHECK(to_dotted(kPeerIp) == "10.0.0.2");
  CHECK(to_dotted(0xC0A8FF01) == "192.168.255.1");
}

TEST_CASE("ARP decoding tells truncated, foreign and mis-sized packets apart") {
  ArpPacket a;
  MacAddr dst{};
  CHECK(decode_arp_frame(Frame(kLinuxRequest.begin(), kLinuxRequest.end() - 1), a, dst) == ArpDecode::kTruncated);
  CHECK(decode_arp_frame(Frame(kLinuxRequest.begin(), kLinuxRequest.begin() + 13), a, dst) == ArpDecode::kNotArp);
  Frame f = kLinuxRequest;
  f[13] = 0x00;  // IPv4 EtherType
  CHECK(decode_arp_frame(f, a, dst) == ArpDecode::kNotArp);
  f = kLinuxRequest;
  f[17] = 0xDD;  // protocol type 0x08DD
  CHECK(decode_arp_frame(f, a, dst) == ArpDecode::kOtherProtocol);
  f = kLinuxRequest;
  f[19] = 16;  // protocol address length
  CHECK(decode_arp_frame(f, a, dst) == ArpDecode::kBadLengths);
}

TEST_CASE("the neighbour cache updates in place and makes room by dropping the oldest write") {
  NeighbourCache cache(2);
  const MacAddr a{2, 0, 0, 0, 0, 0xA}, b{2, 0, 0, 0, 0, 0xB}, c{2, 0, 0, 0, 0, 0xC};
  CHECK_FALSE(cache.update(1, a));  // RFC 826's merge: only existing entries
  CHECK(cache.size() == 0);
  cache.insert(1, a);
  cache.insert(2, b);
  CHECK(cache.update(1, c));
  CHECK(cache.lookup(1) == c);
  cache.insert(1, a);  // renews entry 1: entry 2 is now the oldest
  cache.insert(3, c);
  CHECK(cache.size() == 2);
  CHECK_FALSE(cache.lookup(2).has_value());
  CHECK(cache.lookup(1) == a);
  CHECK(cache.lookup(3) == c);
}

TEST_CASE("the ARP agent leaves other frames alone and never claims an address with nobody's MAC") {
  ArpAgent agent;
  Frame reply;
  Frame ipv4 = kLinuxRequest;
  ipv4[13] = 0x00;
  CHECK(agent.on_frame(ipv4, reply) == ArpAgent::Verdict::kNotArp);
  agent.add_address(kOurIp, MacAddr{});      // zero MAC
  agent.add_address(kOurIp, kBroadcastMac);  // multicast MAC
  agent.add_address(0, kOurMac);             // 0.0.0.0
  CHECK_FALSE(agent.owns(kOurIp));
  CHECK_FALSE(agent.owns(0));
  CHECK(agent.on_frame(kLinuxRequest, reply) == ArpAgent::Verdict::kIgnored);
  CHECK(reply.empty());
  agent.add_address(kOurIp, kOurMac);
  CHECK(agent.on_frame(kLinuxRequest, reply) == ArpAgent::Verdict::kAnswered);
  CHECK(reply.size() == kArpFrameBytes);
}

TEST_CASE("the driver answers an ARP request for its configured address from its MAC") {
  Bench b(with_address());
  b.arrive(kLinuxRequest);
  REQUIRE(b.arp.arp_frames.size() == 1);
  const Frame& reply = b.arp.arp_frames[0];
  CHECK(reply.size() == kArpFrameBytes);
  CHECK(Frame(reply.begin() + 6, reply.begin() + 12) == Frame(kOurMac.begin(), kOurMac.end()));  // Ethernet source
  MacAddr dst{};
  const ArpPacket r = decode(reply, dst);
  CHECK(dst == kLinuxMac);  // to the requester, not broadcast
  CHECK(r.op == static_cast<std::uint16_t>(ArpOp::kReply));
  CHECK(r.sender_mac == kOurMac);
  CHECK(r.sender_ip == kOurIp);
  CHECK(r.target_mac == kLinuxMac);
  CHECK(r.target_ip == kPeerIp);
  CHECK(b.drv.stats().arp_replies_sent == 1);
  CHECK(b.drv.stats().raw_tx_frames == 1);
  CHECK(b.user_frames.empty());  // ARP is the driver's business
  // RFC 826: the requester asked for us, so it is cached.
  CHECK(b.drv.neighbours().lookup(kPeerIp) == kLinuxMac);
  // Its raw receive buffer went back to the NIC.
  b.host.delay_ns(10);
  CHECK(b.nic.raw_buffers_posted() == 16);
}

TEST_CASE("the driver answers ARP for a connection's local address once connect() has used it") {
  Bench b;  // no configured address
  b.arrive(kLinuxRequest);
  CHECK(b.arp.arp_frames.empty());
  CHECK(b.drv.stats().arp_ignored == 1);
  ConnectParams p = conn_params();
  p.peer_mac = kLinuxMac;  // explicit: no resolution
  REQUIRE(b.drv.connect(p));
  b.arrive(kLinuxRequest);
  REQUIRE(b.arp.arp_frames.size() == 1);
  MacAddr dst{};
  CHECK(decode(b.arp.arp_frames[0], dst).sender_ip == kOurIp);
  CHECK(b.drv.stats().arp_replies_sent == 1);
}

TEST_CASE("ARP that asks nothing of the driver is ignored: another IP, gratuitous, replies to others") {
  Bench b(with_address());
  b.arrive(request_for(kOtherIp));
  b.arrive(request_for(kPeerIp, kPeerIp));  // gratuitous: sender and target address are the same
  b.arrive(request_for(kOurIp, kOurIp));    // ... even when someone else claims ours
  ArpPacket reply;
  reply.op = static_cast<std::uint16_t>(ArpOp::kReply);
  reply.sender_mac = kLinuxMac;
  reply.sender_ip = kPeerIp;
  reply.target_ip = kOtherIp;
  b.arrive(encode_arp_frame(kBroadcastMac, reply));
  Frame unicast_elsewhere = request_for(kOurIp);
  unicast_elsewhere[5] = 0x77;  // Ethernet destination: not broadcast, not ours
  b.arrive(unicast_elsewhere);
  Frame rarp = request_for(kOurIp);
  rarp[21] = 3;  // opcode 3 (RARP request)
  b.arrive(rarp);
  CHECK(b.arp.arp_frames.empty());
  CHECK(b.drv.stats().arp_ignored == 6);
  CHECK(b.drv.stats().arp_replies_sent == 0);
  CHECK(b.drv.stats().arp_malformed == 0);
  CHECK(b.user_frames.empty());
  CHECK_FALSE(b.drv.neighbours().lookup(kPeerIp).has_value());  // nothing new learned
  CHECK(b.drv.stats().raw_rx_frames == 6);
}

TEST_CASE("malformed and truncated ARP is counted and dropped, and the driver keeps answering") {
  Bench b(with_address());
  b.arrive(Frame(kLinuxRequest.begin(), kLinuxRequest.begin() + 30));  // 16 bytes of ARP
  b.arrive(Frame(kLinuxRequest.begin(), kLinuxRequest.begin() + 14));   // a bare Ethernet header
  Frame long_mac = kLinuxRequest;
  long_mac[18] = 8;  // hardware address length 8 for Ethernet
  b.arrive(long_mac);
  Frame group_sender = kLinuxRequest;
  group_sender[22] = 0x03;  // sender MAC 03:5a:...: a multicast address
  b.arrive(group_sender);
  Frame zero_sender = request_for(kOurIp);
  std::fill(zero_sender.begin() + 22, zero_sender.begin() + 28, 0);
  b.arrive(zero_sender);
  CHECK(b.drv.stats().arp_malformed == 5);
  CHECK(b.arp.arp_frames.empty());
  CHECK(b.user_frames.empty());
  CHECK(b.drv.neighbours().size() == 0);
  b.arrive(kLinuxRequest);
  CHECK(b.arp.arp_frames.size() == 1);
  CHECK(b.drv.stats().arp_replies_sent == 1);
}

TEST_CASE("an RFC 5227 probe for the driver's address is answered to the prober") {
  Bench b(with_address());
  b.arrive(request_for(kOurIp, 0));  // sender address 0.0.0.0
  REQUIRE(b.arp.arp_frames.size() == 1);
  MacAddr dst{};
  const ArpPacket r = decode(b.arp.arp_frames[0], dst);
  CHECK(dst == kLinuxMac);
  CHECK(r.target_ip == 0);
  CHECK(r.sender_ip == kOurIp);
  CHECK(b.drv.neighbours().size() == 0);  // 0.0.0.0 is nobody
}

TEST_CASE("connect with a zero peer MAC resolves it by ARP, caches it and uses it in the SYN and the PCB") {
  Bench b;
  REQUIRE(b.drv.connect(conn_params(0)));
  REQUIRE(b.arp.arp_frames.size() == 1);
  MacAddr dst{};
  const ArpPacket req = decode(b.arp.arp_frames[0], dst);
  CHECK(dst == kBroadcastMac);
  CHECK(req.op == static_cast<std::uint16_t>(ArpOp::kRequest));
  CHECK(req.sender_mac == kOurMac);
  CHECK(req.sender_ip == kOurIp);
  CHECK(is_zero(req.target_mac));
  CHECK(req.target_ip == kPeerIp);
  CHECK(b.drv.stats().arp_requests_sent == 1);
  CHECK(b.drv.stats().arp_replies_received == 1);
  CHECK(b.drv.neighbours().lookup(kPeerIp) == kLinuxMac);
  REQUIRE(b.tcp.syn_seqs.size() == 1);
  REQUIRE(b.tcp.acks_seen.size() == 1);
  const auto ack = parse_tcp_frame(b.tcp.acks_seen[0]);
  REQUIRE(ack.has_value());
  CHECK(ack->dst_mac == kLinuxMac);
  CHECK(b.nic.offloaded.at(0).remote_mac == kLinuxMac);
  CHECK(b.drv.offloaded_pcb(0).remote_mac == kLinuxMac);
  // The next connection to the same peer takes the MAC from the cache.
  REQUIRE(b.drv.connect(conn_params(1)));
  CHECK(b.arp.arp_frames.size() == 1);
  CHECK(b.nic.offloaded.at(1).remote_mac == kLinuxMac);
}

TEST_CASE("ARP resolution asks again after arp.retry_ns when a request is lost") {
  DriverConfig cfg;
  cfg.arp.retry_ns = 200'000;
  Bench b(cfg);
  b.arp.drop_first_requests = 2;
  REQUIRE(b.drv.connect(conn_params()));
  REQUIRE(b.arp.arp_frames.size() == 3);
  CHECK(b.drv.stats().arp_requests_sent == 3);
  // The fake NIC fetches in 500 ns steps of the host clock.
  for (std::size_t i = 1; i < 3; ++i) {
    CHECK(b.arp.arp_times_ns[i] - b.arp.arp_times_ns[i - 1] >= 200'000 - 500);
    CHECK(b.arp.arp_times_ns[i] - b.arp.arp_times_ns[i - 1] <= 200'000 + 1'000);
  }
  CHECK(b.arp.arp_frames[0] == b.arp.arp_frames[2]);  // the same request again
  CHECK(b.nic.offloaded.at(0).remote_mac == kLinuxMac);
}

TEST_CASE("connect fails naming the address and the tries when ARP gets no reply") {
  DriverConfig cfg;
  SECTION("the default: 3 tries") {}
  SECTION("configured: 5 tries 50 us apart") {
    cfg.arp.tries = 5;
    cfg.arp.retry_ns = 50'000;
  }
  Bench b(cfg);
  b.arp.silent = true;
  const std::uint64_t start = b.host.now_ns();
  CHECK_FALSE(b.drv.connect(conn_params(2)));
  CHECK(b.drv.last_error() == "ARP: no reply from 10.0.0.2 after " + std::to_string(cfg.arp.tries) + " tries");
  CHECK(b.arp.arp_frames.size() == cfg.arp.tries);
  CHECK(b.drv.stats().arp_requests_sent == cfg.arp.tries);
  CHECK(b.host.now_ns() - start >= cfg.arp.tries * cfg.arp.retry_ns);
  CHECK(b.tcp.syns_seen == 0);  // no SYN to nobody
  CHECK(b.drv.conn_state(2) == ConnState::kFree);
  CHECK(b.nic.offloaded.empty());
}

TEST_CASE("connect with an explicit peer MAC sends no ARP at all") {
  Bench b;
  ConnectParams p = conn_params();
  p.peer_mac = {0x02, 0, 0, 0, 0, 0x02};
  REQUIRE(b.drv.connect(p));
  CHECK(b.arp.arp_frames.empty());
  CHECK(b.drv.stats().arp_requests_sent == 0);
  CHECK(b.nic.offloaded.at(0).remote_mac == p.peer_mac);
  CHECK(b.drv.neighbours().size() == 0);
}

TEST_CASE("init refuses an ARP configuration it cannot work with") {
  FakeHost host;
  FakeNic nic(host, SynAckPeer{});
  Driver drv(host);
  DriverConfig cfg;
  cfg.arp.tries = 0;
  CHECK_FALSE(drv.init(cfg));
  CHECK(drv.last_error() == "arp.tries and arp.cache_entries must be at least 1");
  cfg = {};
  cfg.local_ip = kOurIp;  // and no MAC
  CHECK_FALSE(drv.init(cfg));
  CHECK(drv.last_error() == "local_ip 10.0.0.1 needs a unicast local_mac");
}
