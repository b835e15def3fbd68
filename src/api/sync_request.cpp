// Queueing a sync.
#include "api/sync_request.hpp"

#include "bus/messages.hpp"

namespace chorus::api {

Result<store::Sync> request_sync(store::Store& store, bus::Bus& bus, const store::Source& source) {
  auto active = store.active_sync(source.id);
  if (!active) return active.error();
  if (*active) return **active;
  auto sync = store.create_sync(source.workspace_id, source.id);
  if (!sync) return sync.error();
  // Marked queued before the request is out: a fetcher may settle the sync before publish returns.
  (void)store.set_source_state(source.id, "queued", std::nullopt);
  bus::FetchRequest req{source.workspace_id, source.id, sync->id};
  if (auto s = bus.publish(bus::kFetchRequests, bus::workspace_key(source.workspace_id), bus::encode(req)); !s) {
    (void)store.update_sync(sync->id, "failed", "could not queue the sync: " + s.error().message);
    return s.error();
  }
  return sync;
}

}  // namespace chorus::api
