// chorus alerts: a workspace's alert rules from the terminal — list, add, send a test, read the delivery log,
// enable, disable and delete — through /v1/workspaces/{ws}/alerts; --json prints what the API returns.
#include <cstdio>
#include <fstream>
#include <iostream>
#include <memory>
#include <sstream>

#include "cli/api_client.hpp"
#include "cli/commands.hpp"

namespace chorus::cli {

namespace {

struct AlertsOptions {
  ApiOptions api;
  std::string workspace, id, body, file;
  unsigned limit = 20;
  bool json = false;
};

std::string text_of(const json::value& v, std::string_view path) {
  const auto* x = find_path(v, path);
  if (!x || x->is_null()) return "-";
  return x->is_string() ? std::string(x->get_string()) : json::serialize(*x);
}

std::string clipped(std::string s, std::size_t n) { return s.size() <= n ? s : s.substr(0, n - 1) + "~"; }

std::string base_of(const AlertsOptions& o) { return "/v1/workspaces/" + url_encode(o.workspace) + "/alerts"; }

int print_or_fail(const Result<json::value>& r, const AlertsOptions& o, void (*table)(const json::value&)) {
  if (!r) return fail(r.error().message);
  if (o.json || !table)
    std::printf("%s\n", json::serialize(*r).c_str());
  else
    table(*r);
  return 0;
}

void rule_table(const json::value& v) {
  const auto* items = find_path(v, "items");
  if (!items || !items->is_array() || items->as_array().empty()) {
    std::printf("No alerts in this workspace; add one with `chorus alerts add`.\n");
    return;
  }
  std::printf("%-6s %-28s %-15s %-8s %s\n", "id", "name", "kind", "channel", "state");
  for (const auto& a : items->as_array()) {
    bool on = text_of(a, "enabled") == "true";
    std::printf("%-6s %-28s %-15s %-8s %s\n", text_of(a, "id").c_str(), clipped(text_of(a, "name"), 28).c_str(),
                text_of(a, "kind").c_str(), text_of(a, "channel.type").c_str(),
                on ? "enabled" : ("disabled: " + text_of(a, "disabled_reason")).c_str());
  }
}

void delivery_table(const json::value& v) {
  const auto* items = find_path(v, "items");
  if (!items || !items->is_array() || items->as_array().empty()) {
    std::printf("Nothing sent yet.\n");
    return;
  }
  std::printf("%-20s %-9s %-8s %-6s %-40s %s\n", "created", "state", "attempts", "status", "what", "error");
  for (const auto& d : items->as_array())
    std::printf("%-20s %-9s %-8s %-6s %-40s %s\n", text_of(d, "created_at").substr(0, 19).c_str(),
                text_of(d, "state").c_str(), text_of(d, "attempts").c_str(), text_of(d, "status").c_str(),
                clipped(text_of(d, "type") == "alert.test" ? "test" : text_of(d, "title"), 40).c_str(),
                text_of(d, "error") == "-" ? "" : text_of(d, "error").c_str());
}

void rule_line(const json::value& v) {
  std::printf("Alert %s \"%s\" (%s, %s): %s\n", text_of(v, "id").c_str(), text_of(v, "name").c_str(),
              text_of(v, "kind").c_str(), text_of(v, "channel.type").c_str(),
              text_of(v, "enabled") == "true" ? "enabled" : ("disabled: " + text_of(v, "disabled_reason")).c_str());
  if (find_path(v, "channel.secret"))
    std::printf("Signing secret (shown this once; keep it to verify signatures): %s\n",
                text_of(v, "channel.secret").c_str());
}

void test_line(const json::value& v) {
  if (text_of(v, "delivered") == "true")
    std::printf("Delivered (status %s).\n", text_of(v, "delivery.status").c_str());
  else
    std::printf("Not delivered: %s\n", text_of(v, "delivery.error").c_str());
}

// The rule's JSON from --body or --file ("-" reads standard input).
Result<std::string> rule_body(const AlertsOptions& o) {
  if (!o.body.empty() == !o.file.empty())
    return make_error(ErrorCode::bad_request, "give the rule as --body '{...}' or --file rule.json, one of the two");
  if (!o.body.empty()) return o.body;
  std::stringstream text;
  if (o.file == "-") {
    text << std::cin.rdbuf();
  } else {
    std::ifstream in(o.file);
    if (!in) return make_error(ErrorCode::bad_request, "cannot read " + o.file);
    text << in.rdbuf();
  }
  return text.str();
}

int run(const AlertsOptions& o, const std::string& action) {
  if (o.api.key.empty()) return fail("no API key: pass --key or set CHORUS_API_KEY", 2);
  ApiClient client(o.api);
  const std::string one = base_of(o) + "/" + url_encode(o.id);
  if (action == "list") return print_or_fail(client.get(base_of(o)), o, rule_table);
  if (action == "add") {
    auto body = rule_body(o);
    if (!body) return fail(body.error().message, 2);
    return print_or_fail(client.call("POST", base_of(o), *body), o, rule_line);
  }
  if (action == "test") {
    auto r = client.call("POST", one + "/test", "{}");
    int code = print_or_fail(r, o, test_line);
    return code == 0 && text_of(*r, "delivered") != "true" ? 1 : code;
  }
  if (action == "deliveries")
    return print_or_fail(client.get(one + "/deliveries?limit=" + std::to_string(o.limit)), o, delivery_table);
  if (action == "enable" || action == "disable")
    return print_or_fail(
        client.call("PATCH", one, action == "enable" ? R"({"enabled":true})" : R"({"enabled":false})"), o, rule_line);
  auto r = client.call("DELETE", one);
  if (!r) return fail(r.error().message);
  std::printf("Deleted alert %s with its delivery log.\n", o.id.c_str());
  return 0;
}

}  // namespace

void add_alerts(CLI::App& app, Commands& commands) {
  auto* alerts = app.add_subcommand("alerts", "A workspace's alert rules: list, add, test, deliveries, enable, "
                                              "disable, delete");
  alerts->require_subcommand(1);
  alerts->footer("\nExamples:\n  chorus alerts list 1\n  chorus alerts test 1 4\n  chorus alerts add 1 --file rule.json\n"
                 "  chorus alerts deliveries 1 4");
  struct Action {
    const char* name;
    const char* help;
    bool takes_id;
  };
  static const Action kActions[] = {
      {"list", "The workspace's alert rules and their state", false},
      {"add", "Add a rule: --body '{\"name\":...,\"kind\":...,\"params\":{...},\"channel\":{...}}' or --file", false},
      {"test", "Send a sample message through the rule's channel now (exit 1 when it is not delivered)", true},
      {"deliveries", "The rule's delivery log, newest first", true},
      {"enable", "Turn the rule on (also after a 410 disabled it)", true},
      {"disable", "Turn the rule off", true},
      {"delete", "Delete the rule with its delivery log", true},
  };
  for (const Action& a : kActions) {
    auto* cmd = alerts->add_subcommand(a.name, a.help);
    auto o = std::make_shared<AlertsOptions>();
    cmd->add_option("workspace", o->workspace, "Workspace id")->required();
    if (a.takes_id) cmd->add_option("id", o->id, "Alert id")->required();
    if (std::string_view(a.name) == "add") {
      cmd->add_option("--body", o->body, "The rule as JSON");
      cmd->add_option("--file", o->file, "A file holding the rule as JSON (- for standard input)");
    }
    if (std::string_view(a.name) == "deliveries")
      cmd->add_option("--limit", o->limit, "How many, 1 to 500")->check(CLI::Range(1, 500))->capture_default_str();
    cmd->add_flag("--json", o->json, "Print what the API returns, for scripts");
    add_api_options(*cmd, o->api);
    cmd->footer(
        "\nExamples:\n  chorus alerts list 1\n"
        "  chorus alerts add 1 --body '{\"name\":\"Checkout\",\"kind\":\"emerging\",\"params\":{\"themes\":"
        "[\"payments\"]},\"channel\":{\"type\":\"slack\",\"url\":\"https://hooks.slack.com/services/...\"}}'\n"
        "  chorus alerts test 1 4\n  chorus alerts deliveries 1 4 --json | jq '.items[0].error'");
    std::string action = a.name;
    cmd->callback([cmd, o, action, &commands] {
      commands.exit_code = with_config(*cmd, o->api, [&] { return run(*o, action); });
    });
  }
}

}  // namespace chorus::cli
