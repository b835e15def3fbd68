// Outbound HTTP on libcurl's multi interface. Each call borrows a multi handle from a small pool, so
// concurrent callers never share one, while each multi's connection cache survives between calls and
// keeps connections alive. DNS answers and TLS sessions are shared by all handles through a CURLSH.
#include "ingest/http_client.hpp"

#include <curl/curl.h>
#include <sys/socket.h>

#include <algorithm>
#include <array>
#include <mutex>
#include <optional>
#include <utility>

namespace chorus::ingest {

namespace {

struct EasyDeleter {
  void operator()(CURL* h) const { curl_easy_cleanup(h); }
};
struct MultiDeleter {
  void operator()(CURLM* h) const { curl_multi_cleanup(h); }
};
struct ShareDeleter {
  void operator()(CURLSH* h) const { curl_share_cleanup(h); }
};
struct SlistDeleter {
  void operator()(curl_slist* l) const { curl_slist_free_all(l); }
};
using EasyPtr = std::unique_ptr<CURL, EasyDeleter>;
using MultiPtr = std::unique_ptr<CURLM, MultiDeleter>;
using SharePtr = std::unique_ptr<CURLSH, ShareDeleter>;
using SlistPtr = std::unique_ptr<curl_slist, SlistDeleter>;

constexpr long kMaxRedirects = 5;
constexpr std::size_t kMaxIdleMultis = 4;

void init_curl_once() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

// One request in flight: its easy handle and what has arrived so far.
struct Transfer {
  const OutboundRequest* request = nullptr;
  std::size_t max_body = 0;
  EasyPtr easy;
  SlistPtr header_list;
  OutboundResponse response;
  bool body_too_large = false;
  const EgressPolicy* egress = nullptr;
  std::string egress_refusal;  // why a connection was refused, if one was
};

// Opens each connection's socket, after DNS and on every redirect, once the policy allows the address.
curl_socket_t open_socket(void* user, curlsocktype purpose, curl_sockaddr* address) {
  auto* t = static_cast<Transfer*>(user);
  if (purpose == CURLSOCKTYPE_IPCXN && t->egress) {
    std::optional<IpAddress> ip = IpAddress::from_sockaddr(&address->addr);
    std::optional<std::string> why = ip ? t->egress->refusal(*ip) : std::string("the address family is not IP");
    if (why) {
      t->egress_refusal = std::move(*why);
      return CURL_SOCKET_BAD;
    }
  }
  return ::socket(address->family, address->socktype, address->protocol);
}

std::size_t on_body(char* data, std::size_t size, std::size_t count, void* user) {
  auto* t = static_cast<Transfer*>(user);
  std::size_t n = size * count;
  if (t->response.body.size() + n > t->max_body) {
    t->body_too_large = true;
    return 0;  // makes curl fail the transfer with CURLE_WRITE_ERROR
  }
  t->response.body.append(data, n);
  return n;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r' || s.back() == '\n')) {
    s.remove_suffix(1);
  }
  return s;
}

std::size_t on_header(char* data, std::size_t size, std::size_t count, void* user) {
  auto* t = static_cast<Transfer*>(user);
  std::size_t n = size * count;
  std::string_view line = trim(std::string_view(data, n));
  // Each status line starts a new response (a redirect hop, a 100 Continue): only the last one's headers
  // are kept.
  if (line.starts_with("HTTP/")) {
    t->response.headers.items.clear();
    return n;
  }
  std::size_t colon = line.find(':');
  if (colon == std::string_view::npos || colon == 0) return n;
  t->response.headers.add(trim(line.substr(0, colon)), std::string(trim(line.substr(colon + 1))));
  return n;
}

std::string transfer_error(const OutboundRequest& request, std::string_view what) {
  return request.method + " " + redact_url(request.url) + ": " + std::string(what);
}

}  // namespace

std::string redact_url(std::string_view url) {
  url = url.substr(0, url.find_first_of("?#"));
  std::size_t scheme = url.find("://");
  std::size_t authority = scheme == std::string_view::npos ? 0 : scheme + 3;
  std::size_t path = url.find('/', authority);
  std::string_view host_part = url.substr(authority, path == std::string_view::npos ? url.npos : path - authority);
  std::size_t at = host_part.rfind('@');
  if (at == std::string_view::npos) return std::string(url);
  return std::string(url.substr(0, authority)) + std::string(url.substr(authority + at + 1));
}

struct HttpClient::Impl {
  HttpClientOptions options;
  std::array<std::mutex, CURL_LOCK_DATA_LAST> share_locks;
  SharePtr share;  // declared after its locks and before the multis, which must go first
  std::mutex pool_mutex;
  std::vector<MultiPtr> idle_multis;

