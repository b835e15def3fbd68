// End to end over real HTTP for push sources: a jsonl source fed with JSON lines and arrays, a CSV file
// loaded with the real `chorus import`, and Standard Webhooks and shared-token deliveries, stored once,
// with forgeries refused and nothing stored from them.
#include <sys/wait.h>

#include <cstdio>
#include <fstream>

#include "core/secrets.hpp"
#include "core/time.hpp"
#include "integration/harness.hpp"
#include "support/fake_http_service.hpp"

namespace chorus::testing {
namespace {

const std::string kStandardSecret = "whsec_" + base64_encode("push-flow-key-0123456789");
constexpr const char* kToken = "tok_push_flow_5b2e";

struct Run {
  int status = -1;
  std::string output;
};

// Runs a command line, stdout and stderr together.
Run run(const std::string& command) {
  Run out;
  FILE* p = popen((command + " 2>&1").c_str(), "r");
  if (!p) return out;
  char buf[512];
  while (std::fgets(buf, sizeof buf, p)) out.output += buf;
  int status = pclose(p);
  out.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return out;
}

class PushFlow : public WorkspaceFixture {
 protected:
  std::string survey_source(json::object webhook) {
    return add_source(json::object{{"type", "jsonl"},
                                   {"name", "Survey export"},
                                   {"config", json::object{{"fields", json::object{{"id", "id"},
                                                                                   {"text", "answers.comment"},
                                                                                   {"timestamp", "submitted"},
                                                                                   {"author", "respondent.name"},
                                                                                   {"rating", "answers.score"},
                                                                                   {"url", "link"},
                                                                                   {"email", "respondent.email"},
                                                                                   {"user_id", "respondent.id"}}},
                                                           {"metadata", json::object{{"plan", "plan"}}}}},
                                   {"webhook", std::move(webhook)}});
  }

  std::vector<json::value> feedback(const std::string& source = "") {
    std::string path = "/v1/workspaces/" + ws_ + "/feedback?limit=500" + (source.empty() ? "" : "&source=" + source);
    auto r = api().get(path, key_);
    EXPECT_EQ(r.status, 200) << r.raw;
    std::vector<json::value> out;
    if (const auto* items = find_path(r.body, "items"); items && items->is_array())
      for (const auto& it : items->as_array()) out.push_back(it);
    return out;
  }

  json::value record(const std::string& external_id, const std::string& source = "") {
    for (auto& r : feedback(source))
      if (str(r, "metadata_attributes.external_id") == external_id) return r;
    return nullptr;
  }

  bool count_becomes(std::size_t n, const std::string& source = "") {
    return eventually([&] { return feedback(source).size() == n; });
  }

  // Waits a moment, then checks that nothing more arrived (for deliveries that must not be stored).
  void expect_still(std::size_t n, const std::string& source = "") {
    std::this_thread::sleep_for(std::chrono::milliseconds(400));
    EXPECT_EQ(feedback(source).size(), n);
  }

  Reply push(const std::string& src, const std::string& body) {
    return api().call("POST", "/v1/workspaces/" + ws_ + "/sources/" + src + "/items", key_, body,
                      {{"content-type", "application/x-ndjson"}});
  }

  Reply hook(const std::string& src, const std::string& body, const http::Headers& headers) {
    std::vector<std::pair<std::string, std::string>> h;
    for (const auto& kv : headers.items) h.push_back(kv);
    return api().call("POST", "/v1/hooks/" + src, "", body, h);
  }

