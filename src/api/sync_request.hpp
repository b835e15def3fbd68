// Queueing a sync: one active sync per source; the request travels to the fetcher on fetch.requests.
#pragma once

#include "bus/bus.hpp"
#include "store/store.hpp"

namespace chorus::api {

// Returns the queued sync, or the one already queued or running for this source.
Result<store::Sync> request_sync(store::Store& store, bus::Bus& bus, const store::Source& source);

}  // namespace chorus::api
