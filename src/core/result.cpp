// Names of error codes as they appear in the API's error object.
#include "core/result.hpp"

namespace chorus {

const char* error_code_name(ErrorCode code) {
  switch (code) {
    case ErrorCode::bad_request: return "bad_request";
    case ErrorCode::unauthorized: return "unauthorized";
    case ErrorCode::forbidden: return "forbidden";
    case ErrorCode::not_found: return "not_found";
    case ErrorCode::conflict: return "conflict";
    case ErrorCode::too_large: return "too_large";
    case ErrorCode::rate_limited: return "rate_limited";
    case ErrorCode::unavailable: return "unavailable";
    case ErrorCode::upstream: return "upstream_error";
    case ErrorCode::internal: return "internal";
  }
  return "internal";
}

}  // namespace chorus
