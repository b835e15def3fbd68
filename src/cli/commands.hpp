// The subcommands of `chorus`, each registering itself on the CLI11 app.
#pragma once

#include <CLI/CLI.hpp>

namespace chorus::cli {

struct Commands {
  int exit_code = 0;  // 0 success, 1 failure, 2 bad usage
};

const char* version_string();
void add_serve(CLI::App& app, Commands& commands);
void add_analyze(CLI::App& app, Commands& commands);
void add_import(CLI::App& app, Commands& commands);
void add_kafka(CLI::App& app, Commands& commands);
void add_dev_cluster(CLI::App& app, Commands& commands);
void add_sync(CLI::App& app, Commands& commands);
void add_report(CLI::App& app, Commands& commands);
void add_digest(CLI::App& app, Commands& commands);
void add_alerts(CLI::App& app, Commands& commands);
void add_train(CLI::App& app, Commands& commands);

// One line on stderr, "chorus: <message>", and the exit code to return.
int fail(const std::string& message, int code = 1);

}  // namespace chorus::cli
