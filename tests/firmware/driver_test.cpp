// The driver against the fake NIC: what init() programs, the active open
// through RAW_TX/RAW_RX (options, PCB contents, SYN retransmission, giving up,
// refusal), OFFLOAD_CONN, UPLOAD_CONN, and ERROR completions surfaced with
// their status names.
#include <catch2/catch.hpp>

#include "firmware/driver.h"
#include "firmware/packet.h"
#include "model/abi/toevp_regs.h"
#include "tests/firmware/fake_nic.h"

using namespace toevp;
using namespace toevp::fw;
using namespace toevp::fw::test;

namespace {

ConnectParams conn_params(std::uint16_t conn = 0) {
  ConnectParams p;
  p.conn_id = conn;
  p.local_mac = {0x02, 0, 0, 0, 0, 0x01};
  p.peer_mac = {0x02, 0, 0, 0, 0, 0x02};
  p.local_ip = 0x0A000001;
  p.peer_ip = 0x0A000002;
  p.local_port = static_cast<std::uint16_t>(40000 + conn);
  p.peer_port = 5001;
  return p;
}

// A fake host + NIC + peer, with the driver initialised.
struct Bench {
  FakeHost host;
  SynAckPeer peer;
  FakeNic nic{host, [this](const Frame& f) { return peer(f); }};
  Driver drv{host};
  explicit Bench(DriverConfig cfg = {}) { REQUIRE(drv.init(cfg)); }
};

std::uint32_t reg(const FakeHost& h, std::uint32_t off) { return h.regs[off / 4]; }

}  // namespace

TEST_CASE("init programs the rings, TCB table and MSI-X and enables the device") {
  FakeHost host;
  FakeNic nic(host, SynAckPeer{});
  Driver drv(host);
  DriverConfig cfg;
  cfg.sq_entries = 128;
  cfg.cq_entries = 512;
  cfg.tcb_entries = 32;
  cfg.int_moderation_cycles = 250;
  REQUIRE(drv.init(cfg));
  CHECK(reg(host, TOEVP_REG_SQ_SIZE) == 128);
  CHECK(reg(host, TOEVP_REG_CQ_SIZE) == 512);
  CHECK(reg(host, TOEVP_REG_TCB_ENTRIES) == 32);
  CHECK(reg(host, TOEVP_REG_SQ_BASE_LO) % 64 == 0);
  CHECK(reg(host, TOEVP_REG_CQ_BASE_LO) % 32 == 0);
  CHECK(reg(host, TOEVP_REG_TCB_BASE_LO) % 128 == 0);
  CHECK(reg(host, TOEVP_REG_SQ_BASE_HI) == 0);
  CHECK(reg(host, TOEVP_REG_MSIX_ADDR_LO) == FakeHost::kMsiAddress);
  CHECK(reg(host, TOEVP_REG_MSIX_DATA) == FakeHost::kMsiData);
  CHECK(reg(host, TOEVP_REG_INT_MODERATION) == 250);
  CHECK(reg(host, TOEVP_REG_CTRL) == (TOEVP_CTRL_ENABLE_MASK | TOEVP_CTRL_INT_ENABLE_MASK));
  CHECK(drv.device().mtu == 1500);
  CHECK(drv.device().tcb_cache_entries == 256);
  CHECK(drv.device().tcb_cache_ways == 4);
  // The completion ring is zeroed (the host memory started as 0xA5).
  const auto cq = host.read_bytes(reg(host, TOEVP_REG_CQ_BASE_LO), 512 * 32);
  CHECK(std::count(cq.begin(), cq.end(), 0) == 512 * 32);
  // CTRL.ENABLE is the last configuration write before the raw buffers go out.
  std::size_t ctrl_at = 0, tail_at = 0;
  for (std::size_t i = 0; i < host.mmio_log.size(); ++i) {
    if (host.mmio_log[i].first == TOEVP_REG_CTRL) ctrl_at = i;
    if (host.mmio_log[i].first == TOEVP_REG_SQ_TAIL) tail_at = i;
  }
  CHECK(ctrl_at < tail_at);
  host.delay_ns(10);
  CHECK(nic.raw_buffers_posted() == 16);
  CHECK(reg(host, TOEVP_REG_SQ_TAIL) == 16);
}

TEST_CASE("init refuses a device whose ID is not TOE1") {
  FakeHost host;
  FakeNic nic(host, SynAckPeer{});
  nic.id = 0x12345678;
  Driver drv(host);
  CHECK_FALSE(drv.init({}));
  CHECK(drv.last_error() == "ID register reads 0x12345678, expected 0x544f4531 ('TOE1')");
}