  static http::Headers standard_headers(const std::string& body, const std::string& id, TimeMs at = now_ms(),
                                        const std::string& secret = kStandardSecret) {
    std::string key = base64_decode(secret.substr(6)).value();
    std::string ts = std::to_string(at / 1000);
    http::Headers h;
    h.set("webhook-id", id);
    h.set("webhook-timestamp", ts);
    h.set("webhook-signature", "v1," + base64_encode(hmac_sha256_raw(key, id + "." + ts + "." + body)));
    return h;
  }
};

TEST_F(PushFlow, JsonLinesAndArraysAreMappedByTheDeclaredFields) {
  std::string src = survey_source(json::object{{"scheme", "standard"}, {"secret", kStandardSecret}});
  std::string lines =
      R"({"id":"s-101","answers":{"comment":"Sync lost my edits twice this week. Really frustrating.","score":2},"submitted":"2026-03-02T08:14:03Z","respondent":{"name":"Ines Duarte","email":"ines.duarte@example.com","id":1001},"plan":"pro","link":"https://surveys.acme.example/r/s-101"})"
      "\n"
      R"({"id":"s-102","answers":{"comment":"Love the new editor, it is fast and beautiful.","score":5},"submitted":1772449200,"respondent":{"name":"Tom Becker","id":1002},"plan":"free"})"
      "\n\n"
      R"({"id":103,"answers":{"comment":"","score":3},"submitted":"2026-03-03T07:02:10Z","respondent":{"name":"Priya Raman"}})"
      "\n";
  auto lines_reply = push(src, lines);
  ASSERT_EQ(lines_reply.status, 202) << lines_reply.raw;
  // 103 has a score but no words: nothing to analyse, so no record, and the answer says so.
  EXPECT_EQ(num(lines_reply.body, "accepted"), 2);
  EXPECT_EQ(num(lines_reply.body, "skipped"), 1);
  EXPECT_EQ(num(lines_reply.body, "skipped_reasons.no_text"), 1) << lines_reply.raw;
  auto array_reply = api().call(
      "POST", "/v1/workspaces/" + ws_ + "/sources/" + src + "/items", key_,
      R"([{"id":"s-104","answers":{"comment":"Search should look inside attached PDFs."},"submitted":"2026-03-04T09:12:45Z"},
                     {"id":"s-105","answers":{"comment":"Charged twice this month, please refund.","score":1},"submitted":"2026-03-05T18:05:00Z"}])");
  ASSERT_EQ(array_reply.status, 202) << array_reply.raw;
  EXPECT_EQ(num(array_reply.body, "accepted"), 2);
  ASSERT_TRUE(count_becomes(4)) << feedback().size();

  json::value r = record("s-101");
  ASSERT_FALSE(r.is_null());
  EXPECT_EQ(str(r, "core_attributes.source_info"), "JsonlItem");
  EXPECT_EQ(str(r, "source_id"), src);
  EXPECT_EQ(str(r, "conversation_attributes.text"), "Sync lost my edits twice this week. Really frustrating.");
  EXPECT_EQ(str(r, "conversation_attributes.sentiment_type"), "negative");
  EXPECT_EQ(num(r, "review_attributes.rating"), 2);
  EXPECT_EQ(str(r, "user_attributes.username"), "Ines Duarte");
  EXPECT_EQ(str(r, "user_attributes.email"), "ines.duarte@example.com");
  EXPECT_EQ(str(r, "user_attributes.feedback_platform_user_id"), "1001");
  EXPECT_EQ(str(r, "metadata_attributes.url"), "https://surveys.acme.example/r/s-101");
  EXPECT_EQ(str(r, "context_info.timestamp"), "2026-03-02T08:14:03Z");
  EXPECT_EQ(str(record("s-102"), "context_info.timestamp"), "2026-03-02T11:00:00Z");
  EXPECT_TRUE(record("103").is_null());

