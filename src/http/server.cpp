// The HTTP/1.1 server on Boost.Beast. This is the only file that includes Beast or Asio, so their
// templates are compiled once.
#include "http/server.hpp"

#include <spdlog/spdlog.h>

#include <boost/asio/dispatch.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/thread_pool.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <algorithm>
#include <array>
#include <atomic>
#include <condition_variable>
#include <exception>
#include <mutex>
#include <optional>
#include <thread>
#include <unordered_map>
#include <vector>

namespace chorus::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;

namespace {

constexpr std::size_t kHeaderLimit = 16 * 1024;
// After an error answer that closes the connection, unread request bytes are drained for this long, or
// this much, so the client sees our answer instead of a TCP reset. A client may send its whole body before
// it reads (curl does once it has waited a second for "100 Continue"): a body of a few MiB, an oversize
// import, must drain in full, or the reset reaches the client before our answer does.
constexpr auto kLingerTime = std::chrono::seconds(3);
constexpr std::size_t kLingerBytes = 16 * 1024 * 1024;

std::string format_endpoint(const tcp::endpoint& ep) {
  const auto address = ep.address();
  if (address.is_v6()) return "[" + address.to_string() + "]:" + std::to_string(ep.port());
  return address.to_string() + ":" + std::to_string(ep.port());
}

std::string_view path_of(std::string_view target) { return target.substr(0, target.find_first_of("?#")); }

bool has_no_body(int status) { return (status >= 100 && status < 200) || status == 204 || status == 304; }

class Session;

// Deferred answers may come after the server has stopped (a bus answering as it drains): once the gate is
// closed they are dropped instead of touching a finished io_context.
struct ReplyGate {
  std::mutex mu;
  bool open = true;
};

// Everything the sessions share with the server. Server::Impl is private to Server, so the sessions see it
// through this base.
struct ServerState {
  ServerOptions options;
  Server::HandlerFn handler;

  // Sessions unregister from their destructors, which may run while io_context is destroyed: the
  // registry must outlive the io_context, hence its place above it.
  std::mutex sessions_mutex;
  std::condition_variable sessions_changed;
  std::unordered_map<Session*, std::weak_ptr<Session>> sessions;

  std::shared_ptr<ReplyGate> reply_gate = std::make_shared<ReplyGate>();

  std::atomic<bool> stopping{false};
  std::atomic<std::uint16_t> bound_port{0};
  std::mutex lifecycle_mutex;  // serialises start() and stop()
  bool started = false;
  bool stopped = false;

  asio::io_context ioc;
  std::optional<asio::executor_work_guard<asio::io_context::executor_type>> work;
  // On its own strand: the accept loop and stop()'s close never run at the same time.
  tcp::acceptor acceptor{asio::make_strand(ioc)};
  std::vector<std::thread> threads;
  // Handlers that may block run here, so they never hold up the I/O threads. Below the io_context: joined and
  // destroyed first.
  asio::thread_pool handler_pool;

  ServerState(ServerOptions o, Server::HandlerFn h)
      : options(std::move(o)), handler(std::move(h)), handler_pool(std::max<std::size_t>(1, options.threads)) {}

  void do_accept();
  void run_thread();
  void register_session(Session* raw, const std::shared_ptr<Session>& session);
  void unregister_session(Session* raw);
};

}  // namespace

struct Server::Impl : ServerState {
  using ServerState::ServerState;
};