TEST_CASE("init reports ERR_STATUS bits by name when the NIC refuses the configuration") {
  FakeHost host;
  FakeNic nic(host, SynAckPeer{});
  auto nic_write = host.on_mmio_write;
  host.on_mmio_write = [&](std::uint32_t off, std::uint32_t v) {
    nic_write(off, v);
    if (off == TOEVP_REG_CTRL && v != 0) host.regs[TOEVP_REG_ERR_STATUS / 4] |= TOEVP_ERR_STATUS_TCB_CONFIG_MASK;
  };
  Driver drv(host);
  CHECK_FALSE(drv.init({}));
  CHECK(drv.last_error() == "the NIC refused the configuration: ERR_STATUS TCB_CONFIG");
}

TEST_CASE("connect negotiates every option and offloads a PCB with the handshake's numbers") {
  Bench b;
  REQUIRE(b.drv.connect(conn_params(2)));
  CHECK(b.drv.conn_state(2) == ConnState::kEstablished);
  REQUIRE(b.nic.offloaded.count(2) == 1);
  const Pcb& p = b.nic.offloaded.at(2);
  REQUIRE(b.peer.acks_seen.size() == 1);
  const auto ack = parse_tcp_frame(b.peer.acks_seen[0]);
  REQUIRE(ack.has_value());
  const std::uint32_t iss = ack->seq - 1;
  CHECK(p.state == abi::kTcbEstablished);
  CHECK(p.flags == (abi::kTcbFlagTimestamps | abi::kTcbFlagSackOk));
  CHECK(p.mss == 1460 - 12);
  CHECK(p.snd_wscale == 9);
  CHECK(p.rcv_wscale == 7);
  CHECK(p.local_port == 40002);
  CHECK(p.remote_port == 5001);
  CHECK(p.ttl == 64);
  CHECK(p.local_mac == conn_params().local_mac);
  CHECK(p.remote_mac == conn_params().peer_mac);
  CHECK(p.local_ip == 0x0A000001u);
  CHECK(p.remote_ip == 0x0A000002u);
  CHECK(p.snd_una == iss + 1);
  CHECK(p.snd_nxt == iss + 1);
  CHECK(p.snd_wnd == 65535);
  CHECK(p.rcv_nxt == 0x12345679u);
  CHECK(p.rcv_wnd == (1u << 20));
  CHECK(p.ts_recent == 0xABCD0001u);
  CHECK(p.ts_offset == ack->options.tsval);
  CHECK(p.srtt_ns == 0);
  CHECK(p.snd_max == 0);
  // The final ACK: right numbers, scaled window, echoing the peer's TSval.
  CHECK(ack->ack == 0x12345679u);
  CHECK(ack->window == (1u << 20) >> 7);
  CHECK(ack->options.timestamps);
  CHECK(ack->options.tsecr == 0xABCD0001u);
  CHECK(ack->options.mss == 0);
  CHECK(p.ip_id == static_cast<std::uint16_t>(ack->ip_id + 1));
  CHECK(b.drv.offloaded_pcb(2).snd_una == p.snd_una);
  // The raw receive buffer that carried the SYN-ACK was posted again.
  b.host.delay_ns(10);
  CHECK(b.nic.raw_buffers_posted() == 16);
}

TEST_CASE("without peer timestamps the PCB mss is the full MSS and the flags say SACK only") {
  Bench b;
  b.peer.timestamps = false;
  b.peer.mss = 1400;
  REQUIRE(b.drv.connect(conn_params()));
  const Pcb& p = b.nic.offloaded.at(0);
  CHECK(p.flags == abi::kTcbFlagSackOk);
  CHECK(p.mss == 1400);
  CHECK(p.ts_recent == 0);
  CHECK(p.ts_offset == 0);
}

TEST_CASE("without a peer window scale option neither side scales") {
  Bench b;
  b.peer.wscale = -1;
  REQUIRE(b.drv.connect(conn_params()));
  const Pcb& p = b.nic.offloaded.at(0);
  CHECK(p.snd_wscale == 0);
  CHECK(p.rcv_wscale == 0);
  CHECK(p.rcv_wnd == 65535);
}

TEST_CASE("connect retransmits the SYN after the timeout with the same ISS") {
  Bench b;
  b.peer.drop_first_syns = 2;
  std::vector<std::uint32_t> isses;
  ConnectParams p = conn_params();
  p.syn_timeout_ns = 100'000;
  REQUIRE(b.drv.connect(p));
  CHECK(b.peer.syns_seen == 3);
  CHECK(b.drv.stats().syn_retransmits == 2);
  CHECK(b.host.now_ns() >= 100'000 + 200'000);  // 100 us, then doubled
  isses = b.peer.syn_seqs;
  REQUIRE(isses.size() == 3);
  CHECK(isses[0] == isses[1]);
  CHECK(isses[1] == isses[2]);
}