  // The same item pushed again with new words is the same record, updated.
  auto again = push(src, R"({"id":"s-102","answers":{"comment":"Editor is fast, but export is broken.","score":3}})");
  ASSERT_EQ(again.status, 202) << again.raw;
  ASSERT_TRUE(eventually(
      [&] { return str(record("s-102"), "conversation_attributes.text") == "Editor is fast, but export is broken."; }));
  EXPECT_EQ(feedback().size(), 4u);
}

TEST_F(PushFlow, AnItemThatDoesNotMapRefusesTheWholeUploadAndSaysWhich) {
  std::string src = survey_source(json::object{{"scheme", "standard"}, {"secret", kStandardSecret}});
  auto bad = push(src, R"({"id":"ok-1","answers":{"comment":"fine"}})"
                       "\n"
                       R"({"id":"bad-2","answers":{"score":"five"}})"
                       "\n");
  EXPECT_EQ(bad.status, 400) << bad.raw;
  EXPECT_EQ(str(bad.body, "error.code"), "bad_request");
  EXPECT_EQ(str(bad.body, "error.message"),
            "item 1: item bad-2 has no text at \"answers.comment\" (config.fields.text)");
  auto wrong_type = push(src, R"([{"id":"x","answers":{"comment":"ok","score":"five"}}])");
  EXPECT_EQ(wrong_type.status, 400);
  EXPECT_EQ(str(wrong_type.body, "error.message"),
            "item 0: the rating at \"answers.score\" must be a number (got \"five\")");
  expect_still(0);
}

TEST_F(PushFlow, InvalidFieldMappingsAreRefusedNamingTheField) {
  auto r = api().post("/v1/workspaces/" + ws_ + "/sources", key_,
                      json::object{{"type", "csv"}, {"config", json::object{{"fields", json::object{{"id", "ID"}}}}}});
  EXPECT_EQ(r.status, 400) << r.raw;
  EXPECT_EQ(str(r.body, "error.message"), "config.fields.text is required: the path of each item's text");
  auto scheme = api().post("/v1/workspaces/" + ws_ + "/sources", key_,
                           json::object{{"type", "jsonl"},
                                        {"config", json::object{{"fields", json::object{{"id", "id"}, {"text", "t"}}}}},
                                        {"webhook", json::object{{"scheme", "github"}, {"secret", "x"}}}});
  EXPECT_EQ(scheme.status, 400);
  EXPECT_NE(str(scheme.body, "error.message").find("webhook.scheme must be one of: standard, token"), std::string::npos)
      << scheme.raw;
  auto sync = api().post("/v1/workspaces/" + ws_ + "/sources/" +
                             survey_source(json::object{{"scheme", "token"}, {"secret", kToken}}) + "/sync",
                         key_, json::object{});
  EXPECT_EQ(sync.status, 400);
  EXPECT_NE(str(sync.body, "error.message").find("push-only"), std::string::npos);
}

TEST_F(PushFlow, CsvFileIsImportedWithTheChorusBinary) {
  std::string src =
      add_source(json::object{{"type", "csv"},
                              {"name", "NPS export"},
                              {"config", json::object{{"fields", json::object{{"id", "Response ID"},
                                                                              {"text", "What could we do better?"},
                                                                              {"timestamp", "Submitted At"},
                                                                              {"author", "Name"},
                                                                              {"rating", "Score"}}},
                                                      {"metadata", json::object{{"region", "Region"}}}}}});
  auto file = dir_ / "nps.csv";
  {
    std::ofstream out(file, std::ios::binary);
    out << "\xEF\xBB\xBFResponse ID,Submitted At,Name,Score,What could we do better?,Region\r\n"
        << "R_1,2026-03-02T08:14:03Z,Ines Duarte,2,\"Sync is broken, I lost edits.\",EU\r\n"
        << "R_2,1772449200,Tom Becker,5,\"Great app.\nThe editor is \"\"fast\"\".\",US\r\n"
        << "R_3,2026-03-03T07:02:10Z,,4,Reminders arrive late,\r\n"
        << "R_4,2026-03-03T07:05:00Z,,3,Sent from my iPhone,\r\n";  // nothing to read: never a record
  }
  auto result = run(std::string(CHORUS_BINARY) + " import --server " + api().base() + " --key " + key_ +
                    " --workspace " + ws_ + " --source " + src + " " + file.string());
  ASSERT_EQ(result.status, 0) << result.output;
  EXPECT_NE(result.output.find("Imported 4 items"), std::string::npos) << result.output;
  EXPECT_NE(result.output.find("1 of them will not become records (no_text 1)"), std::string::npos) << result.output;
  ASSERT_TRUE(count_becomes(3));

  json::value r1 = record("R_1");
  EXPECT_EQ(str(r1, "core_attributes.source_info"), "CsvRow");
  EXPECT_EQ(str(r1, "conversation_attributes.text"), "Sync is broken, I lost edits.");
  EXPECT_EQ(num(r1, "review_attributes.rating"), 2);
  EXPECT_EQ(str(r1, "user_attributes.username"), "Ines Duarte");
  EXPECT_EQ(str(r1, "metadata_attributes.region"), "EU");
  json::value r2 = record("R_2");
  EXPECT_EQ(str(r2, "conversation_attributes.text"), "Great app.\nThe editor is \"fast\".");
  EXPECT_EQ(str(r2, "context_info.timestamp"), "2026-03-02T11:00:00Z");
  EXPECT_EQ(str(record("R_3"), "user_attributes.username"), "null");

  // A file with a bad cell fails with the server's reason and stores nothing from its batch.
  auto bad = dir_ / "bad.csv";
  {
    std::ofstream out(bad, std::ios::binary);
    out << "Response ID,Score,What could we do better?\nR_9,four,Too slow\n";
  }
  auto failed = run(std::string(CHORUS_BINARY) + " import --server " + api().base() + " --key " + key_ +
                    " --workspace " + ws_ + " --source " + src + " " + bad.string());
  EXPECT_EQ(failed.status, 1) << failed.output;
  EXPECT_NE(failed.output.find("the rating at \"Score\" must be a number (got \"four\")"), std::string::npos)
      << failed.output;
  expect_still(3);
}

// Long items (support tickets of kilobytes each) go in as many requests as the server's body limit needs: a
// thousand of them in one request would be refused as too large, and the import would stop there.
TEST_F(PushFlow, LongItemsAreImportedInRequestsTheServerAccepts) {
  std::string src =
      add_source(json::object{{"type", "jsonl"},
                              {"name", "Ticket export"},
                              {"config", json::object{{"fields", json::object{{"id", "id"}, {"text", "body"}}}}}});
  std::string filler;
  while (filler.size() < 9000) filler += "The CSV export times out once a workspace holds a few thousand notes. ";
  constexpr int kTickets = 1100;  // about 10 MB, past the 8 MiB a request may carry
  auto file = dir_ / "tickets.jsonl";
  {
    std::ofstream out(file, std::ios::binary);
    for (int i = 0; i < kTickets; ++i)
      out << json::serialize(json::object{{"id", "T-" + std::to_string(i)},
                                          {"body", "Ticket " + std::to_string(i) + ". " + filler}})
          << "\n";
  }
  auto result = run(std::string(CHORUS_BINARY) + " import --server " + api().base() + " --key " + key_ +
                    " --workspace " + ws_ + " --source " + src + " " + file.string());
  ASSERT_EQ(result.status, 0) << result.output;
  EXPECT_NE(result.output.find("Imported " + std::to_string(kTickets) + " items"), std::string::npos) << result.output;
  auto stored = [&] {
    return num(api().get("/v1/workspaces/" + ws_ + "/sources/" + src, key_).body, "status.items_total");
  };
  EXPECT_TRUE(eventually([&] { return stored() == kTickets; }, std::chrono::seconds(60))) << stored();

  // One item past the server's limit stops the import there, naming its line; the items before it are in.
  auto huge = dir_ / "huge.jsonl";
  {
    std::ofstream out(huge, std::ios::binary);
    out << R"({"id":"H-1","body":"The editor is fast."})"
        << "\n";
    out << json::serialize(json::object{{"id", "H-2"}, {"body", std::string(2 * 1024 * 1024, 'x')}}) << "\n";
    out << R"({"id":"H-3","body":"Sync lost my edits."})"
        << "\n";
  }
  auto refused = run(std::string(CHORUS_BINARY) + " import --server " + api().base() + " --key " + key_ +
                     " --workspace " + ws_ + " --source " + src + " " + huge.string());
  EXPECT_EQ(refused.status, 1) << refused.output;
  EXPECT_NE(refused.output.find("the item at line 2 is larger than the server accepts"), std::string::npos)
      << refused.output;
  EXPECT_NE(refused.output.find("1 items were imported before it"), std::string::npos) << refused.output;
  EXPECT_TRUE(eventually([&] { return stored() == kTickets + 1; })) << stored();
}

// A server that asks for time (503 or 429 with Retry-After) gets the same batch again after the wait, and the
// import completes with every item stored once. One that stays busy past --retry-for stops the import with
// the line to go on from, and --from-line goes on from there. A proxy on loopback stands in front of the real
// server and answers for it when the test says so.
TEST_F(PushFlow, ImportWaitsOutABusyServerAndGoesOnFromTheLineItStopped) {
  std::string src =
      add_source(json::object{{"type", "jsonl"},
                              {"name", "Survey export"},
                              {"config", json::object{{"fields", json::object{{"id", "id"}, {"text", "text"}}}}}});
  std::function<std::optional<int>(int)> busy;  // the status answered instead of the server's, by request number
  int requests = 0;
  ingest::HttpClient upstream;
  FakeHttpService proxy;
  proxy.route("POST", "/v1/workspaces/{ws}/sources/{src}/items", [&](http::Request& req) {
    if (auto status = busy(++requests)) {
      http::Response res = json_reply(
          *status, json::object{{"error", json::object{{"code", "unavailable"}, {"message", "the server is busy"}}}});
      res.headers.set("Retry-After", "1");
      return res;
    }
    ingest::OutboundRequest out;
    out.method = "POST";
    out.url = api().base() + req.target;
    out.headers.set("authorization", req.headers.get("authorization").value_or(""));
    out.headers.set("content-type", req.headers.get("content-type").value_or(""));
    out.body = req.body;
    auto answer = upstream.send(out);
    http::Response res;
    res.status = answer ? answer->status : 502;
    res.body = answer ? answer->body : "";
    return res;
  });
  proxy.start();
  auto file_of = [&](const std::string& name, const std::string& prefix, int n) {
    auto file = dir_ / name;
    std::ofstream out(file, std::ios::binary);
    for (int i = 1; i <= n; ++i)
      out << json::serialize(json::object{{"id", prefix + std::to_string(i)},
                                          {"text", "Export number " + std::to_string(i) + " times out."}})
          << "\n";
    return file;
  };
  auto import = [&](const std::filesystem::path& file, const std::string& extra) {
    return run(std::string(CHORUS_BINARY) + " import --server " + proxy.base_url() + " --key " + key_ +
               " --workspace " + ws_ + " --source " + src + " " + extra + " " + file.string());
  };
  auto stored = [&] {
    return num(api().get("/v1/workspaces/" + ws_ + "/sources/" + src, key_).body, "status.items_total");
  };

  // The second request gets a 503 and its retry a 429; the third try is forwarded.
  busy = [](int k) -> std::optional<int> {
    if (k == 2) return 503;
    if (k == 3) return 429;
    return std::nullopt;
  };
  auto waited = import(file_of("a.jsonl", "A-", 2000), "--batch 500");
  ASSERT_EQ(waited.status, 0) << waited.output;
  EXPECT_NE(waited.output.find("sending the batch from line 501 again in 1 s"), std::string::npos) << waited.output;
  EXPECT_NE(waited.output.find("Imported 2000 items"), std::string::npos) << waited.output;
  EXPECT_EQ(requests, 6);
  EXPECT_TRUE(eventually([&] { return stored() == 2000; })) << stored();

  // Busy from the second request on, for longer than the import waits.
  requests = 0;
  busy = [](int k) -> std::optional<int> { return k >= 2 ? std::optional<int>(503) : std::nullopt; };
  auto file = file_of("b.jsonl", "B-", 1000);
  auto stopped = import(file, "--batch 250 --retry-for 2");
  EXPECT_EQ(stopped.status, 1) << stopped.output;
  EXPECT_NE(stopped.output.find("the server refused the batch of lines 251-500: the server is busy; 250 items were "
                                "imported before it; to go on from there, run the same command with --from-line 251"),
            std::string::npos)
      << stopped.output;
  EXPECT_TRUE(eventually([&] { return stored() == 2250; })) << stored();

  busy = [](int) -> std::optional<int> { return std::nullopt; };
  auto resumed = import(file, "--batch 250 --from-line 251");
  ASSERT_EQ(resumed.status, 0) << resumed.output;
  EXPECT_NE(resumed.output.find("Imported 750 items from line 251"), std::string::npos) << resumed.output;
  EXPECT_TRUE(eventually([&] { return stored() == 3000; })) << stored();  // records, each counted once
}

// A CSV row that cannot be read stops the import with the data row to go on from: the rows sent before it are
// stored, those of the batch being filled are not, and --from-line picks up from there once the row is fixed.
TEST_F(PushFlow, ABadCsvRowStopsTheImportWithTheRowToGoOnFrom) {
  std::string src = add_source(json::object{
      {"type", "csv"}, {"config", json::object{{"fields", json::object{{"id", "id"}, {"text", "text"}}}}}});
  auto file = dir_ / "ragged.csv";
  auto write = [&](bool ragged) {
    std::ofstream(file, std::ios::binary)
        << "id,text\nrg1,one\nrg2,two\nrg3,three\nrg4,four" << (ragged ? ",extra" : "") << "\nrg5,five\n";
  };
  auto import = [&](const std::string& extra) {
    return run(std::string(CHORUS_BINARY) + " import --server " + api().base() + " --key " + key_ + " --workspace " +
               ws_ + " --source " + src + " --batch 2 " + extra + " " + file.string());
  };
  write(true);
  auto stopped = import("");
  EXPECT_EQ(stopped.status, 1) << stopped.output;
  EXPECT_NE(stopped.output.find("2 items were imported before it; once it is fixed, run the same command with "
                                "--from-line 3 (rows counted after the header)"),
            std::string::npos)
      << stopped.output;
  ASSERT_TRUE(count_becomes(2, src));
  write(false);
  // The workspace, source and key from the environment, as every flag may come.
  auto resumed = run("CHORUS_WORKSPACE=" + ws_ + " CHORUS_SOURCE=" + src + " CHORUS_API_KEY=" + key_ + " " +
                     std::string(CHORUS_BINARY) + " import --server " + api().base() + " --batch 2 --from-line 3 " +
                     file.string());
  ASSERT_EQ(resumed.status, 0) << resumed.output;
  EXPECT_NE(resumed.output.find("Imported 3 items from line 3"), std::string::npos) << resumed.output;
  EXPECT_TRUE(count_becomes(5, src));
}

// The server counts a request's items; the import names the file's line, blank lines and all.
TEST_F(PushFlow, ARefusedItemIsNamedByItsLineInTheFile) {
  std::string src = add_source(json::object{
      {"type", "jsonl"}, {"config", json::object{{"fields", json::object{{"id", "id"}, {"text", "text"}}}}}});
  auto file = dir_ / "bad-line.jsonl";
  {
    std::ofstream out(file, std::ios::binary);
    for (int i = 1; i <= 10; ++i) {
      if (i == 3)
        out << "\n";  // blank: not an item
      else if (i == 9)
        out << R"({"id":"b9","text":99})"
            << "\n";
      else
        out << R"({"id":"b)" << i << R"(","text":"fine"})"
            << "\n";
    }
  }
  auto result = run(std::string(CHORUS_BINARY) + " import --server " + api().base() + " --key " + key_ +
                    " --workspace " + ws_ + " --source " + src + " --batch 3 " + file.string());
  EXPECT_EQ(result.status, 1) << result.output;
  EXPECT_NE(result.output.find("the server refused line 9: the text at \"text\" must be a string (got 99); 6 items "
                               "were imported before it; once it is fixed, run the same command with --from-line 8"),
            std::string::npos)
      << result.output;
  EXPECT_TRUE(count_becomes(6, src));  // the two requests before it
}

// Files chorus import cannot read as lines of items are refused in words that say how to convert them, and
// nothing of them is stored: lines ended by CR alone, and a JSON array, on one line or spread over many.
TEST_F(PushFlow, FilesOfCrLinesOrJsonArraysAreRefusedWithHowToConvertThem) {
  std::string src = add_source(json::object{
      {"type", "jsonl"}, {"config", json::object{{"fields", json::object{{"id", "id"}, {"text", "text"}}}}}});
  std::string csv_src = add_source(json::object{
      {"type", "csv"}, {"config", json::object{{"fields", json::object{{"id", "id"}, {"text", "text"}}}}}});
  auto import = [&](const std::string& source, const std::filesystem::path& file, const std::string& env = "") {
    return run(env + std::string(CHORUS_BINARY) + " import --server " + api().base() + " --key " + key_ +
               " --workspace " + ws_ + " --source " + source + " " + file.string());
  };
  auto cr_csv = dir_ / "cr.csv";
  std::ofstream(cr_csv, std::ios::binary) << "id,text\rc1,one\rc2,two\r";
  auto r = import(csv_src, cr_csv);
  EXPECT_EQ(r.status, 1) << r.output;
  EXPECT_NE(r.output.find("its lines end in a carriage return alone (CR), not a line feed; convert them first"),
            std::string::npos)
      << r.output;
  // Two items, each line ended by `end`.
  auto two_items = [&](const std::filesystem::path& file, const std::string& prefix, const std::string& end) {
    std::ofstream(file, std::ios::binary) << R"({"id":")" << prefix << R"(1","text":"one"})" << end << R"({"id":")"
                                          << prefix << R"(2","text":"two"})" << end;
  };
  auto cr_jsonl = dir_ / "cr.jsonl";
  two_items(cr_jsonl, "c", "\r");
  r = import(src, cr_jsonl);
  EXPECT_EQ(r.status, 1) << r.output;
  EXPECT_NE(r.output.find("carriage return alone"), std::string::npos) << r.output;
  // CRLF is a line end like any other.
  auto crlf = dir_ / "crlf.jsonl";
  two_items(crlf, "d", "\r\n");
  r = import(src, crlf);
  EXPECT_EQ(r.status, 0) << r.output;
  EXPECT_TRUE(count_becomes(2, src));

  auto array = dir_ / "array.jsonl";
  std::ofstream(array, std::ios::binary) << R"({"id":"e1","text":"one"})"
                                         << "\n"
                                         << R"([{"id":"e2","text":"two"},{"id":"e3","text":"three"}])"
                                         << "\n";
  r = import(src, array);
  EXPECT_EQ(r.status, 1) << r.output;
  EXPECT_NE(r.output.find("line 2 holds a JSON array; chorus import reads JSON lines, one object a line (an array "
                          "file converts with: jq -c '.[]' FILE > FILE.jsonl); 0 items were imported before it; once "
                          "it is fixed, run the same command with --from-line 1"),
            std::string::npos)
      << r.output;
  auto pretty = dir_ / "pretty.jsonl";
  std::ofstream(pretty, std::ios::binary) << "[\n  {\"id\": \"f1\", \"text\": \"one\"}\n]\n";
  r = import(src, pretty);
  EXPECT_EQ(r.status, 1) << r.output;
  EXPECT_NE(r.output.find("line 1 holds a JSON array"), std::string::npos) << r.output;
  // --from-line also comes from CHORUS_IMPORT_FROM_LINE: the array's line fixed, the import goes on from line 2.
  std::ofstream(array, std::ios::binary) << R"({"id":"e1","text":"one"})"
                                         << "\n"
                                         << R"({"id":"e2","text":"two"})"
                                         << "\n"
                                         << R"({"id":"e3","text":"three"})"
                                         << "\n";
  r = import(src, array, "CHORUS_IMPORT_FROM_LINE=2 ");
  EXPECT_EQ(r.status, 0) << r.output;
  EXPECT_NE(r.output.find("Imported 2 items from line 2"), std::string::npos) << r.output;
  EXPECT_TRUE(count_becomes(4, src));  // d1, d2, e2, e3: nothing of the refused files
}