namespace {

// One TCP connection: reads requests one after another, runs the handler, writes the answers.
// Every step runs on the connection's strand, so a session's state needs no lock.
class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket&& socket, ServerState& server) : stream_(std::move(socket)), server_(server) {
    boost::system::error_code ec;
    auto ep = stream_.socket().remote_endpoint(ec);
    if (!ec) remote_ = format_endpoint(ep);
  }
  ~Session() { server_.unregister_session(this); }

  void run() {
    server_.register_session(this, shared_from_this());
    asio::dispatch(stream_.get_executor(), [self = shared_from_this()] { self->read_header(true); });
  }

  // Called on stop: an idle connection closes now, a busy one after its answer is written.
  void shutdown() {
    asio::dispatch(stream_.get_executor(), [self = shared_from_this()] {
      self->closing_ = true;
      if (!self->busy_) self->close();
    });
  }

  // Called on stop once the threads are gone: a request still waiting for its deferred answer lets go of the
  // session, which is then destroyed while its io_context still exists.
  void abandon() {
    deferred_ = false;
    self_.reset();
  }

 private:
  void read_header(bool first) {
    if (server_.stopping) return close();
    // Between keep-alive requests the connection may idle for idle_timeout; once a request begins, its
    // header must arrive within header_timeout.
    if (!first && buffer_.size() == 0) {
      stream_.expires_after(server_.options.idle_timeout);
      auto space = buffer_.prepare(4096);
      stream_.async_read_some(space, [self = shared_from_this()](beast::error_code ec, std::size_t n) {
        if (ec) return self->close();
        self->buffer_.commit(n);
        self->read_header(true);
      });
      return;
    }
    parser_.emplace();
    parser_->header_limit(kHeaderLimit);
    parser_->body_limit(server_.options.body_limit);
    stream_.expires_after(server_.options.header_timeout);
    bhttp::async_read_header(stream_, buffer_, *parser_,
                             [self = shared_from_this()](beast::error_code ec, std::size_t) { self->on_header(ec); });
  }

  void on_header(beast::error_code ec) {
    if (ec) return on_read_error(ec);
    busy_ = true;
    started_ = Clock::now();
    auto& req = parser_->get();
    auto expect = req[bhttp::field::expect];
    if (beast::iequals(expect, "100-continue") && !parser_->is_done()) {
      // Clients that asked for permission wait for it before sending the body.
      continue_.emplace(bhttp::status::continue_, req.version());
      stream_.expires_after(server_.options.read_timeout);
      bhttp::async_write(stream_, *continue_, [self = shared_from_this()](beast::error_code ec, std::size_t) {
        if (ec) return self->close();
        self->read_body();
      });
      return;
    }
    read_body();
  }

  void read_body() {
    stream_.expires_after(server_.options.read_timeout);
    bhttp::async_read(stream_, buffer_, *parser_,
                      [self = shared_from_this()](beast::error_code ec, std::size_t) { self->on_body(ec); });
  }

  void on_read_error(beast::error_code ec) {
    if (ec == bhttp::error::body_limit) {
      return reply_and_close(error_response(
          413, "too_large", "request body exceeds " + std::to_string(server_.options.body_limit) + " bytes"));
    }
    if (ec == bhttp::error::header_limit) {
      return reply_and_close(
          error_response(431, "too_large", "request header exceeds " + std::to_string(kHeaderLimit) + " bytes"));
    }
    // Anything else the parser rejects is a malformed request; timeouts, resets and closes end the
    // connection without an answer.
    if (ec.category() == bhttp::make_error_code(bhttp::error::bad_method).category() &&
        ec != bhttp::error::end_of_stream && ec != bhttp::error::partial_message) {
      return reply_and_close(error_response(400, "bad_request", "malformed request: " + ec.message()));
    }
    close();
  }

  void on_body(beast::error_code ec) {
    if (ec) return on_read_error(ec);
    handle();
  }

  Request to_request() {
    auto& msg = parser_->get();
    Request req;
    req.method = std::string(msg.method_string());
    req.target = std::string(msg.target());
    std::string_view target = req.target;
    std::size_t q = target.find('?');
    req.path = percent_decode(path_of(target), false);
    if (q != std::string_view::npos) {
      std::string_view query = target.substr(q + 1);
      req.query = parse_query(query.substr(0, query.find('#')));
    }
    for (const auto& field : msg) req.headers.add(field.name_string(), std::string(field.value()));
    req.body = std::move(msg.body());
    req.remote = remote_;
    return req;
  }

  // Runs the handler; an exception becomes a 500.
  Response run_handler(Request& req, bool& failed) {
    failed = true;
    try {
      Response res = server_.handler(req);
      failed = false;
      return res;
    } catch (const std::exception& e) {
      spdlog::error("handler failed for {} {}: {}", req.method, path_of(req.target), e.what());
    } catch (...) {
      spdlog::error("handler failed for {} {}: unknown exception", req.method, path_of(req.target));
    }
    return error_response(500, "internal", "internal error");
  }

  void handle() {
    Request req = to_request();
    method_ = req.method;
    path_ = std::string(path_of(req.target));
    const std::uint64_t seq = ++requests_;
    if (!server_.options.on_io_thread || !server_.options.on_io_thread(req)) {
      // On the handler pool; what it returns is written back on this connection's strand. The session is idle
      // meanwhile (no read is pending and busy_ keeps stop() from closing it), so the handler's thread is the
      // only one touching it until then, or until the Reply it took answers.
      asio::post(server_.handler_pool, [self = shared_from_this(), req = std::move(req), seq]() mutable {
        bool took_defer = false;
        req.defer = [session = self.get(), &took_defer] {
          took_defer = true;
          return session->defer_answer();
        };
        bool failed = false;
        Response res = self->run_handler(req, failed);
        asio::post(self->stream_.get_executor(), [self, res = std::move(res), failed, took_defer, seq]() mutable {
          self->handled(std::move(res), failed, took_defer, seq);
        });
      });
      return;
    }
    bool took_defer = false;
    req.defer = [this, &took_defer] {
      took_defer = true;
      return defer_answer();
    };
    bool failed = false;
    Response res = run_handler(req, failed);
    handled(std::move(res), failed, took_defer, seq);
  }

  // On the strand, once the handler of request `seq` has returned `res`.
  void handled(Response res, bool failed, bool took_defer, std::uint64_t seq) {
    if (seq != requests_) return;  // its Reply answered and the connection is on to the next request
    if (took_defer) {
      if (!failed) return;                // its Reply answers, or already has
      if (!deferred_) return;             // it threw, but its Reply had answered already
      abandon();                          // the 500 is the answer; a late Reply finds nothing to answer
    }
    write(std::move(res), keep_alive(), method_, path_);
  }

  bool keep_alive() const { return parser_->get().keep_alive() && !closing_ && !server_.stopping; }

  // Called by the handler, on the strand or on a handler thread while the strand leaves the session alone.
  Reply defer_answer() {
    deferred_ = true;
    self_ = shared_from_this();  // nothing else holds the session while it waits
    return [gate = server_.reply_gate, weak = weak_from_this()](Response res) {
      std::lock_guard lock(gate->mu);
      if (!gate->open) return;
      auto self = weak.lock();
      if (!self) return;
      asio::post(self->stream_.get_executor(),
                 [self, res = std::move(res)]() mutable { self->answer_deferred(std::move(res)); });
    };
  }

  void answer_deferred(Response res) {
    if (!deferred_) return;  // answered already, or abandoned
    deferred_ = false;
    auto keep = std::move(self_);  // the pending write holds the session from here on
    write(std::move(res), keep_alive(), method_, path_);
  }

  void write(Response res, bool keep_alive, std::string_view method, std::string_view path) {
    if (res.status < 100 || res.status > 599) {
      spdlog::error("handler for {} {} answered invalid status {}", method, path, res.status);
      res = error_response(500, "internal", "internal error");
    }
    int version = parser_ ? parser_->get().version() : 11;
    if (version != 10 && version != 11) version = 11;
    response_.emplace();
    auto& msg = *response_;
    msg.version(version);
    msg.result(static_cast<unsigned>(res.status));
    msg.set(bhttp::field::server, "chorus");
    for (auto& [name, value] : res.headers.items) {
      if (name == "content-length" || name == "transfer-encoding" || name == "connection" || name == "server") {
        continue;  // framing and identity are the server's to set
      }
      msg.insert(name, value);
    }
    if (has_no_body(res.status)) {
      msg.erase(bhttp::field::content_type);
    } else if (method == "HEAD") {
      // The headers a GET would have, the length of its body included, and no body (RFC 9110, 9.3.2).
      msg.set(bhttp::field::content_type, res.content_type);
      msg.content_length(res.body.size());
    } else {
      msg.set(bhttp::field::content_type, res.content_type);
      msg.body() = std::move(res.body);
      msg.content_length(msg.body().size());
    }
    msg.keep_alive(keep_alive);

    if (server_.options.on_answer) server_.options.on_answer(res.status);
    if (server_.options.log_requests) {
      auto ms = busy_ ? std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - started_).count() : 0;
      spdlog::info("{} {} {} {}ms", method, path, res.status, ms);
    }

    stream_.expires_after(server_.options.read_timeout);
    bhttp::async_write(stream_, msg,
                       [self = shared_from_this()](beast::error_code ec, std::size_t) { self->on_write(ec); });
  }

  void on_write(beast::error_code ec) {
    busy_ = false;
    bool keep_alive = response_->keep_alive();
    response_.reset();
    if (ec || closing_ || server_.stopping) return close();
    if (!keep_alive) return linger_close();
    read_header(false);
  }

  void reply_and_close(Response res) {
    std::string method = "-";
    std::string path = "-";
    if (parser_ && parser_->is_header_done()) {
      method = std::string(parser_->get().method_string());
      path = std::string(path_of(parser_->get().target()));
    }
    write(std::move(res), false, method, path);
  }

  // Half-closes, then discards what the client still sends, so the answer is not lost to a reset.
  void linger_close() {
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ec);
    if (ec) return close();
    stream_.expires_after(kLingerTime);
    drain();
  }

  void drain() {
    stream_.async_read_some(asio::buffer(drain_buffer_),
                            [self = shared_from_this()](beast::error_code ec, std::size_t n) {
                              self->drained_ += n;
                              if (ec || self->drained_ > kLingerBytes) return self->close();
                              self->drain();
                            });
  }

  void close() {
    beast::error_code ec;
    stream_.socket().shutdown(tcp::socket::shutdown_both, ec);
    stream_.close();
  }

  beast::tcp_stream stream_;
  ServerState& server_;
  std::string remote_;
  beast::flat_buffer buffer_;
  std::optional<bhttp::request_parser<bhttp::string_body>> parser_;
  std::optional<bhttp::response<bhttp::empty_body>> continue_;
  std::optional<bhttp::response<bhttp::string_body>> response_;
  std::array<char, 4096> drain_buffer_{};
  std::size_t drained_ = 0;
  Clock::time_point started_{};
  bool busy_ = false;     // a request's header has arrived and its answer is not yet written
  bool deferred_ = false;  // the handler took Request::defer and its Reply has not answered yet
  std::shared_ptr<Session> self_;  // set while deferred_
  std::string method_, path_;      // of the request being handled, for its answer's log line
  std::uint64_t requests_ = 0;     // requests handled on this connection
  bool closing_ = false;  // the server is stopping: close after the current answer
};

}  // namespace

