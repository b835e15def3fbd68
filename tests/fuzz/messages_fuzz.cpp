// Fuzz target: bus payloads, stored records and time stamps, which cross process boundaries.
#include <cstdint>
#include <string_view>

#include "bus/messages.hpp"
#include "core/time.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace chorus;
  std::string_view input(reinterpret_cast<const char*>(data), size);
  (void)bus::decode_raw_items(input);
  (void)bus::decode_fetch_request(input);
  if (auto v = parse_json(input)) {
    if (auto r = record_from_json(*v)) (void)to_json_string(record_to_json(*r));
    (void)find_path(*v, "a.0.b.c");
  }
  (void)parse_time(input);
  return 0;
}