TEST_CASE("connect gives up after syn_tries SYNs without an answer") {
  Bench b;
  b.peer.drop_first_syns = 100;
  ConnectParams p = conn_params(1);
  p.syn_tries = 3;
  p.syn_timeout_ns = 10'000;
  CHECK_FALSE(b.drv.connect(p));
  CHECK(b.drv.last_error() == "conn 1: no SYN-ACK after 3 SYNs");
  CHECK(b.peer.syns_seen == 3);
  CHECK(b.drv.conn_state(1) == ConnState::kFree);
  CHECK(b.nic.offloaded.empty());
}

TEST_CASE("connect reports a refused connection when the peer answers RST") {
  Bench b;
  b.peer.refuse = true;
  CHECK_FALSE(b.drv.connect(conn_params()));
  CHECK(b.drv.last_error() == "conn 0: connection refused (RST)");
}

TEST_CASE("the same seed gives the same ISS and another seed another") {
  auto first_iss = [](std::uint64_t seed) {
    DriverConfig cfg;
    cfg.seed = seed;
    Bench b(cfg);
    REQUIRE(b.drv.connect(conn_params()));
    return b.nic.offloaded.at(0).snd_una;
  };
  CHECK(first_iss(7) == first_iss(7));
  CHECK(first_iss(7) != first_iss(8));
}