void ServerState::register_session(Session* raw, const std::shared_ptr<Session>& session) {
  std::lock_guard lock(sessions_mutex);
  sessions.emplace(raw, session);
}

void ServerState::unregister_session(Session* raw) {
  std::lock_guard lock(sessions_mutex);
  sessions.erase(raw);
  sessions_changed.notify_all();
}

void ServerState::do_accept() {
  acceptor.async_accept(asio::make_strand(ioc), [this](beast::error_code ec, tcp::socket socket) {
    if (ec == asio::error::operation_aborted || !acceptor.is_open()) return;
    if (!ec && !stopping) {
      std::make_shared<Session>(std::move(socket), *this)->run();
    } else if (ec) {
      // Out of descriptors and the like: keep serving the connections we have and try again.
      spdlog::warn("http accept failed: {}", ec.message());
    }
    if (!stopping) do_accept();
  });
}

void ServerState::run_thread() {
  // A throwing completion handler must not take the process down; log it and keep the thread serving.
  while (true) {
    try {
      ioc.run();
      return;
    } catch (const std::exception& e) {
      spdlog::error("http server thread caught: {}", e.what());
    } catch (...) {
      spdlog::error("http server thread caught an unknown exception");
    }
  }
}

Server::Server(ServerOptions options, HandlerFn handler)
    : impl_(std::make_unique<Impl>(std::move(options), std::move(handler))) {}

