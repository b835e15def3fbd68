// Result<T>: the value-or-error type every boundary (parsing, I/O, storage) returns.
#pragma once

#include <string>
#include <utility>
#include <variant>

namespace chorus {

// Error codes map one-to-one onto the API's error object and HTTP statuses (see src/api/errors).
enum class ErrorCode {
  bad_request,   // 400: the caller sent something malformed or invalid
  unauthorized,  // 401: no key, a bad key, or a bad webhook signature
  forbidden,     // 403
  not_found,     // 404: unknown id, or an id that belongs to another tenant
  conflict,      // 409
  too_large,     // 413
  rate_limited,  // 429
  unavailable,   // 503: a dependency (store, bus, upstream) is down; retry later
  upstream,      // a third-party API answered with an error or garbage
  internal,      // a bug or an unexpected state
};

const char* error_code_name(ErrorCode code);

struct Error {
  ErrorCode code = ErrorCode::internal;
  std::string message;
};

inline Error make_error(ErrorCode code, std::string message) { return Error{code, std::move(message)}; }

template <class T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}  // NOLINT(google-explicit-constructor)
  Result(Error error) : v_(std::move(error)) {}  // NOLINT(google-explicit-constructor)

  bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }

  T& value() & { return std::get<0>(v_); }
  const T& value() const& { return std::get<0>(v_); }
  T&& value() && { return std::get<0>(std::move(v_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

  const Error& error() const { return std::get<1>(v_); }

 private:
  std::variant<T, Error> v_;
};

template <>
class [[nodiscard]] Result<void> {
 public:
  Result() = default;
  Result(Error error) : err_(std::move(error)), ok_(false) {}  // NOLINT(google-explicit-constructor)

  bool ok() const { return ok_; }
  explicit operator bool() const { return ok_; }
  const Error& error() const { return err_; }

 private:
  Error err_;
  bool ok_ = true;
};

using Status = Result<void>;

}  // namespace chorus
