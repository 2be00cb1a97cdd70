// The bulk_sender example program against the fake NIC: pattern-filled
// buffers, outstanding messages per connection, buffer reuse only after
// SEND_DONE, the exactly-once / in-order checks, close, parameter parsing.
#include <catch2/catch.hpp>

#include "firmware/examples/bulk_sender.h"
#include "firmware/examples/payload_pattern.h"
#include "tests/firmware/fake_nic.h"

using namespace toevp;
using namespace toevp::fw;
using namespace toevp::fw::test;

namespace {

struct Bench {
  FakeHost host;
  SynAckPeer peer;
  FakeNic nic{host, [this](const Frame& f) { return peer(f); }};
};

BulkSenderParams small(std::uint32_t conns, std::uint64_t messages, std::uint32_t bytes, std::uint32_t outstanding) {
  BulkSenderParams p;
  p.connections = conns;
  p.messages = messages;
  p.message_bytes = bytes;
  p.outstanding_per_conn = outstanding;
  p.stall_timeout_ns = 2'000'000;
  p.close_timeout_ns = 2'000'000;
  return p;
}

// Completes held SENDs every `period_ns`, recording the most held at once.
void release_periodically(Bench& b, std::uint64_t period_ns, std::size_t& max_held) {
  b.nic.complete_sends = false;
  auto next = std::make_shared<std::uint64_t>(period_ns);
  b.host.on_time_passes = [&b, next, period_ns, &max_held] {
    b.nic.step();
    if (b.host.now_ns() < *next) return;
    *next = b.host.now_ns() + period_ns;
    max_held = std::max(max_held, b.nic.held_sends());
    b.nic.release_sends();
  };
}

}  // namespace

TEST_CASE("bulk_sender completes every message in order from pattern-filled buffers") {
  Bench b;
  BulkSender prog(small(3, 10, 4096, 2));
  REQUIRE(prog.run(b.host) == 0);
  const ProgramResults& r = prog.results();
  INFO(r.first_error);
  CHECK(r.ok);
  CHECK(r.connections_established == 3);
  CHECK(r.connections_closed == 3);
  CHECK(r.messages_posted == 10);
  CHECK(r.messages_completed == 10);
  CHECK(r.bytes_completed == 40960);
  REQUIRE(r.messages.size() == 10);
  REQUIRE(b.nic.sends().size() == 10);
  std::map<std::uint16_t, std::uint32_t> per_conn;
  for (const auto& s : b.nic.sends()) {
    const std::uint32_t index = per_conn[s.conn]++;
    CHECK(s.cookie == ((std::uint64_t{s.conn} << 32) | index));
    CHECK(s.length == 4096);
    CHECK(PayloadPattern::instance().matches(s.conn, std::uint64_t{index} * 4096, s.payload.data(), s.payload.size()));
  }
  CHECK(per_conn == std::map<std::uint16_t, std::uint32_t>{{0, 4}, {1, 3}, {2, 3}});
  for (const auto& m : r.messages) CHECK(m.done_ns >= m.post_ns);
  CHECK(b.nic.offloaded.at(1).local_port == 40001);
}

