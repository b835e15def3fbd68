// A small SMTP server on loopback for e-mail tests: answers EHLO, MAIL, RCPT, DATA, RSET, NOOP and QUIT,
// keeps every message it accepts (envelope and data), and offers no STARTTLS or AUTH.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <mutex>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace chorus::testing {

class SmtpSink {
 public:
  struct Mail {
    std::string from;
    std::vector<std::string> to;
    std::string data;
  };

  SmtpSink() {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    if (fd_ < 0) throw std::runtime_error("smtp sink: socket");
    int one = 1;
    ::setsockopt(fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = 0;
    if (::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || ::listen(fd_, 8) != 0)
      throw std::runtime_error("smtp sink: bind");
    socklen_t len = sizeof addr;
    ::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    thread_ = std::thread([this] { serve(); });
  }
  ~SmtpSink() {
    stopping_ = true;
    ::shutdown(fd_, SHUT_RDWR);
    ::close(fd_);
    if (thread_.joinable()) thread_.join();
  }
  SmtpSink(const SmtpSink&) = delete;
  SmtpSink& operator=(const SmtpSink&) = delete;

  int port() const { return port_; }
  std::vector<Mail> mails() const {
    std::lock_guard lock(mu_);
    return mails_;
  }

 private:
  void serve() {
    while (!stopping_) {
      int c = ::accept(fd_, nullptr, nullptr);
      if (c < 0) {
        if (stopping_) return;
        continue;
      }
      session(c);
      ::close(c);
    }
  }
  static void send_line(int c, const std::string& line) {
    std::string out = line + "\r\n";
    (void)!::write(c, out.data(), out.size());
  }
  // Reads one CRLF-terminated line (without the CRLF); false when the peer is gone.
  bool read_line(int c, std::string& line) {
    line.clear();
    for (;;) {
      auto nl = buffer_.find("\r\n");
      if (nl != std::string::npos) {
        line = buffer_.substr(0, nl);
        buffer_.erase(0, nl + 2);
        return true;
      }
      char chunk[4096];
      ssize_t n = ::read(c, chunk, sizeof chunk);
      if (n <= 0) return false;
      buffer_.append(chunk, static_cast<std::size_t>(n));
    }
  }
  static std::string upper(std::string s) {
    for (auto& ch : s) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
    return s;
  }
  static std::string address(const std::string& arg) {
    auto a = arg.find('<'), b = arg.find('>');
    return a != std::string::npos && b != std::string::npos && b > a ? arg.substr(a + 1, b - a - 1) : arg;
  }
  void session(int c) {
    buffer_.clear();
    send_line(c, "220 sink.test ESMTP ready");
    Mail mail;
    std::string line;
    while (read_line(c, line)) {
      std::string cmd = upper(line.substr(0, 4));
      if (cmd == "EHLO") {
        send_line(c, "250-sink.test greets you");
        send_line(c, "250 8BITMIME");
      } else if (cmd == "HELO") {
        send_line(c, "250 sink.test");
      } else if (cmd == "MAIL") {
        mail = Mail{address(line.substr(10)), {}, ""};
        send_line(c, "250 OK");
      } else if (cmd == "RCPT") {
        mail.to.push_back(address(line.substr(8)));
        send_line(c, "250 OK");
      } else if (cmd == "DATA") {
        send_line(c, "354 End data with <CR><LF>.<CR><LF>");
        while (read_line(c, line) && line != ".") mail.data += (line.starts_with("..") ? line.substr(1) : line) + "\n";
        {
          std::lock_guard lock(mu_);
          mails_.push_back(mail);
        }
        send_line(c, "250 OK queued");
      } else if (cmd == "QUIT") {
        send_line(c, "221 Bye");
        return;
      } else if (cmd == "RSET" || cmd == "NOOP") {
        send_line(c, "250 OK");
      } else {
        send_line(c, "502 Command not implemented");
      }
    }
  }

  int fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stopping_{false};
  std::thread thread_;
  std::string buffer_;
  mutable std::mutex mu_;
  std::vector<Mail> mails_;
};

}  // namespace chorus::testing