Server::~Server() { stop(); }

Status Server::start() {
  std::lock_guard lock(impl_->lifecycle_mutex);
  if (impl_->started) return make_error(ErrorCode::internal, "http server already started");
  auto& opts = impl_->options;
  std::string where = opts.host + ":" + std::to_string(opts.port);

  beast::error_code ec;
  tcp::resolver resolver(impl_->ioc);
  auto results = resolver.resolve(opts.host, std::to_string(opts.port),
                                  tcp::resolver::passive | tcp::resolver::numeric_service, ec);
  if (ec || results.empty()) {
    return make_error(ErrorCode::unavailable,
                      "cannot listen on " + where + ": " + (ec ? ec.message() : std::string("host has no address")));
  }
  tcp::endpoint endpoint = results.begin()->endpoint();
  auto& acceptor = impl_->acceptor;
  auto fail = [&](const char* step) {
    beast::error_code ignored;
    acceptor.close(ignored);
    return make_error(ErrorCode::unavailable, "cannot listen on " + where + " (" + step + "): " + ec.message());
  };
  if (acceptor.open(endpoint.protocol(), ec)) return fail("open");
  if (acceptor.set_option(asio::socket_base::reuse_address(true), ec)) return fail("reuse_address");
  if (acceptor.bind(endpoint, ec)) return fail("bind");
  if (acceptor.listen(asio::socket_base::max_listen_connections, ec)) return fail("listen");
  impl_->bound_port = acceptor.local_endpoint(ec).port();

  impl_->work.emplace(impl_->ioc.get_executor());
  impl_->do_accept();
  std::size_t n = std::max<std::size_t>(1, opts.io_threads);
  impl_->threads.reserve(n);
  for (std::size_t i = 0; i < n; ++i) impl_->threads.emplace_back([impl = impl_.get()] { impl->run_thread(); });
  impl_->started = true;
  spdlog::info("http server listening on {}:{}", opts.host, impl_->bound_port.load());
  return {};
}

