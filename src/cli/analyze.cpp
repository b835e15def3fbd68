// chorus analyze: the NLP pipeline over stdin, one JSON result line per input line, in order.
#include <algorithm>
#include <condition_variable>
#include <deque>
#include <cstdio>
#include <iostream>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "cli/commands.hpp"
#include "nlp/analyze.hpp"
#include "nlp/stage.hpp"

namespace chorus::cli {

namespace {

constexpr std::size_t kChunkLines = 512;          // lines handed to a worker at a time
constexpr std::size_t kChunkBytes = 8u << 20;     // ... or fewer, when the lines are long
constexpr std::size_t kChunksPerWorker = 4;       // read-ahead: chunks waiting or in work per worker

struct Chunk {
  std::size_t first_line = 0;  // 0-based number of its first line
  std::vector<std::string> lines;
  std::vector<std::string> results;
  bool done = false;
};

// Workers analyse chunks while this thread reads the next ones and writes finished ones in input order, so
// reading, analysing and writing overlap and the workers live for the whole run.
int analyze(nlp::AnalyzeOptions options, unsigned threads) {
  std::ios::sync_with_stdio(false);
  // Results run to hundreds of bytes a line: a large buffer writes them in a few hundred system calls
  // instead of one per 4 KiB (set before the first write, as setvbuf requires).
  static char out_buffer[1 << 20];
  std::setvbuf(stdout, out_buffer, _IOFBF, sizeof out_buffer);
  if (threads == 0) threads = std::max(1u, std::thread::hardware_concurrency());
  std::mutex mu;
  std::condition_variable work_ready, chunk_done;
  std::deque<std::shared_ptr<Chunk>> in_flight;  // in input order, oldest first
  std::deque<std::shared_ptr<Chunk>> queue;      // not yet taken by a worker
  bool input_over = false;

  std::vector<std::thread> workers;
  for (unsigned t = 0; t < threads; ++t)
    workers.emplace_back([&] {
      nlp::Pipeline::prepare();
      for (;;) {
        std::shared_ptr<Chunk> chunk;
        {
          std::unique_lock lock(mu);
          work_ready.wait(lock, [&] { return !queue.empty() || input_over; });
          if (queue.empty()) return;
          chunk = std::move(queue.front());
          queue.pop_front();
        }
        chunk->results.resize(chunk->lines.size());
        for (std::size_t i = 0; i < chunk->lines.size(); ++i)
          chunk->results[i] = nlp::analyze_line(chunk->lines[i], options, chunk->first_line + i + 1);
        {
          std::lock_guard lock(mu);
          chunk->done = true;
        }
        chunk_done.notify_all();
      }
    });

  // Writes the finished chunks at the head of the line; with wait, also waits until `keep` or fewer remain.
  auto write_finished = [&](std::size_t keep) {
    for (;;) {
      std::shared_ptr<Chunk> head;
      {
        std::unique_lock lock(mu);
        if (in_flight.empty()) return;
        if (in_flight.size() > keep) chunk_done.wait(lock, [&] { return in_flight.front()->done; });
        if (!in_flight.front()->done) return;
        head = std::move(in_flight.front());
        in_flight.pop_front();
      }
      for (const auto& r : head->results) {
        std::fwrite(r.data(), 1, r.size(), stdout);
        std::fputc('\n', stdout);
      }
    }
  };

  const std::size_t max_in_flight = kChunksPerWorker * threads;
  std::size_t line_no = 0;
  auto chunk = std::make_shared<Chunk>();
  std::size_t bytes = 0;
  auto submit = [&] {
    chunk->first_line = line_no;
    line_no += chunk->lines.size();
    {
      std::lock_guard lock(mu);
      in_flight.push_back(chunk);
      queue.push_back(chunk);
    }
    work_ready.notify_one();
    chunk = std::make_shared<Chunk>();
    bytes = 0;
    write_finished(max_in_flight - 1);
  };
  std::string line;
  while (std::getline(std::cin, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    bytes += line.size();
    chunk->lines.push_back(std::move(line));
    if (chunk->lines.size() == kChunkLines || bytes >= kChunkBytes) submit();
  }
  if (!chunk->lines.empty()) submit();
  {
    std::lock_guard lock(mu);
    input_over = true;
  }
  work_ready.notify_all();
  write_finished(0);
  for (auto& w : workers) w.join();
  // A read that failed is not the end of the input (stdin a directory, an I/O error).
  if (std::cin.bad()) return fail("could not read the input; pass the texts on standard input, one a line");
  std::fflush(stdout);
  return 0;
}

}  // namespace

void add_analyze(CLI::App& app, Commands& commands) {
  auto* cmd = app.add_subcommand("analyze", "Run the NLP pipeline on stdin, one JSON result per line");
  auto jsonl = std::make_shared<bool>(false);
  auto threads = std::make_shared<unsigned>(0);
  auto explain = std::make_shared<bool>(false);
  cmd->add_flag("--jsonl", *jsonl, "Each input line is a JSON object with a \"text\" field")
      ->envname("CHORUS_ANALYZE_JSONL");
  cmd->add_flag("--explain", *explain, "Add the near-duplicate fingerprint and the features the models read")
      ->envname("CHORUS_ANALYZE_EXPLAIN");
  cmd->add_option("--threads", *threads, "Worker threads (default: one per core)")->envname("CHORUS_ANALYZE_THREADS");
  cmd->footer("\nExamples:\n  echo 'Sync is broken again!' | chorus analyze\n"
              "  chorus analyze --jsonl < feedback.jsonl > analysed.jsonl");
  cmd->callback([jsonl, explain, threads, &commands] {
    commands.exit_code = analyze(nlp::AnalyzeOptions{*jsonl, *explain}, *threads);
  });
}

}  // namespace chorus::cli
