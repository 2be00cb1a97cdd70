// Tests of the register-map single source (model/abi/regmap.json through
// scripts/gen_regmap.py): every generated consumer carries the offsets of the
// JSON file, the committed docs/registers.md never drifts from the generated
// reference, and a self-contradicting map is rejected with a message that
// names the problem.
#include <catch2/catch.hpp>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <sys/wait.h>
#include <vector>

#include "model/abi/toevp_regs.h"

namespace {

struct TableRow {
  const char* name;
  unsigned offset;
  const char* access;
  unsigned reset;
  int hw;
  int doorbell;
};

// The model's view: the X-macro table, expanded as the Registers module does.
const std::vector<TableRow>& table() {
  static const std::vector<TableRow> rows = {
#define TOEVP_REG(NAME, OFFSET, ACCESS, RESET, HW, DOORBELL) \
  {#NAME, OFFSET, #ACCESS, RESET, HW, DOORBELL},
#include "model/abi/toevp_regs_table.inc"
  };
  return rows;
}

struct FieldRow {
  const char* reg;
  const char* field;
  unsigned lsb;
  unsigned width;
};

const std::vector<FieldRow>& field_table() {
  static const std::vector<FieldRow> rows = {
#define TOEVP_REG(NAME, OFFSET, ACCESS, RESET, HW, DOORBELL)
#define TOEVP_FIELD(REG, FIELD, LSB, WIDTH) {#REG, #FIELD, LSB, WIDTH},
#include "model/abi/toevp_regs_table.inc"
  };
  return rows;
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

nlohmann::json load_regmap() { return nlohmann::json::parse(read_file(TOEVP_REGMAP_JSON)); }

unsigned to_number(const nlohmann::json& v) {
  return v.is_string() ? static_cast<unsigned>(std::stoul(v.get<std::string>(), nullptr, 0))
                       : v.get<unsigned>();
}

struct RunResult {
  int exit_code;
  std::string output;
};

// Runs the generator on `regmap_text`, output into a fresh directory.
RunResult run_generator(const std::string& case_name, const std::string& regmap_text,
                        std::filesystem::path& out_dir) {
  const std::filesystem::path dir = std::filesystem::path(TOEVP_TEST_TMP_DIR) / case_name;
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  const auto json_path = dir / "regmap.json";
  std::ofstream(json_path) << regmap_text;
  out_dir = dir / "out";
  const std::string cmd = std::string("\"") + TOEVP_PYTHON + "\" \"" + TOEVP_REGMAP_SCRIPT +
                          "\" \"" + json_path.string() + "\" --out-dir \"" + out_dir.string() +
                          "\" 2>&1";
  RunResult r{-1, {}};
  FILE* pipe = popen(cmd.c_str(), "r");
  REQUIRE(pipe != nullptr);
  std::array<char, 256> buf{};
  while (std::fgets(buf.data(), buf.size(), pipe) != nullptr) r.output += buf.data();
  const int status = pclose(pipe);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

// A valid two-register map the bad cases are derived from.
nlohmann::json small_map() {
  return nlohmann::json::parse(R"({
    "name": "t", "description": "test map", "bar": 0, "size": 256,
    "registers": [
      {"name": "A", "offset": "0x0", "access": "rw", "reset": "0x0", "doc": "a",
       "fields": [{"name": "X", "bits": "3:0", "doc": "x"}, {"name": "Y", "bits": "7:4", "doc": "y"}]},
      {"name": "B", "offset": "0x4", "access": "ro", "hw": true, "doc": "b"}
    ]})");
}

}  // namespace

TEST_CASE("the committed docs/registers.md equals the Markdown generated from regmap.json") {
  const std::string generated = read_file(std::string(TOEVP_GENERATED_DIR) + "/registers.md");
  const std::string committed = read_file(TOEVP_COMMITTED_REGISTERS_MD);
  REQUIRE_FALSE(generated.empty());
  INFO("regenerate with `ninja toevp_update_register_docs` and commit docs/registers.md");
  CHECK(committed == generated);
}

TEST_CASE("the model's register table lists every register of regmap.json with its offset and access and reset") {
  const auto regs = load_regmap()["registers"];
  REQUIRE(table().size() == regs.size());
  REQUIRE(table().size() == TOEVP_REG_COUNT);
  std::map<std::string, const TableRow*> by_name;
  for (const auto& row : table()) by_name[row.name] = &row;
  for (const auto& r : regs) {
    const std::string name = r["name"];
    INFO("register " << name);
    REQUIRE(by_name.count(name) == 1);
    const TableRow& row = *by_name[name];
    CHECK(row.offset == to_number(r["offset"]));
    CHECK(row.reset == (r.contains("reset") ? to_number(r["reset"]) : 0u));
    std::string access = r["access"];
    for (auto& c : access) c = static_cast<char>(std::toupper(c));
    CHECK(std::string(row.access) == access);
    CHECK(row.hw == (r.value("hw", false) ? 1 : 0));
    CHECK(row.doorbell == (r.value("doorbell", false) ? 1 : 0));
  }
}

TEST_CASE("the table is sorted by offset and the doorbells are SQ_TAIL and CQ_HEAD") {
  std::vector<std::string> doorbells;
  for (std::size_t i = 0; i < table().size(); ++i) {
    if (i > 0) CHECK(table()[i - 1].offset < table()[i].offset);
    if (table()[i].doorbell) doorbells.push_back(table()[i].name);
  }
  CHECK(doorbells == std::vector<std::string>{"SQ_TAIL", "CQ_HEAD"});
}

TEST_CASE("the firmware header carries the offsets and fields and resets of the map") {
  STATIC_REQUIRE(TOEVP_REG_ID == 0x000u);
  STATIC_REQUIRE(TOEVP_ID_RESET == 0x544F4531u);
  STATIC_REQUIRE(TOEVP_REG_CTRL == 0x020u);
  STATIC_REQUIRE(TOEVP_CTRL_ENABLE_MASK == 0x1u);
  STATIC_REQUIRE(TOEVP_CTRL_INT_ENABLE_SHIFT == 1u);
  STATIC_REQUIRE(TOEVP_REG_SQ_TAIL == 0x03Cu);
  STATIC_REQUIRE(TOEVP_REG_CQ_HEAD == 0x05Cu);
  STATIC_REQUIRE(TOEVP_REG_STAT_MMIO_ERRORS == 0x150u);
  STATIC_REQUIRE(TOEVP_CAP_TCB_CACHE_WAYS_SHIFT == 24u);
  STATIC_REQUIRE(TOEVP_CAP_TCB_CACHE_WAYS_WIDTH == 8u);
  STATIC_REQUIRE(TOEVP_CAP_TCB_CACHE_WAYS_MASK == 0xFF000000u);
  STATIC_REQUIRE(TOEVP_CAP_TCB_CACHE_ENTRIES_MASK == 0x00FFFFFFu);
  STATIC_REQUIRE(TOEVP_ERR_STATUS_NOT_ENABLED_MASK == 0x80u);
  STATIC_REQUIRE(TOEVP_REGMAP_SIZE == 0x1000u);
}

TEST_CASE("the field table lists every field with its position") {
  std::map<std::string, FieldRow> by_name;
  for (const auto& f : field_table()) by_name[std::string(f.reg) + "." + f.field] = f;
  CHECK(by_name.size() == 14);
  CHECK(by_name.at("ERR_STATUS.MMIO").lsb == 6);
  CHECK(by_name.at("CAP_TCB_CACHE.ENTRIES").width == 24);
  CHECK(by_name.at("STATUS.ERROR").lsb == 1);
}

TEST_CASE("the generator accepts a valid map and writes all four outputs") {
  std::filesystem::path out;
  const auto r = run_generator("valid", small_map().dump(), out);
  INFO(r.output);
  CHECK(r.exit_code == 0);
  for (const char* f : {"toevp_regs.h", "toevp_regs_table.inc", "toevp_regs_pkg.sv", "registers.md"})
    CHECK(std::filesystem::exists(out / f));
  CHECK(read_file((out / "toevp_regs.h").string()).find("#define TOEVP_A_Y_MASK 0x000000F0u") !=
        std::string::npos);
}

TEST_CASE("the generator rejects an inconsistent map naming the problem and writes nothing") {
  struct Case {
    const char* name;
    void (*mutate)(nlohmann::json&);
    const char* message;
  };
  const Case cases[] = {
      {"duplicate_name", [](nlohmann::json& m) { m["registers"][1]["name"] = "A"; },
       "register A: duplicate register name"},
      {"duplicate_offset", [](nlohmann::json& m) { m["registers"][1]["offset"] = "0x0"; },
       "register B: offset 0x000 is already used by A"},
      {"unaligned_offset", [](nlohmann::json& m) { m["registers"][1]["offset"] = "0x6"; },
       "register B: offset 0x6 is not 4-byte aligned"},
      {"offset_outside_bar", [](nlohmann::json& m) { m["registers"][1]["offset"] = "0x100"; },
       "register B: offset 0x100 is outside the 0x100-byte BAR"},
      {"overlapping_fields", [](nlohmann::json& m) { m["registers"][0]["fields"][1]["bits"] = "4:3"; },
       "register A: fields X [3:0] and Y [4:3] overlap"},
      {"field_beyond_31", [](nlohmann::json& m) { m["registers"][0]["fields"][1]["bits"] = "32:4"; },
       "register A field Y: bits '32:4' reach beyond bit 31"},
      {"reset_too_wide", [](nlohmann::json& m) { m["registers"][0]["reset"] = "0x100000000"; },
       "register A: reset 0x100000000 does not fit in 32 bits"},
      {"reset_outside_fields", [](nlohmann::json& m) { m["registers"][0]["reset"] = "0x100"; },
       "register A: reset 0x100 sets bits outside every field"},
      {"bad_access", [](nlohmann::json& m) { m["registers"][0]["access"] = "wo"; },
       "register A: access 'wo' is not one of ro, rw, rw1c"},
      {"unknown_key", [](nlohmann::json& m) { m["registers"][0]["ofset"] = "0x0"; },
       "register A: unknown key 'ofset'"},
      {"missing_reset", [](nlohmann::json& m) { m["registers"][0].erase("reset"); },
       "register A: missing 'reset'"},
      {"ro_doorbell", [](nlohmann::json& m) { m["registers"][1]["doorbell"] = true; },
       "register B: a doorbell must be rw"},
  };
  for (const auto& c : cases) {
    SECTION(c.name) {
      nlohmann::json m = small_map();
      c.mutate(m);
      std::filesystem::path out;
      const auto r = run_generator(c.name, m.dump(), out);
      INFO("case " << c.name << ", generator said: " << r.output);
      CHECK(r.exit_code == 1);
      CHECK(r.output.find(std::string("gen_regmap: error: ") + c.message) != std::string::npos);
      CHECK_FALSE(std::filesystem::exists(out));
    }
  }
}

TEST_CASE("the generator rejects a map that is not valid JSON or repeats a key") {
  std::filesystem::path out;
  auto r = run_generator("not_json", "{\"registers\": [", out);
  CHECK(r.exit_code == 1);
  CHECK(r.output.find("gen_regmap: error:") != std::string::npos);
  r = run_generator("dup_key", R"({"size": 256, "size": 512, "registers": []})", out);
  CHECK(r.exit_code == 1);
  CHECK(r.output.find("duplicate JSON key(s) size") != std::string::npos);
}
