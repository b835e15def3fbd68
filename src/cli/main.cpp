// chorus: the command line. Each subcommand lives in its own file; this one only dispatches.
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

#include <CLI/CLI.hpp>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <string_view>

#include "cli/commands.hpp"

int main(int argc, char** argv) {
  // The server's log is its output; every other command's output is what it was asked for (the analyses, the
  // brokers' address, the topics), so the log lines of the libraries they use go to stderr.
  if (argc < 2 || std::string_view(argv[1]) != "serve") spdlog::set_default_logger(spdlog::stderr_logger_mt("chorus"));
  CLI::App app{"Chorus: customer feedback from every channel, read and summarised.\n"};
  app.require_subcommand(1);
  app.footer(
      "\nExamples:\n"
      "  chorus serve                              # all roles, SQLite and the embedded bus in ./var\n"
      "  echo 'The sync keeps failing' | chorus analyze\n"
      "  chorus import --workspace 1 --source 2 reviews.jsonl\n"
      "  chorus sync 1 3 --follow                  # fetch source 3 of workspace 1 now and watch it\n"
      "  chorus report 1 --from 2026-03-01 --to 2026-04-01\n"
      "\nEvery flag can also come from a CHORUS_* environment variable or the --config file.");
  chorus::cli::Commands commands;
  chorus::cli::add_serve(app, commands);
  chorus::cli::add_analyze(app, commands);
  chorus::cli::add_train(app, commands);
  chorus::cli::add_import(app, commands);
  chorus::cli::add_kafka(app, commands);
  chorus::cli::add_dev_cluster(app, commands);
  chorus::cli::add_sync(app, commands);
  chorus::cli::add_report(app, commands);
  chorus::cli::add_digest(app, commands);
  chorus::cli::add_alerts(app, commands);
  auto* version = app.add_subcommand("version", "Print the version and exit");
  version->footer("\nExample:\n  chorus version");
  version->callback([] { std::printf("chorus %s\n", chorus::cli::version_string()); });
  try {
    app.parse(argc, argv);
  } catch (const CLI::CallForHelp& e) {
    return app.exit(e);
  } catch (const CLI::CallForAllHelp& e) {
    return app.exit(e);
  } catch (const CLI::ParseError& e) {
    // A first word that is no command (a typo, or a flag's value without its flag) is named with the commands.
    if (argc >= 2 && argv[1][0] != '-') {
      std::string commands_list;
      bool known = false;
      for (const CLI::App* sub : app.get_subcommands([](CLI::App*) { return true; })) {
        known = known || sub->get_name() == argv[1];
        commands_list += (commands_list.empty() ? "" : ", ") + sub->get_name();
      }
      if (!known) {
        std::fprintf(stderr, "chorus: '%s' is not a command; the commands are %s (see chorus --help)\n", argv[1],
                     commands_list.c_str());
        return 2;
      }
    }
    std::fprintf(stderr, "chorus: %s (see chorus --help)\n", e.what());
    return 2;
  }
  // Output that could not be written (a full disk, a closed pipe) is a failure, not a quiet success.
  std::cout.flush();
  errno = 0;
  if (std::fflush(stdout) != 0 || std::ferror(stdout) || std::cout.fail()) {
    std::fprintf(stderr, "chorus: could not write the output%s%s\n", errno ? ": " : "",
                 errno ? std::strerror(errno) : "");
    return commands.exit_code != 0 ? commands.exit_code : 1;
  }
  return commands.exit_code;
}