// Text that is not UTF-8 (a spreadsheet saved as Windows-1252) stops the import at its row with how to convert
// the file, not as "malformed JSON" from the server; nothing of the unsent batch is stored.
TEST_F(PushFlow, TextThatIsNotUtf8IsNamedByItsRowWithHowToConvertIt) {
  std::string csv_src = add_source(json::object{
      {"type", "csv"}, {"config", json::object{{"fields", json::object{{"id", "id"}, {"text", "text"}}}}}});
  std::string src = add_source(json::object{
      {"type", "jsonl"}, {"config", json::object{{"fields", json::object{{"id", "id"}, {"text", "text"}}}}}});
  auto import = [&](const std::string& source, const std::filesystem::path& file) {
    return run(std::string(CHORUS_BINARY) + " import --server " + api().base() + " --key " + key_ + " --workspace " +
               ws_ + " --source " + source + " --batch 2 " + file.string());
  };
  auto csv = dir_ / "latin1.csv";
  std::ofstream(csv, std::ios::binary) << "id,text\nu1,fine\nu2,fine too\nu3,caf\xE9 au lait\nu4,fine\n";
  auto r = import(csv_src, csv);
  EXPECT_EQ(r.status, 1) << r.output;
  EXPECT_NE(r.output.find("row 3, column \"text\" is not UTF-8 text (byte 0xE9 at offset 3); convert the file "
                          "first, for example: iconv -f WINDOWS-1252 -t UTF-8 "),
            std::string::npos)
      << r.output;
  EXPECT_NE(r.output.find("2 items were imported before it; then run the same command with --from-line 3 (rows "
                          "counted after the header)"),
            std::string::npos)
      << r.output;
  EXPECT_TRUE(count_becomes(2, csv_src));
  auto jsonl = dir_ / "latin1.jsonl";
  std::ofstream(jsonl, std::ios::binary) << R"({"id":"v1","text":"caf)"
                                         << "\xE9"
                                         << R"("})"
                                         << "\n";
  r = import(src, jsonl);
  EXPECT_EQ(r.status, 1) << r.output;
  EXPECT_NE(r.output.find("line 1 is not UTF-8 text (byte 0xE9 at offset 22)"), std::string::npos) << r.output;
  expect_still(0, src);
}