std::uint16_t Server::port() const { return impl_->bound_port; }

void Server::stop(std::chrono::milliseconds grace) {
  std::lock_guard lock(impl_->lifecycle_mutex);
  if (!impl_->started || impl_->stopped) return;
  impl_->stopped = true;
  impl_->stopping = true;

  // Close the acceptor on the io_context so it does not race with a pending accept handler.
  asio::post(impl_->acceptor.get_executor(), [impl = impl_.get()] {
    beast::error_code ec;
    impl->acceptor.close(ec);
  });

  std::vector<std::shared_ptr<Session>> live;
  {
    std::lock_guard sessions_lock(impl_->sessions_mutex);
    for (auto& [raw, weak] : impl_->sessions) {
      if (auto session = weak.lock()) live.push_back(std::move(session));
    }
  }
  for (auto& session : live) session->shutdown();
  live.clear();

  {
    std::unique_lock sessions_lock(impl_->sessions_mutex);
    impl_->sessions_changed.wait_for(sessions_lock, grace, [&] { return impl_->sessions.empty(); });
    if (!impl_->sessions.empty()) {
      spdlog::warn("http server stopping with {} connection(s) still busy after {}ms", impl_->sessions.size(),
                   grace.count());
    }
  }

  {
    std::lock_guard gate(impl_->reply_gate->mu);
    impl_->reply_gate->open = false;
  }
  impl_->work.reset();
  impl_->ioc.stop();
  // Must not be called from a handler: a pool thread cannot join itself.
  // A handler that is still running is waited for here: threads cannot be interrupted mid-handler.
  for (auto& thread : impl_->threads) {
    if (thread.joinable()) thread.join();
  }
  impl_->threads.clear();
  // Handlers still running finish here; their answers go to the stopped io_context and are dropped with it.
  impl_->handler_pool.join();

  {
    std::lock_guard sessions_lock(impl_->sessions_mutex);
    for (auto& [raw, weak] : impl_->sessions) {
      if (auto session = weak.lock()) live.push_back(std::move(session));
    }
  }
  for (auto& session : live) session->abandon();
  live.clear();  // outside the lock: a session's destructor unregisters it
}

}  // namespace chorus::http
