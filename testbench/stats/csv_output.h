// CSV views of a run's figures, for spreadsheets and scripts that would
// rather not read JSON (docs/results.md, "CSV"):
//
//   toevp run --csv FILE         a header line and one row: every scalar of
//                                the --json report, named by its dotted path
//                                (context_table.peak_used, config.ctx.entries)
//   toevp run --timeseries FILE  a header line and one row per sample of the
//                                context-table occupancy series
//                                (stats.sample_interval_ns)
//
// RFC 4180 quoting (a field with a comma, a quote or a line break is quoted).
// Columns come in the report's key order, which nlohmann::json keeps sorted,
// so runs of one toevp build have the same header and their rows can be
// concatenated.
#pragma once

#include <ostream>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "model/common/occupancy.h"

namespace toevp::tb {

// Every scalar (number, bool, string, null) of `report`, depth first, with
// its dotted path; arrays (histogram bins, error lists) are left out.
std::vector<std::pair<std::string, nlohmann::json>> scalar_figures(const nlohmann::json& report);

std::string csv_field(const std::string& text);

void write_figures_csv(std::ostream& out, const nlohmann::json& report);

// The context-table series: t_ns, ctx_used (at t), ctx_peak and ctx_mean
// (over the interval that ends at t), ctx_allocated and ctx_freed (contexts),
// freed_bytes and freed_gbps (message bytes of the freed contexts, and that
// as a rate over the interval).
void write_timeseries_csv(std::ostream& out, const model::Occupancy& contexts);

}  // namespace toevp::tb