// Client commands read their flags from a --config file too, below the command line and the environment.
TEST_F(PushFlow, ClientCommandsTakeTheirFlagsFromAConfigFile) {
  std::string src = add_source(json::object{
      {"type", "jsonl"}, {"config", json::object{{"fields", json::object{{"id", "id"}, {"text", "text"}}}}}});
  auto file = dir_ / "configured.jsonl";
  std::ofstream(file, std::ios::binary) << R"({"id":"k1","text":"one"})"
                                        << "\n"
                                        << R"({"id":"k2","text":"two"})"
                                        << "\n";
  auto config = dir_ / "client.toml";
  std::ofstream(config) << "server = \"" << api().base() << "\"\nkey = \"" << key_ << "\"\nworkspace = \"" << ws_
                        << "\"\nsource = " << src << "\nbatch = 1\n";
  auto r = run(std::string(CHORUS_BINARY) + " import --config " + config.string() + " " + file.string());
  ASSERT_EQ(r.status, 0) << r.output;
  EXPECT_NE(r.output.find("Imported 2 items into source " + src), std::string::npos) << r.output;
  EXPECT_TRUE(count_becomes(2, src));
  // The environment wins over the file: a source that does not exist is refused.
  r = run("CHORUS_SOURCE=987654 " + std::string(CHORUS_BINARY) + " import --config " + config.string() + " " +
          file.string());
  EXPECT_EQ(r.status, 1) << r.output;
  // A key the command has no flag for is bad usage, naming the keys it has.
  std::ofstream(config, std::ios::app) << "listen = \"0.0.0.0:1\"\n";
  r = run(std::string(CHORUS_BINARY) + " import --config " + config.string() + " " + file.string());
  EXPECT_EQ(r.status, 2) << r.output;
  EXPECT_NE(r.output.find("unknown key 'listen'; keys are the flags of `chorus import` without the dashes: workspace, "
                          "source, server, key, batch, from-line, retry-for"),
            std::string::npos)
      << r.output;
  // Without a workspace from anywhere, the import says where one may come from.
  r = run(std::string(CHORUS_BINARY) + " import --server " + api().base() + " --key " + key_ + " --source " + src +
          " " + file.string());
  EXPECT_EQ(r.status, 2) << r.output;
  EXPECT_NE(r.output.find("--workspace is required: pass it, set CHORUS_WORKSPACE or put workspace in the --config "
                          "file"),
            std::string::npos)
      << r.output;
  // Another client command reads the same keys.
  auto report_config = dir_ / "report.toml";
  std::ofstream(report_config) << "server = \"" << api().base() << "\"\nkey = \"" << key_ << "\"\njson = true\n";
  r = run(std::string(CHORUS_BINARY) + " report " + ws_ + " --config " + report_config.string());
  EXPECT_EQ(r.status, 0) << r.output;
  EXPECT_NE(r.output.find("\"insights\""), std::string::npos) << r.output;
}

