// chorus import: bulk-load a JSON lines or CSV file into a source through the HTTP API, with a
// progress bar, in batches the server accepts atomically.
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <functional>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "cli/api_client.hpp"
#include "cli/commands.hpp"
#include "core/json.hpp"
#include "ingest/csv_reader.hpp"
#include "nlp/utf8.hpp"

namespace chorus::cli {

namespace {

struct ImportOptions {
  ApiOptions api;
  std::string workspace, source, file;
  std::size_t batch = 1000;
  std::uint64_t from_line = 1;  // the first line (a CSV's first row after the header) sent
  int retry_for_s = 300;        // how long one request may be sent again while the server is busy or away
};

// Waits between attempts at one request when the server gives no Retry-After: doubling from the first.
constexpr std::chrono::milliseconds kFirstRetryWait{1000};
constexpr std::chrono::milliseconds kLongestRetryWait{30000};

// The most a request carries, under the 8 MiB a server takes by default (`body_limit`).
constexpr std::size_t kBatchBytes = 4 * 1024 * 1024;

class ProgressBar {
 public:
  explicit ProgressBar(std::uint64_t total) : total_(total), tty_(isatty(STDERR_FILENO) != 0) {}

  void update(std::uint64_t done_bytes, std::uint64_t items) {
    if (!tty_) return;
    double secs = elapsed();
    double frac = total_ ? static_cast<double>(done_bytes) / static_cast<double>(total_) : 1.0;
    int width = 30, filled = static_cast<int>(frac * width);
    double rate = secs > 0 ? static_cast<double>(items) / secs : 0;
    double eta = frac > 0 ? secs / frac - secs : 0;
    std::fprintf(stderr, "\r[%.*s%*s] %3.0f%%  %llu items  %.0f items/s  ETA %.0fs ", filled,
                 "==============================", width - filled, "", frac * 100,
                 static_cast<unsigned long long>(items), rate, eta);
    std::fflush(stderr);
    drawn_ = true;
  }
  // Ends the bar's line, so a message can be printed under it; the next update draws it again.
  void interrupt() {
    if (tty_ && drawn_) std::fputc('\n', stderr);
    drawn_ = false;
  }
  void finish() { interrupt(); }
  double elapsed() const { return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count(); }

