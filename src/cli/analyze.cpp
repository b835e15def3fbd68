// chorus analyze: the NLP pipeline over stdin, one JSON result line per input line, in order.
#include <algorithm>
#include <cstdio>
#include <iostream>
#include <string>
#include <thread>
#include <vector>

#include "cli/commands.hpp"
#include "nlp/analyze.hpp"

namespace chorus::cli {

namespace {

constexpr std::size_t kChunk = 4096;               // lines analysed together, split across the cores
constexpr std::size_t kChunkBytes = 32u << 20;     // ... or fewer, when the lines are long

int analyze(nlp::AnalyzeOptions options, unsigned threads) {
  std::ios::sync_with_stdio(false);
  if (threads == 0) threads = std::max(1u, std::thread::hardware_concurrency());
  std::vector<std::string> lines, results;
  lines.reserve(kChunk);
  std::size_t line_no = 0;
  auto flush = [&] {
    results.assign(lines.size(), {});
    std::vector<std::thread> pool;
    std::size_t per = (lines.size() + threads - 1) / threads;
    for (unsigned t = 0; t < threads && t * per < lines.size(); ++t)
      pool.emplace_back([&, t] {
        for (std::size_t i = t * per; i < std::min(lines.size(), (t + 1) * per); ++i)
          results[i] = nlp::analyze_line(lines[i], options, line_no + i + 1);
      });
    for (auto& th : pool) th.join();
    for (const auto& r : results) {
      std::fwrite(r.data(), 1, r.size(), stdout);
      std::fputc('\n', stdout);
    }
    line_no += lines.size();
    lines.clear();
  };
  std::string line;
  std::size_t bytes = 0;
  while (std::getline(std::cin, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    bytes += line.size();
    lines.push_back(std::move(line));
    if (lines.size() == kChunk || bytes >= kChunkBytes) {
      flush();
      bytes = 0;
    }
  }
  if (!lines.empty()) flush();
  std::fflush(stdout);
  return 0;
}

}  // namespace

void add_analyze(CLI::App& app, Commands& commands) {
  auto* cmd = app.add_subcommand("analyze", "Run the NLP pipeline on stdin, one JSON result per line");
  auto jsonl = std::make_shared<bool>(false);
  auto threads = std::make_shared<unsigned>(0);
  auto explain = std::make_shared<bool>(false);
  cmd->add_flag("--jsonl", *jsonl, "Each input line is a JSON object with a \"text\" field");
  cmd->add_flag("--explain", *explain, "Add the near-duplicate fingerprint and the category model's features");
  cmd->add_option("--threads", *threads, "Worker threads (default: one per core)");
  cmd->footer("\nExamples:\n  echo 'Sync is broken again!' | chorus analyze\n"
              "  chorus analyze --jsonl < feedback.jsonl > analysed.jsonl");
  cmd->callback([jsonl, explain, threads, &commands] {
    commands.exit_code = analyze(nlp::AnalyzeOptions{*jsonl, *explain}, *threads);
  });
}

}  // namespace chorus::cli
