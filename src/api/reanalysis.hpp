// The workspace re-analysis jobs (routes_reanalyze.cpp), shared by the routes that start them: the
// reanalyze routes themselves, and taxonomy changes, after which existing records must follow.
#pragma once

#include <memory>

#include "api/context.hpp"

namespace chorus::api {

class ReanalysisJobs;

std::shared_ptr<ReanalysisJobs> make_reanalysis_jobs(store::Store& store, bus::Bus& bus);
// Queues a re-analysis of the workspace after a change to its taxonomy (joining a job that is queued and has
// not read it yet); returns the job as GET .../reanalyze/{job} shows it.
json::object start_reanalysis(ReanalysisJobs& jobs, Id workspace_id);

void add_reanalyze_routes(http::Router& router, AppContext& ctx, std::shared_ptr<ReanalysisJobs> jobs);
// GET/POST /v1/workspaces/{ws}/themes, PATCH/DELETE .../themes/{id} (routes_themes.cpp).
void add_theme_routes(http::Router& router, AppContext& ctx, std::shared_ptr<ReanalysisJobs> jobs);

}  // namespace chorus::api
