// toevp: the command-line front end of the virtual platform.
//
//   toevp run [--config FILE] [--set key=value]... [--json FILE] [--quiet]
//       Elaborates the platform of the design point (defaults, then FILE,
//       then each --set in order), runs the configured firmware program and
//       prints a summary; --json writes every figure (docs/results.md).
//       Exit status: 0 when the run finished with every check passing, 1 when
//       a check failed (data, completions, scoreboard), 2 on a bad command
//       line or config (the message names the key).
//   toevp config --defaults   prints a config file with every key and its doc
//   toevp config --list       prints key, default, range and unit, one per line
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

#include <boost/program_options.hpp>
#include <systemc>

#include "model/common/config.h"
#include "testbench/platform.h"
#include "testbench/run_report.h"
#include "testbench/workload.h"

namespace po = boost::program_options;
using toevp::model::Config;
using toevp::model::ConfigError;

namespace {

int usage(const std::string& why) {
  std::cerr << "toevp: " << why << "\n"
            << "usage: toevp run [--config FILE] [--set key=value]... [--json FILE] [--quiet]\n"
            << "       toevp config --defaults | --list\n";
  return 2;
}

int cmd_config(const std::vector<std::string>& args) {
  if (args.size() == 1 && args[0] == "--defaults") {
    std::cout << Config::documented_defaults();
    return 0;
  }
  if (args.size() == 1 && args[0] == "--list") {
    for (auto& s : Config::schema())
      std::cout << s.key << " = " << s.default_value << (s.unit.empty() ? "" : "  [" + s.unit + "]") << "  " << s.doc
                << "\n";
    return 0;
  }
  return usage("config takes --defaults or --list");
}

int cmd_run(const std::vector<std::string>& args) {
  po::options_description desc("toevp run");
  desc.add_options()("config", po::value<std::string>(), "design-point config file")(
      "set", po::value<std::vector<std::string>>()->composing(), "key=value override")(
      "json", po::value<std::string>(), "write the figures as JSON to this file")("quiet", "no summary");
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
  std::unique_ptr<toevp::fw::FirmwareProgram> program;
  std::unique_ptr<toevp::tb::Platform> platform;
  try {
    program = toevp::tb::make_workload_program(config);
    platform = std::make_unique<toevp::tb::Platform>(config);
  } catch (const std::exception& e) {
    std::cerr << "toevp: " << e.what() << "\n";
    return 2;
  }
  auto* prog = program.get();
  platform->run([prog](toevp::fw::HostInterface& host) { return prog->run(host); });
  const nlohmann::json report = toevp::tb::make_report(*platform, program->results());
  if (!vm.count("quiet")) std::cout << toevp::tb::summary_text(report);
  if (vm.count("json")) {
    std::ofstream out(vm["json"].as<std::string>());
    out << report.dump(2) << "\n";
    if (!out) {
      std::cerr << "toevp: cannot write " << vm["json"].as<std::string>() << "\n";
      return 2;
    }
  }
  const bool ok = report["peer_data_ok"].get<bool>() && report["firmware_ok"].get<bool>() &&
                  report["scoreboard"]["violations"].get<std::uint64_t>() == 0 &&
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
  return usage("unknown command '" + cmd + "'");
}