// A server address that carries a user name and password is never printed with them.
TEST_F(PushFlow, AnUnreachableServerIsNamedWithoutItsPassword) {
  auto file = dir_ / "one.jsonl";
  std::ofstream(file, std::ios::binary) << R"({"id":"1","text":"hello"})"
                                        << "\n";
  auto result = run(std::string(CHORUS_BINARY) + " import --server http://ann:s3cretpw@127.0.0.1:1 --key " + key_ +
                    " --workspace " + ws_ + " --source 1 " + file.string());
  EXPECT_EQ(result.status, 1) << result.output;
  EXPECT_NE(result.output.find("cannot reach http://127.0.0.1:1"), std::string::npos) << result.output;
  EXPECT_EQ(result.output.find("s3cretpw"), std::string::npos) << result.output;
}

TEST_F(PushFlow, SignedStandardWebhookIsStoredOnceAndForgeriesAreRefused) {
  std::string src = survey_source(json::object{{"scheme", "standard"}, {"secret", kStandardSecret}});
  auto source = api().get("/v1/workspaces/" + ws_ + "/sources/" + src, key_);
  EXPECT_EQ(str(source.body, "webhook_url"), "/v1/hooks/" + src);
  EXPECT_EQ(source.raw.find(kStandardSecret), std::string::npos) << "the secret is never returned";

  std::string body = R"({"id":"w-1","answers":{"comment":"The checkout button does nothing on Safari.","score":2}})";
  // Unsigned, signed with another key, signed over other bytes, and replayed long after: all 401.
  EXPECT_EQ(hook(src, body, http::Headers{}).status, 401);
  std::string other = "whsec_" + base64_encode("another-key-for-signing!");
  auto forged = hook(src, body, standard_headers(body, "msg_1", now_ms(), other));
  EXPECT_EQ(forged.status, 401);
  EXPECT_EQ(str(forged.body, "error.code"), "unauthorized");
  EXPECT_EQ(hook(src, body + " ", standard_headers(body, "msg_1")).status, 401);
  auto late = hook(src, body, standard_headers(body, "msg_1", now_ms() - 10 * 60 * 1000));
  EXPECT_EQ(late.status, 401);
  EXPECT_NE(str(late.body, "error.message").find("tolerance"), std::string::npos) << late.raw;
  expect_still(0);

  // Delivered, then retried by the sender: one record.
  auto ok = hook(src, body, standard_headers(body, "msg_1"));
  EXPECT_EQ(ok.status, 202) << ok.raw;
  EXPECT_EQ(hook(src, body, standard_headers(body, "msg_1")).status, 202);
  ASSERT_TRUE(count_becomes(1));
  json::value r = record("w-1");
  EXPECT_EQ(str(r, "conversation_attributes.text"), "The checkout button does nothing on Safari.");
  EXPECT_EQ(num(r, "review_attributes.rating"), 2);

  // A batch in an envelope.
  std::string batch = R"({"type":"feedback.batch","items":[{"id":"w-2","answers":{"comment":"Fast delivery, thanks!"}},
                           {"id":"w-3","answers":{"comment":"Box arrived damaged."}}]})";
  EXPECT_EQ(hook(src, batch, standard_headers(batch, "msg_2")).status, 202);
  ASSERT_TRUE(count_becomes(3));
  expect_still(3);
}

