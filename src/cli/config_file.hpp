// `--config FILE`: a TOML file whose keys are a subcommand's flags without the dashes
// (listen = "0.0.0.0:9000", data-dir = "/srv/chorus"). Flags given on the command line win, then
// CHORUS_* environment variables, then the file, then the defaults.
#pragma once

#include <CLI/CLI.hpp>

#include <string>

#include "core/result.hpp"

namespace chorus::cli {

Status apply_config_file(CLI::App& command, const std::string& path);

}  // namespace chorus::cli