TEST_CASE("bulk_sender keeps outstanding_per_conn messages posted and reuses a buffer only after SEND_DONE") {
  Bench b;
  std::size_t max_held = 0;
  release_periodically(b, 20'000, max_held);
  BulkSender prog(small(2, 24, 1000, 3));
  REQUIRE(prog.run(b.host) == 0);
  const ProgramResults& r = prog.results();
  CHECK(r.messages_completed == 24);
  CHECK(max_held == 2 * 3);
  CHECK(b.nic.buffer_reuse_violations == 0);
  // Held for ~20 us each round: the latency shows it.
  CHECK(r.latency_quantile_ns(0.5) >= 10'000);
  CHECK(r.latency_quantile_ns(1.0) <= 45'000);
}

TEST_CASE("bulk_sender reports a duplicate SEND_DONE") {
  Bench b;
  b.nic.duplicate_send_done = true;
  BulkSender prog(small(1, 4, 512, 2));
  CHECK(prog.run(b.host) == 1);
  CHECK_FALSE(prog.results().ok);
  CHECK(prog.results().first_error.rfind("duplicate SEND_DONE: SEND_DONE conn 0 cookie 0x0 length 512: OK", 0) == 0);
}

TEST_CASE("bulk_sender reports SEND_DONEs that arrive out of order") {
  Bench b;
  std::size_t max_held = 0;
  release_periodically(b, 20'000, max_held);
  b.nic.reverse_send_done = true;
  BulkSender prog(small(1, 4, 512, 2));
  CHECK(prog.run(b.host) == 1);
  CHECK(prog.results().first_error.find("SEND_DONE out of order (expected message 0)") == 0);
}

TEST_CASE("bulk_sender reports a stall when SEND_DONEs never come") {
  Bench b;
  b.nic.complete_sends = false;
  BulkSenderParams p = small(1, 4, 512, 2);
  p.close = false;
  BulkSender prog(p);
  CHECK(prog.run(b.host) == 1);
  CHECK(prog.results().first_error == "stalled: 0 of 4 messages done after 2000000 ns without a completion");
  CHECK(prog.results().messages_posted == 2);
}

TEST_CASE("bulk_sender ends with the connect error when the peer refuses") {
  Bench b;
  b.peer.refuse = true;
  BulkSender prog(small(2, 4, 512, 2));
  CHECK(prog.run(b.host) == 1);
  CHECK(prog.results().first_error == "connect: conn 0: connection refused (RST)");
  CHECK(prog.results().connections_established == 0);
}

TEST_CASE("make_program builds bulk_sender from string parameters") {
  const auto prog = make_program("bulk_sender", {{"connections", "4"},
                                                 {"message_bytes", "0x1000"},
                                                 {"messages", "100"},
                                                 {"outstanding_per_conn", "8"},
                                                 {"local_mac", "02:aa:bb:cc:dd:ee"},
                                                 {"peer_ip", "192.168.1.20"},
                                                 {"timestamps", "false"},
                                                 {"wscale", "-1"},
                                                 {"sq_entries", "64"},
                                                 {"seed", "42"}});
  REQUIRE(prog != nullptr);
  CHECK(std::string(prog->name()) == "bulk_sender");
  const auto& p = dynamic_cast<const BulkSender&>(*prog).params();
  CHECK(p.connections == 4);
  CHECK(p.message_bytes == 4096);
  CHECK(p.messages == 100);
  CHECK(p.outstanding_per_conn == 8);
  CHECK(p.local_mac == MacAddr{0x02, 0xAA, 0xBB, 0xCC, 0xDD, 0xEE});
  CHECK(p.peer_ip == 0xC0A80114u);
  CHECK_FALSE(p.timestamps);
  CHECK(p.wscale == -1);
  CHECK(p.driver.sq_entries == 64);
  CHECK(p.driver.seed == 42);
  CHECK(program_names() == std::vector<std::string>{"bulk_sender", "request_response", "many_connections", "workload"});
}

TEST_CASE("make_program rejects unknown programs and bad or unknown parameters by name") {
  auto message = [](const std::string& name, const ProgramParams& params) {
    try {
      make_program(name, params);
    } catch (const std::invalid_argument& e) {
      return std::string(e.what());
    }
    return std::string("no exception");
  };
  CHECK(message("bulk_recver", {}) == "unknown firmware program 'bulk_recver'");
  CHECK(message("bulk_sender", {{"conections", "2"}}) == "unknown parameter 'conections' for bulk_sender");
  CHECK(message("bulk_sender", {{"peer_mac", "02:00:00"}}) ==
        "parameter peer_mac=02:00:00: not a MAC address like 02:00:00:00:00:01");
  CHECK(message("bulk_sender", {{"messages", "-3"}}) == "parameter messages=-3: not an unsigned number");
  CHECK(message("bulk_sender", {{"local_ip", "10.0.0.300"}}) ==
        "parameter local_ip=10.0.0.300: not an IPv4 address like 10.0.0.1");
  CHECK(message("bulk_sender", {{"connections", "0"}}) == "connections must be 1..65535");
}

TEST_CASE("latency quantiles use the nearest rank") {
  ProgramResults r;
  for (std::uint64_t i = 1; i <= 100; ++i) r.messages.push_back({0, 0, 1000, 1000 + i * 10});
  CHECK(r.latency_quantile_ns(0.5) == 500);
  CHECK(r.latency_quantile_ns(0.99) == 990);
  CHECK(r.latency_quantile_ns(1.0) == 1000);
  CHECK(r.latency_quantile_ns(0.0) == 10);
  r.bytes_completed = 1'000'000;
  r.start_ns = 0;
  r.end_ns = 80'000;
  CHECK(r.goodput_gbps() == Approx(100.0));
}