  explicit Impl(HttpClientOptions o) : options(std::move(o)) {
    if (options.max_concurrency == 0) options.max_concurrency = 1;
    share.reset(curl_share_init());
    if (share) {
      curl_share_setopt(share.get(), CURLSHOPT_LOCKFUNC, &Impl::lock);
      curl_share_setopt(share.get(), CURLSHOPT_UNLOCKFUNC, &Impl::unlock);
      curl_share_setopt(share.get(), CURLSHOPT_USERDATA, this);
      curl_share_setopt(share.get(), CURLSHOPT_SHARE, CURL_LOCK_DATA_DNS);
      curl_share_setopt(share.get(), CURLSHOPT_SHARE, CURL_LOCK_DATA_SSL_SESSION);
    }
  }
  ~Impl() { idle_multis.clear(); }

  static void lock(CURL*, curl_lock_data data, curl_lock_access, void* user) {
    static_cast<Impl*>(user)->share_locks.at(static_cast<std::size_t>(data)).lock();
  }
  static void unlock(CURL*, curl_lock_data data, void* user) {
    static_cast<Impl*>(user)->share_locks.at(static_cast<std::size_t>(data)).unlock();
  }

  MultiPtr acquire() {
    {
      std::lock_guard lock(pool_mutex);
      if (!idle_multis.empty()) {
        MultiPtr m = std::move(idle_multis.back());
        idle_multis.pop_back();
        return m;
      }
    }
    MultiPtr m(curl_multi_init());
    if (m) curl_multi_setopt(m.get(), CURLMOPT_MAXCONNECTS, static_cast<long>(options.max_concurrency * 2));
    return m;
  }

  void release(MultiPtr m) {
    std::lock_guard lock(pool_mutex);
    if (idle_multis.size() < kMaxIdleMultis) idle_multis.push_back(std::move(m));
  }

  bool prepare(Transfer& t);
  Result<OutboundResponse> finish(Transfer& t, CURLcode code);
};

bool HttpClient::Impl::prepare(Transfer& t) {
  t.easy.reset(curl_easy_init());
  if (!t.easy) return false;
  CURL* h = t.easy.get();
  const OutboundRequest& req = *t.request;
  curl_easy_setopt(h, CURLOPT_URL, req.url.c_str());
  curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(h, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
  curl_easy_setopt(h, CURLOPT_FOLLOWLOCATION, 1L);
  curl_easy_setopt(h, CURLOPT_MAXREDIRS, kMaxRedirects);
  curl_easy_setopt(h, CURLOPT_ACCEPT_ENCODING, "");  // every encoding curl was built with
  curl_easy_setopt(h, CURLOPT_USERAGENT, options.user_agent.c_str());
  curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, static_cast<long>(req.timeout.count()));
  curl_easy_setopt(h, CURLOPT_MAXFILESIZE_LARGE, static_cast<curl_off_t>(t.max_body));
  if (share) curl_easy_setopt(h, CURLOPT_SHARE, share.get());
  curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, &on_body);
  curl_easy_setopt(h, CURLOPT_WRITEDATA, &t);
  curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, &on_header);
  curl_easy_setopt(h, CURLOPT_HEADERDATA, &t);
  curl_easy_setopt(h, CURLOPT_PRIVATE, &t);
  t.egress = &options.egress;
  curl_easy_setopt(h, CURLOPT_OPENSOCKETFUNCTION, &open_socket);
  curl_easy_setopt(h, CURLOPT_OPENSOCKETDATA, &t);

  if (req.method == "GET") {
    curl_easy_setopt(h, CURLOPT_HTTPGET, 1L);
  } else if (req.method == "HEAD") {
    curl_easy_setopt(h, CURLOPT_NOBODY, 1L);
  } else {
    // POST through POSTFIELDS lets curl turn it into a GET on a 303 the standard way; other methods are
    // custom requests that keep their method across redirects.
    if (req.method != "POST") curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, req.method.c_str());
    if (req.method == "POST" || !req.body.empty()) {
      curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(req.body.size()));
      curl_easy_setopt(h, CURLOPT_POSTFIELDS, req.body.data());
    }
  }

  curl_slist* list = nullptr;
  bool has_expect = false;
  auto append = [&](const std::string& line) {
    curl_slist* next = curl_slist_append(list, line.c_str());
    if (next != nullptr) list = next;
  };
  for (const auto& [name, value] : req.headers.items) {
    if (name == "expect") has_expect = true;
    // "Name;" is curl's spelling of a header sent with an empty value.
    append(value.empty() ? name + ";" : name + ": " + value);
  }
  // Without this curl waits up to a second for "100 Continue" before sending a large body.
  if (!has_expect) append("Expect:");
  t.header_list.reset(list);
  curl_easy_setopt(h, CURLOPT_HTTPHEADER, list);
  return true;
}

