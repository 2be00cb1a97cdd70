// toevp: the command-line front end of the virtual platform.
//
//   toevp run [--config FILE] [--set key=value]... [--json FILE] [--quiet]
//             [--csv FILE] [--timeseries FILE] [--progress]
//       Elaborates the platform of the design point (defaults, then FILE,
//       then each --set in order), runs the configured firmware program and
//       prints a summary; --json writes every figure (docs/results.md),
//       --csv the same scalars as one CSV row under a header, --timeseries
//       the context-table occupancy series (needs stats.sample_interval_ns).
//       On a terminal (stderr) a progress line shows simulated time, frames
//       and speed, unless --quiet; --progress forces it (a line per update).
//       Exit status: 0 when the run finished with every check passing, 1 when
//       a check failed (data, completions, scoreboard), 2 on a bad command
//       line or config (the message names the key).
//       Debugging views (docs/firmware_guide.md), each off unless given:
//       --pcap FILE (the wire, both directions, Wireshark), --trace FILE
//       [--trace-filter mmio,dma,doorbell,completion,irq,ctx] (NIC
//       transactions with core-cycle stamps), --vcd FILE (GTKWave waveforms).
//   toevp config --defaults   prints a config file with every key and its doc
//   toevp config --list       prints key, default, range and unit, one per line
//   toevp config --markdown   prints every key as Markdown tables (docs/config.md)
//   toevp pattern --bytes N [--conn C] [--offset O]
//       writes the example programs' payload bytes of connection C's stream
//       [O, O+N) to stdout (what a real peer should have received)
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include <boost/program_options.hpp>
#include <systemc>

#include "model/common/config.h"
#include "firmware/examples/payload_pattern.h"
#include "testbench/platform.h"
#include "testbench/run_report.h"
#include "testbench/stats/csv_output.h"
#include "testbench/stats/progress.h"
#include "testbench/trace/debug_views.h"
#include "testbench/workload.h"

namespace po = boost::program_options;
using toevp::model::Config;
using toevp::model::ConfigError;

namespace {

int usage(const std::string& why) {
  std::cerr << "toevp: " << why << "\n"
            << "usage: toevp run [--config FILE] [--set key=value]... [--json FILE] [--quiet]\n"
            << "                 [--csv FILE] [--timeseries FILE] [--progress [--progress-period-ms N]]\n"
            << "                 [--pcap FILE] [--trace FILE [--trace-filter LIST]] [--vcd FILE]\n"
            << "       toevp config --defaults | --list | --markdown\n"
            << "       toevp pattern --bytes N [--conn C] [--offset O]\n";
  return 2;
}

int cmd_config(const std::vector<std::string>& args) {
  if (args.size() == 1 && args[0] == "--defaults") {
    std::cout << Config::documented_defaults();
    return 0;
  }
  if (args.size() == 1 && args[0] == "--markdown") {
    std::cout << Config::markdown_reference();
    return 0;
  }
  if (args.size() == 1 && args[0] == "--list") {
    for (auto& s : Config::schema())
      std::cout << s.key << " = " << s.default_value << (s.unit.empty() ? "" : "  [" + s.unit + "]") << "  " << s.doc
                << "\n";
    return 0;
  }
  return usage("config takes --defaults, --list or --markdown");
}

// The payload pattern the example programs send, for checking what a real
// peer (Linux through the TAP bridge) received.
int cmd_pattern(const std::vector<std::string>& args) {
  po::options_description desc("toevp pattern");
  desc.add_options()("bytes", po::value<std::uint64_t>()->required(), "stream bytes")(
      "conn", po::value<std::uint32_t>()->default_value(0), "connection index")(
      "offset", po::value<std::uint64_t>()->default_value(0), "first stream offset");
  po::variables_map vm;
  try {
    po::store(po::command_line_parser(args).options(desc).run(), vm);
    po::notify(vm);
  } catch (const po::error& e) {
    return usage(e.what());
  }
  std::vector<std::uint8_t> buf(1 << 16);
  const std::uint32_t conn = vm["conn"].as<std::uint32_t>();
  std::uint64_t offset = vm["offset"].as<std::uint64_t>();
  for (std::uint64_t left = vm["bytes"].as<std::uint64_t>(); left > 0;) {
    const std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(left, buf.size()));
    toevp::fw::PayloadPattern::instance().fill(conn, offset, buf.data(), n);
    std::cout.write(reinterpret_cast<const char*>(buf.data()), static_cast<std::streamsize>(n));
    offset += n;
    left -= n;
  }
  return std::cout ? 0 : 1;
}

