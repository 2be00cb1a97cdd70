// Configuration of one design point: every parameter of the platform is a
// dotted key ("pcie.lanes") with a type, a unit, an allowed range and a
// default, declared once in config_schema.cpp. Config files use the INI
// syntax of Boost.Program_options ([pcie] then lanes = 16); `--set key=value`
// overrides any key. Unknown keys and out-of-range values are errors that
// name the key, the value and what is allowed.
#pragma once

#include <cstdint>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace toevp::model {

class ConfigError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct KeySpec {
  enum class Kind { kInt, kDouble, kBool, kChoice, kString };
  std::string key;
  Kind kind;
  std::string default_value;
  double min = 0;
  double max = 0;
  std::vector<std::string> choices;  // kChoice
  std::string unit;  // "path": a file, stored absolute; relative to its config file's directory when set in one
  std::string doc;
};

class Config {
 public:
  // The schema: every key the platform knows, in documentation order.
  static const std::vector<KeySpec>& schema();
  static const KeySpec* find_spec(const std::string& key);

  Config();  // all defaults

  void load_file(const std::string& path);
  void set(const std::string& key, const std::string& value);
  void set_assignment(const std::string& key_equals_value);

  std::int64_t get_int(const std::string& key) const;
  std::uint64_t get_u64(const std::string& key) const;
  double get_double(const std::string& key) const;
  bool get_bool(const std::string& key) const;
  const std::string& get_string(const std::string& key) const;

  // Checks that need several keys (cache geometry, buffer sizes, memory
  // budget); throws ConfigError naming the keys. Called before elaboration.
  void check_consistency() const;

  // A config file that sets every key to its default, with its doc as comments.
  static std::string documented_defaults();
  // Every key as Markdown tables, one per section (the generated part of
  // docs/config.md, scripts/gen_config_doc.sh).
  static std::string markdown_reference();
  // Every key's current value (typed) as nested JSON objects.
  nlohmann::json to_json() const;

 private:
  const std::string& raw(const std::string& key) const;
  void check_workload() const;  // the workload.* part of check_consistency
  std::map<std::string, std::string> values_;
};

}  // namespace toevp::model