Result<OutboundResponse> HttpClient::Impl::finish(Transfer& t, CURLcode code) {
  const OutboundRequest& req = *t.request;
  if ((code == CURLE_WRITE_ERROR && t.body_too_large) || code == CURLE_FILESIZE_EXCEEDED) {
    return make_error(ErrorCode::upstream,
                      transfer_error(req, "response body exceeds " + std::to_string(t.max_body) + " bytes"));
  }
  if (code != CURLE_OK && !t.egress_refusal.empty()) {
    return make_error(ErrorCode::upstream,
                      transfer_error(req, "refused by the egress policy: " + t.egress_refusal +
                                              " (an operator can allow its range with --egress-allow)"));
  }
  if (code != CURLE_OK) return make_error(ErrorCode::upstream, transfer_error(req, curl_easy_strerror(code)));
  long status = 0;
  curl_easy_getinfo(t.easy.get(), CURLINFO_RESPONSE_CODE, &status);
  curl_off_t total_us = 0;
  curl_easy_getinfo(t.easy.get(), CURLINFO_TOTAL_TIME_T, &total_us);
  t.response.status = static_cast<int>(status);
  t.response.elapsed = std::chrono::milliseconds(total_us / 1000);
  return std::move(t.response);
}

HttpClient::HttpClient(HttpClientOptions options) {
  init_curl_once();
  impl_ = std::make_unique<Impl>(std::move(options));
}

HttpClient::~HttpClient() = default;

Result<OutboundResponse> HttpClient::send(const OutboundRequest& request) {
  auto results = send_all(std::span<const OutboundRequest>(&request, 1));
  return std::move(results.front());
}

std::vector<Result<OutboundResponse>> HttpClient::send_all(std::span<const OutboundRequest> requests) {
  // The multi is declared first so that, should anything throw, the transfers are cleaned up before it.
  MultiPtr multi = impl_->acquire();
  std::vector<std::optional<Result<OutboundResponse>>> results(requests.size());
  std::vector<Transfer> transfers(requests.size());

  std::size_t next = 0;
  std::size_t in_flight = 0;
  auto fail = [&](std::size_t i, std::string_view what) {
    results[i] = make_error(ErrorCode::upstream, transfer_error(requests[i], what));
  };
  auto start_more = [&] {
    while (in_flight < impl_->options.max_concurrency && next < requests.size()) {
      std::size_t i = next++;
      Transfer& t = transfers[i];
      t.request = &requests[i];
      t.max_body = impl_->options.max_body;
      if (!multi || !impl_->prepare(t)) {
        fail(i, "could not create a transfer");
        continue;
      }
      if (CURLMcode mc = curl_multi_add_handle(multi.get(), t.easy.get()); mc != CURLM_OK) {
        fail(i, curl_multi_strerror(mc));
        t.easy.reset();
        continue;
      }
      ++in_flight;
    }
  };

  start_more();
  while (in_flight > 0) {
    int still_running = 0;
    CURLMcode mc = curl_multi_perform(multi.get(), &still_running);
    if (mc == CURLM_OK) {
      int queued = 0;
      while (CURLMsg* msg = curl_multi_info_read(multi.get(), &queued)) {
        if (msg->msg != CURLMSG_DONE) continue;
        Transfer* t = nullptr;
        curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, &t);
        std::size_t i = static_cast<std::size_t>(t - transfers.data());
        results[i] = impl_->finish(*t, msg->data.result);
        curl_multi_remove_handle(multi.get(), t->easy.get());
        t->easy.reset();
        t->header_list.reset();
        --in_flight;
      }
      start_more();
      if (in_flight > 0) mc = curl_multi_poll(multi.get(), nullptr, 0, 1000, nullptr);
    }
    if (mc != CURLM_OK) {
      // The multi handle itself broke: fail what is left and do not pool it again.
      for (std::size_t i = 0; i < transfers.size(); ++i) {
        if (transfers[i].easy) {
          curl_multi_remove_handle(multi.get(), transfers[i].easy.get());
          transfers[i].easy.reset();
        }
        if (!results[i]) fail(i, curl_multi_strerror(mc));
      }
      multi.reset();
      break;
    }
  }
  if (multi) impl_->release(std::move(multi));

  std::vector<Result<OutboundResponse>> out;
  out.reserve(results.size());
  for (std::size_t i = 0; i < results.size(); ++i) {
    if (!results[i]) fail(i, "transfer did not complete");
    out.push_back(std::move(*results[i]));
  }
  return out;
}

}  // namespace chorus::ingest
