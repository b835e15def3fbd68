// `chorus analyze` as a user runs it: any bytes on stdin (empty lines, invalid UTF-8, megabyte lines, binary
// junk) give exactly one JSON object per input line, in order, and exit status 0 (CONTRACT section 2).
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "core/json.hpp"

namespace chorus::testing {
namespace {

struct CliRun {
  int status = -1;
  std::vector<std::string> lines;
};

// Writes input to a file, runs `chorus analyze <flags> < file`, and splits stdout into lines.
CliRun analyze(const std::string& input, const std::string& flags = "") {
  auto dir = std::filesystem::temp_directory_path();
  auto in = dir / ("chorus-analyze-" + std::to_string(std::random_device{}()) + ".txt");
  std::ofstream(in, std::ios::binary) << input;
  std::string command = std::string(CHORUS_BINARY) + " analyze " + flags + " < " + in.string();
  CliRun run;
  FILE* p = popen(command.c_str(), "r");
  std::string out;
  char buf[65536];
  for (std::size_t n; p && (n = std::fread(buf, 1, sizeof buf, p)) > 0;) out.append(buf, n);
  int status = p ? pclose(p) : -1;
  run.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  std::filesystem::remove(in);
  std::istringstream ss(out);
  for (std::string line; std::getline(ss, line);) run.lines.push_back(line);
  return run;
}

std::size_t count_lines(const std::string& input) {
  std::size_t n = 0;
  for (char c : input) n += c == '\n' ? 1 : 0;
  return n + (!input.empty() && input.back() != '\n' ? 1 : 0);
}

// Every output line is an object that either names an error or carries every field of the contract.
void expect_contract_objects(const std::vector<std::string>& lines) {
  for (std::size_t i = 0; i < lines.size(); ++i) {
    auto v = parse_json(lines[i]);
    ASSERT_TRUE(v && v->is_object()) << "line " << i + 1 << ": " << lines[i].substr(0, 200);
    const auto& o = v->get_object();
    if (o.contains("error")) continue;
    for (const char* field :
         {"language_code", "language", "sentiment_type", "sentiment_compound", "sentiment_score", "category", "themes"})
      EXPECT_TRUE(o.contains(field)) << "line " << i + 1 << " lacks " << field;
    double c = o.at("sentiment_compound").to_number<double>();
    EXPECT_GE(c, -1.0);
    EXPECT_LE(c, 1.0);
    EXPECT_LE(o.at("themes").get_array().size(), 5u);
  }
}

TEST(AnalyzeCli, HostileInputGivesOneAlignedLineEach) {
  std::string input;
  input += "The app crashes every time I open a PDF. Please fix!\n";  // 1
  input += "\n";                                                      // 2: empty
  input += "   \t \n";                                                // 3: blank
  input += "caf\xC3 \xFF\xFE broken \xE2\x82 UTF-8\n";                // 4: invalid UTF-8
  input += std::string(1 << 20, 'a') + " sync is broken\n";           // 5: a megabyte line
  std::mt19937 rng(7);
  std::string junk;
  for (int i = 0; i < 4096; ++i) {
    char c = static_cast<char>(rng() & 0xff);
    junk.push_back(c == '\n' ? ' ' : c);
  }
  input += junk + "\n";                                          // 6: binary junk, NUL bytes included
  input += "<div><p>Love it &amp; <b>thanks</b></p></div>\r\n";  // 7: HTML with CRLF
  input += "I love this app, it is wonderful";                   // 8: no final newline

  CliRun run = analyze(input);
  EXPECT_EQ(run.status, 0);
  ASSERT_EQ(run.lines.size(), count_lines(input));
  expect_contract_objects(run.lines);

  auto line = [&](std::size_t n) { return parse_json(run.lines[n - 1]).value().get_object(); };
  EXPECT_EQ(line(1).at("category"), "bug");
  EXPECT_EQ(line(1).at("sentiment_type"), "negative");
  EXPECT_TRUE(line(2).contains("error"));
  EXPECT_TRUE(line(3).contains("error"));
  EXPECT_FALSE(line(5).contains("error"));
  EXPECT_EQ(line(7).at("sentiment_type"), "positive");
  EXPECT_EQ(line(8).at("sentiment_type"), "positive");
}

TEST(AnalyzeCli, JsonlModeReportsBadLinesInPlace) {
  std::string input =
      "{\"text\":\"Please add a dark mode\"}\n"
      "{not json\n"
      "{\"body\":\"no text field\"}\n"
      "\n"
      "[1,2,3]\n"
      "{\"text\":\"<p>Sync is broken</p>\",\"format\":\"html\"}\n";
  CliRun run = analyze(input, "--jsonl");
  EXPECT_EQ(run.status, 0);
  ASSERT_EQ(run.lines.size(), 6u);
  expect_contract_objects(run.lines);
  for (std::size_t n : {2u, 3u, 4u, 5u}) {
    auto v = parse_json(run.lines[n - 1]).value();
    EXPECT_NE(json::serialize(v).find("line " + std::to_string(n)), std::string::npos) << run.lines[n - 1];
  }
  EXPECT_EQ(parse_json(run.lines[0]).value().at("category"), "feature_request");
  EXPECT_EQ(parse_json(run.lines[5]).value().at("sentiment_type"), "negative");
}

TEST(AnalyzeCli, ManyLinesAcrossThreadsStayInOrder) {
  // More lines than one chunk, numbered so that any reordering shows.
  std::string input;
  const int n = 9000;
  for (int i = 0; i < n; ++i)
    input += (i % 3 == 0 ? "I love it " : (i % 3 == 1 ? "It crashes " : "")) + std::to_string(i) + "\n";
  CliRun run = analyze(input, "--threads 2");
  EXPECT_EQ(run.status, 0);
  ASSERT_EQ(run.lines.size(), static_cast<std::size_t>(n));
  for (int i = 0; i < n; i += 997) {
    auto o = parse_json(run.lines[i]).value().get_object();
    std::string expected = i % 3 == 0 ? "positive" : (i % 3 == 1 ? "negative" : "neutral");
    EXPECT_EQ(json::value_to<std::string>(o.at("sentiment_type")), expected) << "line " << i + 1;
  }
}

// Runs a shell command line; its exit status and what it wrote to stdout.
std::pair<int, std::string> run_shell(const std::string& command) {
  FILE* p = popen(command.c_str(), "r");
  std::string out;
  char buf[4096];
  for (std::size_t n; p && (n = std::fread(buf, 1, sizeof buf, p)) > 0;) out.append(buf, n);
  int status = p ? pclose(p) : -1;
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, out};
}

// Results that cannot be written (a full disk) and input that cannot be read (a directory) fail the command:
// a script that checks the exit status never takes lost output for a finished run.
TEST(AnalyzeCli, OutputThatCannotBeWrittenAndInputThatCannotBeReadFail) {
  const std::string chorus = CHORUS_BINARY;
  auto [full_status, full_out] =
      run_shell("seq 3000 | sed 's/^/the sync fails /' | " + chorus + " analyze 2>&1 >/dev/full");
  EXPECT_EQ(full_status, 1) << full_out;
  EXPECT_NE(full_out.find("could not write the output"), std::string::npos) << full_out;
  auto [dir_status, dir_out] = run_shell(chorus + " analyze 2>&1 < " + std::filesystem::temp_directory_path().string());
  EXPECT_EQ(dir_status, 1) << dir_out;
  EXPECT_NE(dir_out.find("could not read the input"), std::string::npos) << dir_out;
  auto [version_status, version_out] = run_shell(chorus + " version 2>&1 >/dev/full");
  EXPECT_EQ(version_status, 1) << version_out;
}

// `chorus train`'s experiment settings: 0 is a setting (no L2), not "the default"; what cannot be a setting is
// refused before anything trains; and a path it cannot write fails at once, with the reason.
TEST(TrainCli, SettingsAreHonouredOrRefusedAndBadPathsFailFirst) {
  const std::string train = std::string(CHORUS_BINARY) + " train --corpus " +
                            (std::filesystem::path(CHORUS_FIXTURES) / ".." / ".." / "data" / "corpus").string();
  auto out = std::filesystem::temp_directory_path() / ("chorus-train-" + std::to_string(std::random_device{}()));
  auto [status, text] = run_shell(train + " --l2 0 --epochs 2 --out " + (out / "models").string() + " 2>&1");
  ASSERT_EQ(status, 0) << text;
  std::ifstream model(out / "models" / "sentiment.model");
  std::string header((std::istreambuf_iterator<char>(model)), std::istreambuf_iterator<char>());
  EXPECT_NE(header.find("Epochs 2, step 0.5, L2 0 on words"), std::string::npos) << header.substr(0, 300);
  std::filesystem::remove_all(out);

  auto [negative, negative_text] = run_shell(train + " --l2 -1 --out " + out.string() + " 2>&1");
  EXPECT_EQ(negative, 2) << negative_text;
  EXPECT_NE(negative_text.find("--l2: must be a number, 0 or more"), std::string::npos) << negative_text;
  EXPECT_EQ(run_shell(train + " --epochs 0 --out " + out.string() + " 2>&1").first, 2);
  EXPECT_FALSE(std::filesystem::exists(out));

  auto [lodo, lodo_text] = run_shell(train + " --lodo /nonexistent-dir/predictions.jsonl 2>&1");
  EXPECT_EQ(lodo, 1) << lodo_text;
  EXPECT_NE(lodo_text.find("cannot write /nonexistent-dir/predictions.jsonl: No such file or directory"),
            std::string::npos)
      << lodo_text;
  EXPECT_EQ(lodo_text.find("fold"), std::string::npos) << "no fold trains before the path is checked";
}

}  // namespace
}  // namespace chorus::testing
