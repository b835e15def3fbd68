// The OpenAPI 3 description of the HTTP API, served at GET /v1/openapi.json.
#pragma once

#include "core/json.hpp"

namespace chorus::api {

// Every route of every role, with its parameters, bodies, answers and who may call it. A unit test checks
// its paths and methods against a fully wired router, so a new route without a description fails the build.
const json::object& openapi_document();

}  // namespace chorus::api
