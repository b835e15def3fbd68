// The CLI's side of the HTTP API: --server/--key options and calls whose failures read as one sentence.
#pragma once

#include <CLI/CLI.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "core/json.hpp"
#include "core/result.hpp"

namespace chorus::ingest {
class HttpClient;
}

namespace chorus::cli {

struct ApiOptions {
  std::string server = "http://127.0.0.1:8080";
  std::string key;
  std::string config_file;  // --config: a TOML file of the command's flags (cli/config_file.hpp)
};

// --server (CHORUS_SERVER), --key (CHORUS_API_KEY) and --config (CHORUS_CONFIG) on a subcommand.
void add_api_options(CLI::App& cmd, ApiOptions& options);

// Runs a client command once its --config file, if any, has filled the flags that neither the command line
// nor the environment set; a file that cannot be applied is bad usage (exit status 2).
int with_config(CLI::App& cmd, const ApiOptions& options, const std::function<int()>& run);

class ApiClient {
 public:
  explicit ApiClient(ApiOptions options);
  ~ApiClient();

  // A JSON answer with a 2xx status, else an error: the server's own message for an HTTP error
  // (ErrorCode from the status), or "cannot reach <server>: ..." (ErrorCode::upstream) for a transport failure.
  Result<json::value> call(std::string_view method, const std::string& path, std::string body = {},
                           std::string_view content_type = "application/json",
                           std::chrono::milliseconds timeout = std::chrono::milliseconds(30000));
  Result<json::value> get(const std::string& path) { return call("GET", path); }

  const ApiOptions& options() const { return options_; }
  // How long the server asked to be left alone (its Retry-After) when the last call failed; nullopt when the
  // last call succeeded or the server did not say.
  std::optional<std::chrono::milliseconds> retry_after() const { return retry_after_; }

 private:
  ApiOptions options_;
  std::unique_ptr<ingest::HttpClient> http_;
  std::optional<std::chrono::milliseconds> retry_after_;
};

// "a b" -> "a%20b": for values placed in a query string.
std::string url_encode(std::string_view value);

}  // namespace chorus::cli
