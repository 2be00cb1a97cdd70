// Runs the toevp executable from a test, as a user would: for figures that
// need several platforms (SystemC elaborates once per process) and for the
// command line's own behaviour. The path comes from the build
// (TOEVP_EXE, $<TARGET_FILE:toevp>); output goes through files in a fresh
// temporary directory.
#pragma once

#include <sys/wait.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace toevp::tb::test {

struct CliResult {
  int exit_code = -1;
  std::string out;
  std::string err;
  nlohmann::json json;  // --json output, when asked for
};

// A fresh directory for this process's files, removed when it exits.
inline std::filesystem::path cli_temp_dir() {
  struct Dir {
    std::filesystem::path path;
    Dir() {
      std::string tmpl = (std::filesystem::temp_directory_path() / "toevp_cli_XXXXXX").string();
      if (mkdtemp(tmpl.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
      path = tmpl;
    }
    ~Dir() {
      std::error_code ec;
      std::filesystem::remove_all(path, ec);
    }
  };
  static const Dir dir;
  return dir.path;
}

inline std::string slurp(const std::filesystem::path& p) {
  std::ifstream in(p);
  std::ostringstream os;
  os << in.rdbuf();
  return os.str();
}

// `toevp <args>`; with_json adds --json FILE and parses it.
inline CliResult run_toevp(const std::string& args, bool with_json = false) {
  static int n = 0;
  const auto dir = cli_temp_dir();
  const std::string tag = std::to_string(n++);
  const auto out = dir / ("out" + tag), err = dir / ("err" + tag), js = dir / ("run" + tag + ".json");
  std::string cmd = std::string("'") + TOEVP_EXE + "' " + args;
  if (with_json) cmd += " --json '" + js.string() + "'";
  cmd += " >'" + out.string() + "' 2>'" + err.string() + "'";
  const int status = std::system(cmd.c_str());
  CliResult r;
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  r.out = slurp(out);
  r.err = slurp(err);
  if (with_json && std::filesystem::exists(js)) r.json = nlohmann::json::parse(slurp(js));
  return r;
}

// `toevp run --quiet --set k=v ...` with the JSON report.
inline CliResult run_design_point(const std::vector<std::string>& sets) {
  std::string args = "run --quiet";
  for (const auto& s : sets) args += " --set " + s;
  return run_toevp(args, true);
}

}  // namespace toevp::tb::test