 private:
  std::uint64_t total_;
  bool tty_;
  bool drawn_ = false;  // the bar is on the terminal's current line
  std::chrono::steady_clock::time_point start_ = std::chrono::steady_clock::now();
};

// The server counts a request's items from 0 ("item 7: ...") and its lines from 1 ("line 2: malformed JSON"); the
// request holds one item a line, the file's non-blank lines `lines` in order. Names the file's line when the
// message says which, else the request's range.
std::string where_in_file(const std::string& message, std::span<const std::uint64_t> lines) {
  for (const auto& [prefix, first] : {std::pair<std::string_view, std::size_t>{"item ", 0}, {"line ", 1}}) {
    if (!std::string_view(message).starts_with(prefix)) continue;
    std::size_t n = 0;
    const char* begin = message.data() + prefix.size();
    auto [end, ec] = std::from_chars(begin, message.data() + message.size(), n);
    if (ec != std::errc() || end == begin || std::string_view(end).substr(0, 2) != ": " || n < first ||
        n - first >= lines.size())
      break;
    return "line " + std::to_string(lines[n - first]) + ": " + std::string(end + 2);
  }
  return "the batch of lines " + std::to_string(lines.front()) + "-" + std::to_string(lines.back()) + ": " + message;
}

int run_import(const ImportOptions& o) {
  struct Required {
    const char* flag;
    const char* variable;
    const std::string& value;
  };
  for (const Required& r :
       {Required{"workspace", "CHORUS_WORKSPACE", o.workspace}, Required{"source", "CHORUS_SOURCE", o.source}})
    if (r.value.empty())
      return fail(std::string("--") + r.flag + " is required: pass it, set " + r.variable + " or put " + r.flag +
                      " in the --config file",
                  2);
  if (o.api.key.empty()) return fail("no API key: pass --key or set CHORUS_API_KEY", 2);
  std::ifstream in(o.file, std::ios::binary);
  if (!in) return fail("cannot open " + o.file);
  in.seekg(0, std::ios::end);
  auto total = static_cast<std::uint64_t>(in.tellg());
  in.seekg(0);
  bool csv = o.file.size() >= 4 && o.file.compare(o.file.size() - 4, 4, ".csv") == 0;
  {
    // Lines that end in a carriage return alone (old Mac files, some spreadsheet exports) would read as one
    // line: say so and how to convert, rather than import one item or none.
    std::string head(64 * 1024, '\0');
    in.read(head.data(), static_cast<std::streamsize>(head.size()));
    head.resize(static_cast<std::size_t>(in.gcount()));
    in.clear();
    in.seekg(0);
    if (head.find('\r') != std::string::npos && head.find('\n') == std::string::npos)
      return fail(o.file +
                  ": its lines end in a carriage return alone (CR), not a line feed; convert them first, "
                  "for example: tr '\\r' '\\n' < " +
                  o.file + " > converted" + (csv ? ".csv" : ".jsonl"));
  }

  ApiClient client(o.api);
  const std::string path = "/v1/workspaces/" + url_encode(o.workspace) + "/sources/" + url_encode(o.source) + "/items";

  ProgressBar bar(total);
  std::uint64_t sent = 0, line_no = 0;
  std::map<std::string, std::int64_t> skipped;  // by reason, as the server answers each batch
  std::string body;
  std::vector<std::uint64_t> lines_of_batch;  // the file's line (a CSV's row) each item of `body` came from
  std::optional<ingest::CsvReader> reader;
  if (csv) {
    reader.emplace(in);
    if (auto h = reader->read_header(); !h) return fail(o.file + ": " + h.error().message);
  }
  // One request, sent again while the server asks for time (503, 429) or, once the import is under way, cannot
  // be reached (a restart): after its Retry-After, else after 1, 2, 4 ... 30 s, for at most --retry-for
  // seconds. A request the server refused stored nothing, and one that was lost on the way stored it once: an
  // item sent twice updates its record.
  auto send_with_retries = [&](std::string_view items, std::span<const std::uint64_t> lines) {
    using std::chrono::milliseconds;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(o.retry_for_s);
    milliseconds backoff = kFirstRetryWait;
    for (;;) {
      auto r = client.call("POST", path, std::string(items), "application/x-ndjson", milliseconds(120000));
      if (r) return r;
      const ErrorCode code = r.error().code;
      const bool transient = code == ErrorCode::unavailable || code == ErrorCode::rate_limited ||
                             (code == ErrorCode::upstream && sent > 0);
      if (!transient) return r;
      const milliseconds wait =
          std::clamp(client.retry_after().value_or(backoff), milliseconds(100), milliseconds(60000));
      if (std::chrono::steady_clock::now() + wait > deadline) return r;
      bar.interrupt();
      std::fprintf(stderr, "%s; sending the batch from line %llu again in %.0f s\n", r.error().message.c_str(),
                   static_cast<unsigned long long>(lines.front()),
                   std::max(1.0, std::chrono::duration<double>(wait).count()));
      std::this_thread::sleep_for(wait);
      backoff = std::min(backoff * 2, kLongestRetryWait);
    }
  };
  // Posts `items` (JSON lines, each ending in '\n'), read from the file's `lines`. A batch the server refuses as
  // too large (413: its body limit, which this side cannot know, or its item cap) stored nothing, so it is sent
  // again as two halves, down to a single item.
  std::function<bool(std::string_view, std::span<const std::uint64_t>)> post =
      [&](std::string_view items, std::span<const std::uint64_t> lines) -> bool {
    auto r = send_with_retries(items, lines);
    if (!r && r.error().code == ErrorCode::too_large && lines.size() > 1) {
      const std::size_t half = lines.size() / 2;
      std::size_t at = 0;
      for (std::size_t k = 0; k < half; ++k) at = items.find('\n', at) + 1;
      return post(items.substr(0, at), lines.first(half)) && post(items.substr(at), lines.subspan(half));
    }
    if (!r) {
      bar.finish();
      // Every batch before this one is stored, so the import can go on from this batch's first line.
      const std::string resume =
          "; to go on from there, run the same command with --from-line " + std::to_string(lines.front());
      const std::string before = "; " + std::to_string(sent) + " items were imported before it";
      if (r.error().code == ErrorCode::upstream)
        fail(r.error().message + (sent > 0 ? before + resume : ""));
      else if (r.error().code == ErrorCode::too_large)
        fail("the item at line " + std::to_string(lines.front()) +
             " is larger than the server accepts: " + r.error().message + before +
             "; shorten or remove it, then run the same command with --from-line " + std::to_string(lines.front()));
      else {
        const std::string where = where_in_file(r.error().message, lines);
        fail("the server refused " + where + before +
             (where.starts_with("line ") ? "; once it is fixed, run the same command with --from-line " +
                                               std::to_string(lines.front()) + ", where the request it was in began"
                                         : resume));
      }
      return false;
    }
    sent += lines.size();
    if (const json::value* reasons = find_path(*r, "skipped_reasons"); reasons && reasons->is_object())
      for (const auto& kv : reasons->get_object())
        if (auto n = get_int(*reasons, kv.key())) skipped[std::string(kv.key())] += *n;
    bar.update(static_cast<std::uint64_t>(in.tellg() < 0 ? total : static_cast<std::uint64_t>(in.tellg())), sent);
    return true;
  };
  auto send = [&]() -> bool {
    if (lines_of_batch.empty()) return true;
    const bool ok = post(body, lines_of_batch);
    body.clear();
    lines_of_batch.clear();
    return ok;
  };
  // A part of the file that cannot be sent stops the import. The lines of the batch being filled were not sent,
  // so it goes on from the first of them, or from `here` when the batch is empty.
  auto stop_in_file = [&](const std::string& what, std::uint64_t here, std::string_view then) {
    bar.finish();
    const std::uint64_t resume = lines_of_batch.empty() ? here : lines_of_batch.front();
    return fail(o.file + ": " + what + "; " + std::to_string(sent) + " items were imported before it; " +
                std::string(then) + "run the same command with --from-line " + std::to_string(resume) +
                (csv ? " (rows counted after the header)" : ""));
  };
  // Text that is not UTF-8 (a file saved as Windows-1252 or Latin-1) stops the import with how to convert it;
  // the server would refuse it as malformed JSON, or keep it with the characters lost.
  auto not_utf8 = [&](const std::string& where, std::string_view text, std::size_t at) {
    char byte[8];
    std::snprintf(byte, sizeof byte, "0x%02X", static_cast<unsigned char>(text[at]));
    return stop_in_file(where + " is not UTF-8 text (byte " + byte + " at offset " + std::to_string(at) +
                            "); convert the file first, for example: iconv -f WINDOWS-1252 -t UTF-8 " + o.file +
                            " > converted" + (csv ? ".csv" : ".jsonl"),
                        line_no, "then ");
  };
  std::string line;
  while (true) {
    if (csv) {
      auto row = reader->next();
      if (!row) return stop_in_file(row.error().message, line_no + 1, "once it is fixed, ");
      if (!*row) break;
      if (++line_no < o.from_line) continue;
      for (const auto& field : **row)
        if (field.value().is_string())
          if (const std::size_t at = nlp::first_invalid_utf8(field.value().get_string()); at != std::string::npos)
            return not_utf8("row " + std::to_string(line_no) + ", column \"" + std::string(field.key()) + "\"",
                            field.value().get_string(), at);
      body += to_json_string(**row);
    } else {
      if (!std::getline(in, line)) break;
      if (++line_no < o.from_line) continue;
      const std::size_t first = line.find_first_not_of(" \t\r");
      if (first == std::string::npos) continue;
      if (line[first] == '[')  // not a line of items: the server would refuse it whole or take it as one item
        return stop_in_file("line " + std::to_string(line_no) +
                                " holds a JSON array; chorus import reads JSON lines, one object a line (an array "
                                "file converts with: jq -c '.[]' FILE > FILE.jsonl)",
                            line_no, "once it is fixed, ");
      if (const std::size_t at = nlp::first_invalid_utf8(line); at != std::string::npos)
        return not_utf8("line " + std::to_string(line_no), line, at);
      body += line;
    }
    body += '\n';
    lines_of_batch.push_back(line_no);
    // A request ends at --batch items or kBatchBytes, whichever comes first: long items (tickets of kilobytes
    // each) would otherwise make requests past what a server takes.
    if ((lines_of_batch.size() == o.batch || body.size() >= kBatchBytes) && !send()) return 1;
  }
  if (!send()) return 1;
  bar.update(total, sent);
  bar.finish();
  double secs = bar.elapsed();
  const std::string from = o.from_line > 1 ? " from line " + std::to_string(o.from_line) : "";
  std::fprintf(stderr,
               "Imported %llu items%s into source %s in %.1fs (%.0f items/s); they are analysed in the background\n",
               static_cast<unsigned long long>(sent), from.c_str(), o.source.c_str(), secs,
               secs > 0 ? static_cast<double>(sent) / secs : 0.0);
  // Items the source's settings leave out, or with nothing to read once quotes, signatures and markup are
  // gone, never become records: say how many, so the source's count is not a surprise.
  std::int64_t left_out = 0;
  std::string reasons;
  for (const auto& [reason, n] : skipped) {
    left_out += n;
    reasons += (reasons.empty() ? "" : ", ") + reason + " " + std::to_string(n);
  }
  if (left_out > 0)
    std::fprintf(stderr, "%lld of them will not become records (%s)\n", static_cast<long long>(left_out),
                 reasons.c_str());
  return 0;
}

}  // namespace

void add_import(CLI::App& app, Commands& commands) {
  auto* cmd = app.add_subcommand("import", "Bulk-load a JSON lines or CSV file into a source");
  auto o = std::make_shared<ImportOptions>();
  // --workspace and --source are required, but may come from the --config file, which is read after parsing.
  cmd->add_option("--workspace", o->workspace, "Workspace id (required)")->envname("CHORUS_WORKSPACE");
  cmd->add_option("--source", o->source,
                  "Source id, required (a jsonl or csv source, or any type whose items the file holds)")
      ->envname("CHORUS_SOURCE");
  cmd->add_option("file", o->file, "FILE.jsonl or FILE.csv")->required()->check(CLI::ExistingFile);
  add_api_options(*cmd, o->api);
  cmd->add_option("--batch", o->batch,
                  "Items per request (a request also ends at 4 MiB; one the server refuses as too large is sent again "
                  "in halves)")
      ->envname("CHORUS_IMPORT_BATCH")
      ->capture_default_str()
      ->check(CLI::Range(1, 100000));
  cmd->add_option("--from-line", o->from_line,
                  "Start at this line of the file (a CSV's row after the header, as error messages count them): to go "
                  "on after an import stopped")
      ->envname("CHORUS_IMPORT_FROM_LINE")
      ->capture_default_str()
      ->check(
          [](const std::string& v) -> std::string {
            return v.find_first_not_of("0123456789") == std::string::npos &&
                           v.find_first_not_of('0') != std::string::npos
                       ? ""
                       : "must be a line number, 1 or more";
          },
          "LINE");
  cmd->add_option("--retry-for", o->retry_for_s,
                  "Seconds a request is sent again while the server is busy (503, 429, after its Retry-After) or, once "
                  "the import is under way, unreachable")
      ->envname("CHORUS_IMPORT_RETRY_FOR")
      ->capture_default_str()
      ->check(CLI::Range(0, 86400));
  cmd->footer(
      "\nExamples:\n  CHORUS_API_KEY=chk_... chorus import --workspace 1 --source 2 survey.jsonl\n"
      "  chorus import --workspace 1 --source 3 --key chk_... reviews.csv\n"
      "  CHORUS_WORKSPACE=1 CHORUS_SOURCE=3 chorus import reviews.csv   # every flag also from CHORUS_*");
  cmd->callback(
      [cmd, o, &commands] { commands.exit_code = with_config(*cmd, o->api, [&] { return run_import(*o); }); });
}

}  // namespace chorus::cli
