// The debugging views of `toevp run`, checked as a user would use them:
// --pcap opened by tshark (no malformed packet, no bad IPv4/TCP checksum with
// validation on, no TCP analysis flag on a clean link — and the same checks
// do fire on a corrupted copy and on a lossy link, so they are not blind),
// --trace (every category, stamps, counts that match the run), --vcd (the
// signals GTKWave shows, with values that match the run's report), and the
// example programs request_response and many_connections.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <map>
#include <sstream>

#include "tests/platform/toevp_cli.h"

namespace toevp::tb::test {
namespace {

namespace fs = std::filesystem;

// Output of a shell command (stdout only).
std::string shell(const std::string& cmd) {
  std::string out;
  if (FILE* p = popen(cmd.c_str(), "r")) {
    char buf[4096];
    while (std::size_t n = std::fread(buf, 1, sizeof buf, p)) out.append(buf, n);
    pclose(p);
  }
  return out;
}

std::size_t count_lines(const std::string& s) { return static_cast<std::size_t>(std::count(s.begin(), s.end(), '\n')); }

// Everything tshark should never find in a capture of a healthy NIC: a
// malformed packet, an IPv4 or TCP checksum that does not verify (validation
// is off by default in Wireshark, so it is switched on), or any TCP analysis
// flag (retransmission, lost segment, duplicate ACK, zero window, window
// full, out of order, ...). No flag is excluded: on a clean link there is
// none, window updates included.
const char* kTsharkProblems =
    "_ws.malformed || ip.checksum.status == \"Bad\" || tcp.checksum.status == \"Bad\" || tcp.analysis.flags";

std::string tshark_problems(const fs::path& pcap) {
  return shell("tshark -r '" + pcap.string() +
               "' -o ip.check_checksum:TRUE -o tcp.check_checksum:TRUE -T fields -e frame.number -e _ws.col.Info -Y '" +
               kTsharkProblems + "' 2>/dev/null");
}

bool have(const char* tool) { return shell(std::string("command -v ") + tool).find(tool) != std::string::npos; }

TEST_CASE("toevp run --pcap writes a nanosecond pcap in which tshark finds no malformed packet, bad checksum or TCP analysis flag",
          "[debug][pcap]") {
  REQUIRE(have("tshark"));
  const fs::path pcap = cli_temp_dir() / "clean.pcap";
  const CliResult r = run_toevp("run --quiet --set sim.seed=3 --set workload.messages=40 --pcap '" + pcap.string() + "'", true);
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  const std::string info = shell("capinfos -t -c -o '" + pcap.string() + "' 2>&1");
  INFO(info);
  CHECK(info.find("nanosecond pcap") != std::string::npos);
  CHECK(info.find("Strict time order:   True") != std::string::npos);
  const std::uint64_t frames = r.json["frames"]["nic_to_peer"].get<std::uint64_t>() + r.json["frames"]["peer_to_nic"].get<std::uint64_t>();
  const std::string numbers = shell("tshark -r '" + pcap.string() + "' -T fields -e frame.number 2>/dev/null");
  CHECK(count_lines(numbers) == frames);

  const std::string problems = tshark_problems(pcap);
  INFO("tshark flagged:\n" << problems);
  CHECK(problems.empty());

  // Every payload byte the NIC sent is in the capture: 40 x 64 KiB.
  const std::string lens =
      shell("tshark -r '" + pcap.string() + "' -T fields -e tcp.len -Y 'ip.src == 10.0.0.1' 2>/dev/null");
  std::uint64_t payload = 0;
  std::istringstream in(lens);
  for (std::uint64_t v; in >> v;) payload += v;
  CHECK(payload == 40ull * 65536);
}

TEST_CASE("tshark's checks are not blind: one flipped payload byte in the capture is a bad TCP checksum",
          "[debug][pcap]") {
  REQUIRE(have("tshark"));
  const fs::path pcap = cli_temp_dir() / "flip.pcap";
  REQUIRE(run_toevp("run --quiet --set workload.messages=4 --pcap '" + pcap.string() + "'").exit_code == 0);
  // Walk the records (24-byte file header, 16-byte record headers) to the
  // fifth frame, a full data segment, and flip its last byte.
  std::fstream f(pcap, std::ios::in | std::ios::out | std::ios::binary);
  std::uint64_t pos = 24;
  for (int i = 0; i < 4; ++i) {
    unsigned char h[16];
    f.seekg(static_cast<std::streamoff>(pos));
    f.read(reinterpret_cast<char*>(h), 16);
    pos += 16 + (h[8] | h[9] << 8 | h[10] << 16 | std::uint32_t{h[11]} << 24);
  }
  unsigned char h[16];
  f.seekg(static_cast<std::streamoff>(pos));
  f.read(reinterpret_cast<char*>(h), 16);
  const std::uint32_t len = h[8] | h[9] << 8 | h[10] << 16 | std::uint32_t{h[11]} << 24;
  REQUIRE(len > 1000);
  const auto at = static_cast<std::streamoff>(pos + 16 + len - 1);
  char b = 0;
  f.seekg(at);
  f.get(b);
  f.seekp(at);
  f.put(static_cast<char>(b ^ 0x5A));
  f.close();
  const std::string problems = tshark_problems(pcap);
  INFO(problems);
  CHECK(count_lines(problems) == 1);
  CHECK(problems.rfind("5\t", 0) == 0);
}

TEST_CASE("on a lossy link the capture shows the retransmissions tshark flags", "[debug][pcap]") {
  REQUIRE(have("tshark"));
  const fs::path pcap = cli_temp_dir() / "lossy.pcap";
  const CliResult r = run_toevp("run --quiet --set sim.seed=5 --set workload.messages=40 --set link.a_to_b.loss=0.01 --pcap '" +
                                    pcap.string() + "'", true);
  REQUIRE(r.exit_code == 0);
  REQUIRE(r.json["retransmitted_segments"].get<std::uint64_t>() > 0);
  const std::string retx = shell("tshark -r '" + pcap.string() +
                                 "' -T fields -e frame.number -Y 'tcp.analysis.retransmission || tcp.analysis.fast_retransmission' 2>/dev/null");
  CHECK(count_lines(retx) > 0);
}

// --- transaction trace -------------------------------------------------------------

struct TraceLine {
  std::uint64_t cycle;
  double ns;
  std::string category, component, text;
};

std::vector<TraceLine> read_trace(const fs::path& p) {
  std::vector<TraceLine> out;
  std::ifstream in(p);
  for (std::string line; std::getline(in, line);) {
    if (line.empty() || line[0] == '#') continue;
    std::istringstream s(line);
    TraceLine t;
    s >> t.cycle >> t.ns >> t.category >> t.component;
    std::getline(s, t.text);
    t.text.erase(0, t.text.find_first_not_of(' '));
    out.push_back(t);
  }
  return out;
}

TEST_CASE("toevp run --trace records every category with core-cycle stamps and counts that match the run", "[debug][trace]") {
  const fs::path path = cli_temp_dir() / "run.trace";
  const CliResult r = run_toevp("run --quiet --set workload.messages=20 --trace '" + path.string() +
                                    "' --trace-filter mmio,dma,doorbell,completion,irq,ctx", true);
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  const auto lines = read_trace(path);
  REQUIRE(!lines.empty());
  std::map<std::string, std::size_t> per;
  std::uint64_t last = 0;
  bool monotonic = true, stamps_agree = true;
  std::size_t alloc = 0, freed = 0, send_done = 0, sq_tail_writes = 0, sq_tail_doorbells = 0, fetches = 0;
  for (const auto& t : lines) {
    ++per[t.category];
    monotonic = monotonic && t.cycle >= last;
    last = t.cycle;
    stamps_agree = stamps_agree && t.ns >= 4.0 * double(t.cycle) && t.ns < 4.0 * double(t.cycle + 1);
    alloc += t.category == "ctx" && t.text.rfind("alloc ", 0) == 0;
    freed += t.category == "ctx" && t.text.rfind("free ", 0) == 0;
    send_done += t.category == "completion" && t.text.find("SEND_DONE status OK") != std::string::npos;
    sq_tail_writes += t.category == "mmio" && t.text.find("wr SQ_TAIL") != std::string::npos;
    sq_tail_doorbells += t.category == "doorbell" && t.text.find("SQ_TAIL") != std::string::npos;
    fetches += t.category == "dma" && t.text.find("by nic.cmd") != std::string::npos;
  }
  for (const char* c : {"mmio", "dma", "doorbell", "completion", "irq", "ctx"}) {
    INFO(c);
    CHECK(per[c] > 0);
  }
  CHECK(monotonic);
  CHECK(stamps_agree);
  CHECK(alloc == 20);  // one context per 64 KiB message
  CHECK(freed == 20);
  CHECK(send_done == 20);
  CHECK(sq_tail_writes == sq_tail_doorbells);  // every SQ_TAIL write reached the command processor
  CHECK(fetches > 0);
  CHECK(per["irq"] <= per["completion"]);  // never more interrupts than completions

  // A filter keeps only its categories.
  const fs::path only = cli_temp_dir() / "doorbell.trace";
  REQUIRE(run_toevp("run --quiet --set workload.messages=4 --trace '" + only.string() + "' --trace-filter doorbell").exit_code == 0);
  const auto d = read_trace(only);
  CHECK(!d.empty());
  CHECK(std::all_of(d.begin(), d.end(), [](const TraceLine& t) { return t.category == "doorbell"; }));
}

TEST_CASE("a bad --trace-filter word is a command-line error that names it", "[debug][trace]") {
  const CliResult r = run_toevp("run --quiet --trace /dev/null --trace-filter mmio,dmaa");
  CHECK(r.exit_code == 2);
  CHECK(r.err.find("dmaa") != std::string::npos);
}

// --- waveform -------------------------------------------------------------------------

struct Vcd {
  std::map<std::string, std::string> id_of;                         // signal name -> VCD id
  std::map<std::string, std::vector<std::pair<std::uint64_t, std::uint64_t>>> changes;  // id -> (time, value)
  bool times_increase = true;
};

Vcd read_vcd(const fs::path& p) {
  Vcd v;
  std::ifstream in(p);
  std::uint64_t now = 0;
  bool first_time = true, body = false;
  for (std::string tok; in >> tok;) {
    if (tok == "$enddefinitions") body = true;
    if (tok == "$comment")
      while (in >> tok && tok != "$end") {
      }
    if (tok == "$var") {
      std::string type, width, id, name;
      in >> type >> width >> id >> name;
      v.id_of[name] = id;
    } else if (!body) {
      continue;  // header text ($date, $comment, ...)
    } else if (tok[0] == '#') {
      const std::uint64_t t = std::stoull(tok.substr(1));
      if (!first_time && t <= now) v.times_increase = false;
      now = t;
      first_time = false;
    } else if (tok[0] == 'b') {
      std::string id;
      in >> id;
      v.changes[id].emplace_back(now, std::stoull(tok.substr(1), nullptr, 2));
    }
  }
  return v;
}

std::uint64_t max_of(const std::vector<std::pair<std::uint64_t, std::uint64_t>>& c) {
  std::uint64_t m = 0;
  for (auto& [t, x] : c) m = std::max(m, x);
  return m;
}

TEST_CASE("toevp run --vcd records the NIC signals with values that match the run's report", "[debug][vcd]") {
  const fs::path path = cli_temp_dir() / "run.vcd";
  const CliResult r = run_toevp("run --quiet --set workload.messages=40 --set workload.connections=2 --set tcb.cache_entries=1 "
                                "--set tcb.cache_ways=1 --vcd '" + path.string() + "'", true);
  INFO(r.err);
  REQUIRE(r.exit_code == 0);
  const Vcd v = read_vcd(path);
  for (const char* s : {"ctx_used", "tcb_misses", "pcie_tags_in_use", "sq_head", "cq_tail", "mac_busy"}) {
    INFO(s);
    REQUIRE(v.id_of.count(s) == 1);
  }
  CHECK(v.times_increase);
  auto series = [&](const char* s) { return v.changes.at(v.id_of.at(s)); };
  CHECK(max_of(series("ctx_used")) == r.json["context_table"]["peak_used"].get<std::uint64_t>());
  CHECK(series("ctx_used").back().second == 0);
  CHECK(series("tcb_misses").back().second == r.json["tcb_cache"]["misses"].get<std::uint64_t>());
  CHECK(r.json["tcb_cache"]["misses"].get<std::uint64_t>() > 0);
  CHECK(max_of(series("pcie_tags_in_use")) <= 64);  // pcie.read_tags
  CHECK(max_of(series("pcie_tags_in_use")) > 1);
  // Tags come back: the link goes idle between bursts (the run may stop
  // with a last TCB read still in flight, so the final value is not checked).
  const auto& tags = series("pcie_tags_in_use");
  CHECK(std::count_if(tags.begin() + 1, tags.end(), [](const auto& c) { return c.second == 0; }) > 1);
  std::uint64_t rises = 0;
  for (const auto& [t, x] : series("mac_busy")) rises += x == 1;
  CHECK(rises == r.json["frames"]["nic_to_peer"].get<std::uint64_t>());  // one busy pulse per frame
}

// --- example programs -------------------------------------------------------------------

TEST_CASE("request_response answers every request in order and reports its latency", "[debug][examples]") {
  const CliResult r = run_design_point({"fw.program=request_response", "workload.connections=2", "workload.messages=100",
                                        "workload.message_bytes=256", "workload.outstanding_per_conn=1"});
  INFO(r.err << r.out);
  REQUIRE(r.exit_code == 0);
  CHECK(r.json["messages_completed"] == 100);
  CHECK(r.json["peer_bytes_received"] == 100 * 256);
  CHECK(r.json["peer_data_ok"] == true);
  // A lone small request is acknowledged by the peer's delayed-ACK timer
  // (peer.delayed_ack_us = 40): the round trip is at least that.
  CHECK(r.json["completion_latency_ns"]["p50"].get<std::uint64_t>() >= 40'000);
}

TEST_CASE("request_response with data responses receives every response through RECV_DONE, checked byte for byte",
          "[debug][examples]") {
  const CliResult r = run_design_point({"fw.program=request_response", "workload.connections=2", "workload.messages=100",
                                        "workload.message_bytes=256", "workload.outstanding_per_conn=2",
                                        "peer.request_bytes=256", "peer.response_bytes=3000"});
  INFO(r.err << r.out << r.json.dump());
  REQUIRE(r.exit_code == 0);
  CHECK(r.json["firmware_ok"] == true);  // includes the response pattern check
  CHECK(r.json["messages_completed"] == 100);
  CHECK(r.json["pcie"]["write_bytes"].get<std::uint64_t>() >= 100 * 3000);  // responses DMA-written to the host
}

TEST_CASE("many_connections: 600 connections in waves, random sizes, TCB cache thrashing, all data intact",
          "[debug][examples]") {
  const CliResult r = run_design_point({"fw.program=many_connections", "workload.connections=600", "workload.messages=3000",
                                        "workload.message_bytes=16384", "workload.outstanding_per_conn=2", "sim.seed=11"});
  INFO(r.err << r.out);
  REQUIRE(r.exit_code == 0);
  CHECK(r.json["messages_completed"] == 3000);
  CHECK(r.json["peer_data_ok"] == true);
  CHECK(r.json["tcb_cache"]["misses"].get<std::uint64_t>() > 0);  // 600 connections, 256 cache entries
  CHECK(r.json["context_table"]["in_use_at_end"] == 0);
}

}  // namespace
}  // namespace toevp::tb::test
