// TOML configuration files for subcommands, read with toml++ (linked, not header-only).
#define TOML_HEADER_ONLY 0
#include "cli/config_file.hpp"

#include <toml++/toml.h>

#include <cstdlib>

namespace chorus::cli {

namespace {

Result<std::string> scalar_text(const toml::node& node, const std::string& key) {
  if (node.is_string()) return *node.value<std::string>();
  if (node.is_boolean()) return std::string(*node.value<bool>() ? "true" : "false");
  if (node.is_integer()) return std::to_string(*node.value<std::int64_t>());
  if (node.is_floating_point()) return std::to_string(*node.value<double>());
  return make_error(ErrorCode::bad_request, key + " must be a string, a number or true/false");
}

}  // namespace

Status apply_config_file(CLI::App& command, const std::string& path) {
  toml::table table;
  try {
    table = toml::parse_file(path);
  } catch (const toml::parse_error& e) {
    return make_error(ErrorCode::bad_request, path + ":" + std::to_string(e.source().begin.line) + ": " +
                                                  std::string(e.description()));
  }
  for (const auto& [k, node] : table) {
    std::string key(k.str());
    CLI::Option* option = key == "config" ? nullptr : command.get_option_no_throw("--" + key);
    if (!option) {
      std::string keys, name = command.get_name();
      for (const CLI::App* up = command.get_parent(); up && up->get_parent(); up = up->get_parent())
        name = up->get_name() + " " + name;
      for (const CLI::Option* o : command.get_options())
        if (!o->get_lnames().empty() && o->get_lnames().front() != "help" && o->get_lnames().front() != "config")
          keys += (keys.empty() ? "" : ", ") + o->get_lnames().front();
      return make_error(ErrorCode::bad_request, path + ": unknown key '" + key + "'; keys are the flags of `chorus " +
                                                    name + "` without the dashes: " + keys);
    }
    if (option->count() > 0) continue;  // given on the command line
    const std::string& env = option->get_envname();
    if (!env.empty() && std::getenv(env.c_str())) continue;  // given in the environment
    auto text = scalar_text(node, path + ": " + key);
    if (!text) return text.error();
    option->add_result(*text);
    try {
      option->run_callback();
    } catch (const CLI::Error& e) {
      return make_error(ErrorCode::bad_request, path + ": " + key + ": " + e.what());
    }
  }
  return {};
}

}  // namespace chorus::cli
