// chorus digest: a workspace's weekly digest (GET .../digest?week=) in the terminal, or as JSON with --json.
#include <cstdio>
#include <memory>

#include "cli/api_client.hpp"
#include "cli/commands.hpp"
#include "insights/weekly_digest.hpp"

namespace chorus::cli {

namespace {

struct DigestOptions {
  ApiOptions api;
  std::string workspace, week;
  bool json = false;
};

int run_digest(const DigestOptions& o) {
  if (o.api.key.empty()) return fail("no API key: pass --key or set CHORUS_API_KEY", 2);
  if (!o.week.empty() && !insights::parse_iso_week(o.week))
    return fail("--week must be an ISO week such as 2026-W10", 2);
  ApiClient client(o.api);
  std::string path = "/v1/workspaces/" + url_encode(o.workspace) + "/digest";
  if (!o.week.empty()) path += "?week=" + url_encode(o.week);
  auto digest = client.get(path);
  if (!digest) return fail(digest.error().message);
  if (o.json || !digest->is_object()) {
    std::printf("%s\n", json::serialize(*digest).c_str());
    return 0;
  }
  std::printf("Workspace %s\n%s", o.workspace.c_str(), insights::digest_text(digest->get_object()).c_str());
  return 0;
}

}  // namespace

void add_digest(CLI::App& app, Commands& commands) {
  auto* cmd =
      app.add_subcommand("digest", "A workspace's weekly digest: volume, sentiment, themes, movers, new and emerging");
  auto o = std::make_shared<DigestOptions>();
  cmd->add_option("workspace", o->workspace, "Workspace id")->required();
  cmd->add_option("--week", o->week, "An ISO week such as 2026-W10 (default: the last complete week)");
  cmd->add_flag("--json", o->json, "Print the digest as the API returns it, for scripts");
  add_api_options(*cmd, o->api);
  cmd->footer(
      "\nExamples:\n  CHORUS_API_KEY=chk_... chorus digest 1 --week 2026-W10\n"
      "  chorus digest 1 --json | jq '.movers.up'");
  cmd->callback(
      [cmd, o, &commands] { commands.exit_code = with_config(*cmd, o->api, [&] { return run_digest(*o); }); });
}

}  // namespace chorus::cli