TEST_F(PushFlow, TokenWebhookIsStoredOnceAndWrongTokensAreRefused) {
  std::string src =
      add_source(json::object{{"type", "csv"},
                              {"name", "Form builder"},
                              {"config", json::object{{"fields", json::object{{"id", "entry"}, {"text", "message"}}}}},
                              {"webhook", json::object{{"scheme", "token"}, {"secret", kToken}}}});
  std::string body = R"([{"entry":"f-1","message":"Please add a dark theme to the form."}])";
  http::Headers none;
  EXPECT_EQ(hook(src, body, none).status, 401);
  http::Headers wrong;
  wrong.set("X-Webhook-Token", "tok_guess");
  EXPECT_EQ(hook(src, body, wrong).status, 401);
  expect_still(0);
  http::Headers right;
  right.set("X-Webhook-Token", kToken);
  // A signed body that is no object or array is refused at once, not accepted for the dead letters.
  for (const char* not_items : {"42", "\"text\"", "null", "true"}) {
    auto r = hook(src, not_items, right);
    EXPECT_EQ(r.status, 400) << not_items << ": " << r.raw;
    EXPECT_NE(r.raw.find("JSON object or an array"), std::string::npos) << r.raw;
  }
  EXPECT_EQ(hook(src, body, right).status, 202);
  EXPECT_EQ(hook(src, body, right).status, 202);
  ASSERT_TRUE(count_becomes(1));
  expect_still(1);
  EXPECT_EQ(str(record("f-1"), "core_attributes.source_info"), "CsvRow");
}

}  // namespace
}  // namespace chorus::testing