// With a TAP partner the peer model is idle: its lines (goodput from its
// byte count, its data check, the scoreboard fed by its ACKs) say nothing.
std::string without_peer_model_lines(const std::string& summary) {
  std::istringstream in(summary);
  std::string out;
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("  goodput", 0) == 0 || line.rfind("  peer", 0) == 0 || line.rfind("  scoreboard", 0) == 0) continue;
    out += line + "\n";
  }
  return out;
}

int cmd_run(const std::vector<std::string>& args) {
  po::options_description desc("toevp run");
  desc.add_options()("config", po::value<std::string>(), "design-point config file")(
      "set", po::value<std::vector<std::string>>()->composing(), "key=value override")(
      "json", po::value<std::string>(), "write the figures as JSON to this file")("quiet", "no summary")(
      "pcap", po::value<std::string>(), "write the wire (both directions) as a nanosecond pcap")(
      "trace", po::value<std::string>(), "write the NIC transaction trace")(
      "trace-filter", po::value<std::string>()->default_value("all"), "trace categories: mmio,dma,doorbell,completion,irq,ctx or all")(
      "vcd", po::value<std::string>(), "write waveforms of NIC signals (VCD)")(
      "csv", po::value<std::string>(), "write every scalar figure as CSV (a header and one row)")(
      "timeseries", po::value<std::string>(), "write the context-table occupancy series as CSV")(
      "progress", "show progress even when stderr is not a terminal (a line per update)")(
      "progress-period-ms", po::value<unsigned>()->default_value(1000), "wall-clock time between progress updates");
  po::variables_map vm;
  try {
    po::store(po::command_line_parser(args).options(desc).run(), vm);
    po::notify(vm);
  } catch (const po::error& e) {
    return usage(e.what());
  }
  Config config;
  try {
    if (vm.count("config")) config.load_file(vm["config"].as<std::string>());
    if (vm.count("set"))
      for (auto& kv : vm["set"].as<std::vector<std::string>>()) config.set_assignment(kv);
    config.check_consistency();
  } catch (const ConfigError& e) {
    std::cerr << "toevp: " << e.what() << "\n";
    return 2;
  }
  if (vm.count("timeseries") && config.get_u64("stats.sample_interval_ns") == 0) {
    std::cerr << "toevp: --timeseries needs a sampling interval: set config key 'stats.sample_interval_ns' (ns, > 0)\n";
    return 2;
  }
  if (vm["progress-period-ms"].as<unsigned>() == 0) return usage("--progress-period-ms must be at least 1");
  // Output files are opened before the run, so a bad path costs no simulation.
  std::ofstream csv_out, series_out;
  for (auto [opt, stream] : {std::pair{"csv", &csv_out}, std::pair{"timeseries", &series_out}}) {
    if (!vm.count(opt)) continue;
    stream->open(vm[opt].as<std::string>());
    if (!*stream) {
      std::cerr << "toevp: cannot write " << vm[opt].as<std::string>() << "\n";
      return 2;
    }
  }
  std::unique_ptr<toevp::fw::FirmwareProgram> program;
  std::unique_ptr<toevp::tb::Platform> platform;
  try {
    platform = std::make_unique<toevp::tb::Platform>(config);
    program = toevp::tb::make_workload_program(config, *platform);
  } catch (const std::exception& e) {
    std::cerr << "toevp: " << e.what() << "\n";
    return 2;
  }
  toevp::tb::DebugOptions views_opt;
  if (vm.count("pcap")) views_opt.pcap = vm["pcap"].as<std::string>();
  if (vm.count("trace")) views_opt.trace = vm["trace"].as<std::string>();
  views_opt.trace_filter = vm["trace-filter"].as<std::string>();
  if (vm.count("vcd")) views_opt.vcd = vm["vcd"].as<std::string>();
  std::unique_ptr<toevp::tb::DebugViews> views;
  try {
    views = std::make_unique<toevp::tb::DebugViews>(*platform, views_opt);
  } catch (const std::exception& e) {
    std::cerr << "toevp: " << e.what() << "\n";
    return 2;
  }
  std::unique_ptr<toevp::tb::ProgressDisplay> progress;
  if (toevp::tb::ProgressDisplay::wanted(vm.count("quiet") > 0, vm.count("progress") > 0)) {
    toevp::tb::ProgressDisplay::Options o;
    o.period = std::chrono::milliseconds(vm["progress-period-ms"].as<unsigned>());
    o.in_place = isatty(STDERR_FILENO) == 1;
    progress = std::make_unique<toevp::tb::ProgressDisplay>(platform->link, o);
    progress->start();
  }
  auto* prog = program.get();
  platform->run([prog](toevp::fw::HostInterface& host) { return prog->run(host); });
  if (progress) progress->stop();
  views->finish();
  nlohmann::json report = toevp::tb::make_report(*platform, program->results());
  const bool tap = platform->tap != nullptr;
  if (tap) {
    const auto& s = platform->tap->stats();
    report["tap"] = {{"device", platform->tap->device()}, {"frames_to_linux", s.frames_to_tap},
                     {"frames_from_linux", s.frames_from_tap}, {"bytes_to_linux", s.bytes_to_tap},
                     {"bytes_from_linux", s.bytes_from_tap}, {"write_errors", s.write_errors},
                     {"quanta", s.quanta}, {"slept_s", s.slept_s}};
    // Neither side is told the other's MAC in scripts/tap_demo.sh: what the
    // firmware's ARP did (docs/firmware_guide.md, "ARP").
    const auto& d = program->results().driver;
    report["tap"]["firmware_arp"] = {{"requests_sent", d.arp_requests_sent},
                                     {"replies_received", d.arp_replies_received},
                                     {"replies_sent", d.arp_replies_sent},
                                     {"ignored", d.arp_ignored},
                                     {"malformed", d.arp_malformed}};
  }
  if (!vm.count("quiet")) {
    std::string text = toevp::tb::summary_text(report);
    if (tap) text = without_peer_model_lines(text);
    std::cout << text << views->summary();
    if (tap)
      std::cout << "  tap      " << report["tap"]["frames_to_linux"] << " frames to Linux, "
                << report["tap"]["frames_from_linux"] << " from Linux via " << platform->tap->device() << "\n"
                << "  tap ARP  " << report["tap"]["firmware_arp"]["requests_sent"] << " requests sent, "
                << report["tap"]["firmware_arp"]["replies_received"] << " replies received, "
                << report["tap"]["firmware_arp"]["replies_sent"] << " requests from Linux answered\n";
  }
  if (csv_out.is_open()) {
    toevp::tb::write_figures_csv(csv_out, report);
    if (!csv_out.flush()) {
      std::cerr << "toevp: cannot write " << vm["csv"].as<std::string>() << "\n";
      return 2;
    }
  }
  if (series_out.is_open()) {
    toevp::tb::write_timeseries_csv(series_out, platform->nic.contexts.occupancy());
    if (!series_out.flush()) {
      std::cerr << "toevp: cannot write " << vm["timeseries"].as<std::string>() << "\n";
      return 2;
    }
  }
  if (vm.count("json")) {
    std::ofstream out(vm["json"].as<std::string>());
    out << report.dump(2) << "\n";
    if (!out) {
      std::cerr << "toevp: cannot write " << vm["json"].as<std::string>() << "\n";
      return 2;
    }
  }
  // With a TAP partner the peer model sees nothing (no data to check, no
  // ACKs for the scoreboard); the far end checks the data.
  const bool ok = (tap || (report["peer_data_ok"].get<bool>() &&
                           report["scoreboard"]["violations"].get<std::uint64_t>() == 0)) &&
                  report["firmware_ok"].get<bool>() &&
                  report["messages_completed"] == report["messages_posted"];
  return ok ? 0 : 1;
}

}  // namespace

// SystemC prints its banner when the kernel starts unless this variable is
// set; toevp's output (a config file, a summary) should be only its own.
int main(int argc, char* argv[]) {
  setenv("SYSTEMC_DISABLE_COPYRIGHT_MESSAGE", "1", 0);
  return sc_core::sc_elab_and_sim(argc, argv);
}

int sc_main(int argc, char* argv[]) {
  sc_core::sc_set_time_resolution(1, sc_core::SC_FS);
  // Firmware misuse is reported as warnings by the model; keep SystemC's own
  // chatter (the banner is printed by the library before sc_main) minimal.
  sc_core::sc_report_handler::set_actions("/IEEE_Std_1666/deprecated", sc_core::SC_DO_NOTHING);
  sc_core::sc_report_handler::set_actions("/OSCI/SystemC", sc_core::SC_INFO, sc_core::SC_DO_NOTHING);
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty()) return usage("no command");
  const std::string cmd = args.front();
  args.erase(args.begin());
  if (cmd == "run") return cmd_run(args);
  if (cmd == "config") return cmd_config(args);
  if (cmd == "pattern") return cmd_pattern(args);
  return usage("unknown command '" + cmd + "'");
}
