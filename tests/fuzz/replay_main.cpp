// Replay driver for the fuzz targets when libFuzzer is not in use: runs each target over the files
// and folders given on the command line, then over deterministic mutations of them, so every build
// exercises the same entry points that `-DCHORUS_FUZZ=ON` fuzzes for real.
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

namespace {

constexpr int kMutationsPerSeed = 300;
constexpr std::size_t kMaxInput = 64 * 1024;

void run(const std::string& input) {
  LLVMFuzzerTestOneInput(reinterpret_cast<const std::uint8_t*>(input.data()), input.size());
}

std::string mutate(std::string s, std::mt19937_64& rng) {
  const char* tokens[] = {"{", "}", "[", "]", "\"", ",", ":", "null", "\\u0000", "\xff\xfe", "<p>", "&amp;",
                          "\r\n", "=", "%", ";", "<", ">", "1e999", "-0", "\"id\":", "\"text\":"};
  int edits = 1 + static_cast<int>(rng() % 8);
  for (int i = 0; i < edits; ++i) {
    std::size_t pos = s.empty() ? 0 : rng() % (s.size() + 1);
    switch (rng() % 6) {
      case 0:
        if (!s.empty()) s[pos % s.size()] ^= static_cast<char>(1u << (rng() % 8));
        break;
      case 1:
        s.insert(pos, tokens[rng() % (sizeof tokens / sizeof *tokens)]);
        break;
      case 2:
        if (!s.empty()) s.erase(pos % s.size(), 1 + rng() % 16);
        break;
      case 3:
        s.resize(pos);
        break;
      case 4:
        if (!s.empty()) s.insert(pos, s.substr(rng() % s.size(), 1 + rng() % 64));
        break;
      default:
        s.insert(pos, 1, static_cast<char>(rng() % 256));
        break;
    }
    if (s.size() > kMaxInput) s.resize(kMaxInput);
  }
  return s;
}

void collect(const std::filesystem::path& p, std::vector<std::string>& seeds) {
  if (std::filesystem::is_directory(p)) {
    for (const auto& e : std::filesystem::recursive_directory_iterator(p))
      if (e.is_regular_file()) collect(e.path(), seeds);
    return;
  }
  std::ifstream in(p, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  seeds.push_back(text.str().substr(0, kMaxInput));
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> seeds{"", "{}", "[]", "null", "\xff"};
  for (int i = 1; i < argc; ++i) collect(argv[i], seeds);
  std::mt19937_64 rng(20261126);
  std::size_t runs = 0;
  for (const auto& seed : seeds) {
    run(seed);
    ++runs;
    for (int m = 0; m < kMutationsPerSeed; ++m, ++runs) run(mutate(seed, rng));
  }
  std::printf("%zu inputs from %zu seeds ran without a crash\n", runs, seeds.size());
  return 0;
}