TEST_CASE("an ERROR completion reaches the caller with its status and is logged by name") {
  Bench b;
  REQUIRE(b.drv.connect(conn_params()));
  REQUIRE(b.drv.send(0, 0x1000'0000, 0, 0x77));
  Completion c;
  REQUIRE(b.drv.wait_completion(c, 1'000'000));
  CHECK(c.type == abi::CqeType::kError);
  CHECK(c.status == abi::Status::kZeroLength);
  CHECK(c.opcode == abi::Opcode::kSend);
  CHECK(c.cookie == 0x77);
  REQUIRE(b.drv.error_log().size() == 1);
  CHECK(b.drv.error_log()[0].find("ERROR of SEND conn 0") == 0);
  CHECK(b.drv.error_log()[0].find(": ZERO_LENGTH") != std::string::npos);
  CHECK(b.drv.stats().errors == 1);
}

TEST_CASE("a SEND on a connection that was never offloaded comes back as CONN_STATE") {
  Bench b;
  REQUIRE(b.drv.send(5, 0x1000'0000, 64, 1));
  Completion c;
  REQUIRE(b.drv.wait_completion(c, 1'000'000));
  CHECK(c.type == abi::CqeType::kError);
  CHECK(std::string(to_string(c.status)) == "CONN_STATE");
}

TEST_CASE("SEND_DONE completions arrive with the cookies of their SENDs") {
  Bench b;
  REQUIRE(b.drv.connect(conn_params()));
  const std::uint64_t buf = b.host.dma_alloc(4096, 64);
  for (std::uint64_t i = 0; i < 4; ++i) REQUIRE(b.drv.post_send(0, buf + 1024 * i, 1024, 100 + i));
  const auto doorbells = b.nic.sq_doorbells;
  b.drv.ring();
  CHECK(b.nic.sq_doorbells == doorbells + 1);
  for (std::uint64_t i = 0; i < 4; ++i) {
    Completion c;
    REQUIRE(b.drv.wait_completion(c, 1'000'000));
    CHECK(c.type == abi::CqeType::kSendDone);
    CHECK(c.cookie == 100 + i);
    CHECK(c.length == 1024);
  }
}

TEST_CASE("upload returns the live TCB the NIC wrote back") {
  Bench b;
  REQUIRE(b.drv.connect(conn_params(3)));
  Pcb live;
  REQUIRE(b.drv.upload(3, &live));
  CHECK(b.drv.conn_state(3) == ConnState::kUploaded);
  CHECK(live.state == abi::kTcbUploaded);
  CHECK(live.snd_max == b.drv.offloaded_pcb(3).snd_nxt);
  Completion c;
  REQUIRE(b.drv.next_completion(c));
  CHECK(c.type == abi::CqeType::kUploadDone);
}

TEST_CASE("close ends in CONN_EVENT CLOSED after the peer FIN event") {
  Bench b;
  REQUIRE(b.drv.connect(conn_params()));
  REQUIRE(b.drv.close(0));
  CHECK(b.drv.conn_state(0) == ConnState::kClosing);
  Completion c;
  REQUIRE(b.drv.wait_completion(c, 1'000'000));
  CHECK(c.type == abi::CqeType::kConnEvent);
  CHECK(c.event == abi::ConnEvent::kFinReceived);
  REQUIRE(b.drv.wait_completion(c, 1'000'000));
  CHECK(c.event == abi::ConnEvent::kClosed);
  CHECK(b.drv.conn_state(0) == ConnState::kClosed);
}

TEST_CASE("close_all closes every listed connection with one doorbell and shows every completion") {
  Bench b;
  for (std::uint16_t i : {0, 1, 2}) REQUIRE(b.drv.connect(conn_params(i)));
  const auto doorbells = b.nic.sq_doorbells;
  std::vector<Completion> seen;
  REQUIRE(b.drv.close_all({0, 2}, 1'000'000, [&](const Completion& c) { seen.push_back(c); }));
  CHECK(b.nic.sq_doorbells == doorbells + 1);
  REQUIRE(seen.size() == 4);  // FIN_RECEIVED and CLOSED of each
  CHECK(seen[1].event == abi::ConnEvent::kClosed);
  CHECK(seen[3].event == abi::ConnEvent::kClosed);
  CHECK(b.drv.conn_state(0) == ConnState::kClosed);
  CHECK(b.drv.conn_state(1) == ConnState::kEstablished);
  CHECK(b.drv.conn_state(2) == ConnState::kClosed);
}

TEST_CASE("close_all fails with the cause when a connection is reset or never closes") {
  Bench b;
  for (std::uint16_t i : {0, 1}) REQUIRE(b.drv.connect(conn_params(i)));
  std::size_t seen = 0;
  const auto count = [&](const Completion&) { ++seen; };
  SECTION("reset") {
    b.nic.close_answer = FakeNic::CloseAnswer::kReset;
    CHECK_FALSE(b.drv.close_all({0, 1}, 1'000'000, count));
    CHECK(seen == 2);
    CHECK_THAT(b.drv.last_error(), Catch::Contains("conn 0 ended during close"));
    CHECK(b.drv.error_log().size() == 2);  // both connections named
  }
  SECTION("no answer") {
    b.nic.close_answer = FakeNic::CloseAnswer::kNothing;
    CHECK_FALSE(b.drv.close_all({0, 1}, 100'000, count));
    CHECK(seen == 0);
    CHECK_THAT(b.drv.last_error(), Catch::Contains("2 connections not closed 100000 ns after the last completion"));
  }
  SECTION("a connection id beyond the table") {
    CHECK_FALSE(b.drv.close_all({0, 60000}, 1'000'000, count));
    CHECK_THAT(b.drv.last_error(), Catch::Contains("CLOSE of conn 60000"));
    CHECK(b.drv.conn_state(0) == ConnState::kClosed);  // the others still closed
  }
}

TEST_CASE("with interrupts off the driver polls and leaves CTRL.INT_ENABLE clear") {
  DriverConfig cfg;
  cfg.interrupts = false;
  Bench b(cfg);
  CHECK(reg(b.host, TOEVP_REG_CTRL) == TOEVP_CTRL_ENABLE_MASK);
  REQUIRE(b.drv.connect(conn_params()));
  CHECK(b.drv.stats().interrupts == 0);
}

TEST_CASE("frames no handshake claims go to the raw handler and their buffers are reposted") {
  FakeHost host;
  // A partner that answers every frame with an ARP-like frame.
  FakeNic nic(host, [](const Frame&) { return std::vector<Frame>{Frame(60, 0xAB)}; });
  Driver drv(host);
  DriverConfig cfg;
  cfg.raw_rx_buffers = 2;
  REQUIRE(drv.init(cfg));
  std::vector<Frame> got;
  drv.set_raw_rx_handler([&](proto::ConstBytes f) { got.emplace_back(f.begin(), f.end()); });
  for (int i = 0; i < 5; ++i) {
    REQUIRE(drv.raw_tx(Frame(60, static_cast<std::uint8_t>(i))));
    drv.poll(10'000);
  }
  drv.poll(10'000);
  REQUIRE(got.size() == 5);  // five replies through two buffers: each was reposted
  CHECK(got[4] == Frame(60, 0xAB));
  CHECK(drv.stats().raw_tx_frames == 5);
  CHECK(drv.stats().raw_rx_frames == 5);
  CHECK(drv.stats().raw_rx_unclaimed == 0);
}
