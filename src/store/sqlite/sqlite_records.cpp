// SQLite store: records (upsert with the raw item, queries, near-duplicate lookup in the index of
// near_duplicate_index.hpp).
#include <algorithm>
#include <array>
#include <bit>
#include <tuple>
#include <utility>

#include "core/near_duplicate_keys.hpp"
#include "store/page_batch.hpp"
#include "store/sqlite/sqlite_cubes.hpp"
#include "store/sqlite/sqlite_sql.hpp"
#include "store/sqlite/sqlite_store.hpp"

namespace chorus::store {

namespace sqlite_sql {

std::string join_themes(const std::vector<std::string>& themes) {
  std::string out;
  for (const auto& t : themes) {
    if (!out.empty()) out += '\x1f';
    out += t;
  }
  return out;
}

std::vector<std::string> split_themes(const std::string& s) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start < s.size()) {
    std::size_t end = s.find('\x1f', start);
    if (end == std::string::npos) end = s.size();
    out.push_back(s.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

void bind_all(sqlite::Statement& st, const std::vector<SqlArg>& args, int first) {
  int i = first;
  for (const auto& a : args) {
    if (std::holds_alternative<std::int64_t>(a))
      st.bind(i++, std::get<std::int64_t>(a));
    else
      st.bind(i++, std::get<std::string>(a));
  }
}

namespace {
std::string like_pattern(const std::string& q) {
  std::string out = "%";
  for (char c : q) {
    if (c == '%' || c == '_' || c == '\\') out += '\\';
    out += c;
  }
  return out + "%";
}
}  // namespace

SqlFilter record_filter(const FeedbackFilter& f, bool themes_joined) {
  SqlFilter s;
  s.where = "r.workspace_id = ?";
  s.arg(f.workspace_id);
  const char* ts = "r.ts";
  if (themes_joined) {
    s.add("t.workspace_id = ?", f.workspace_id);
    if (f.theme) s.add("t.theme = ?", *f.theme);
    ts = "t.ts";
  }
  if (f.from) s.add(std::string(ts) + " >= ?", *f.from);
  if (f.to) s.add(std::string(ts) + " < ?", *f.to);
  if (f.source_id) s.add("r.source_id = ?", *f.source_id);
  if (f.sentiment) s.add("r.sentiment = ?", *f.sentiment);
  if (f.category) s.add("r.category = ?", *f.category);
  if (f.language) s.add("r.language = ?", *f.language);
  if (f.q) s.add("r.search_text LIKE ? ESCAPE '\\'", like_pattern(*f.q));
  if (f.theme && !themes_joined)
    s.add(
        "EXISTS (SELECT 1 FROM record_themes x WHERE x.workspace_id = r.workspace_id AND x.uid = r.uid AND "
        "x.theme = ?)",
        *f.theme);
  return s;
}

}  // namespace sqlite_sql

using namespace sqlite_sql;

// The statements of one upsert, prepared once per commit.
struct SqliteStore::RecordStatements {
  sqlite::Statement select, upsert, delete_themes, insert_theme;

  static Result<RecordStatements> prepare(sqlite::Database& db) {
    RecordStatements s;
    const std::pair<sqlite::Statement*, std::string_view> sql[] = {
        {&s.select, "SELECT revision, received_at, simhash, ts FROM records WHERE workspace_id = ? AND uid = ?"},
        {&s.upsert,
         "INSERT INTO records(workspace_id, uid, source_id, ts, received_at, sentiment, compound, category, "
         "language, simhash, revision, search_text, body, rating, raw) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, "
         "?10, ?11, ?12, ?13, ?14, ?15) ON CONFLICT(workspace_id, uid) DO UPDATE SET source_id = ?3, ts = ?4, "
         "sentiment = ?6, compound = ?7, category = ?8, language = ?9, simhash = ?10, revision = ?11, "
         "search_text = ?12, body = ?13, rating = ?14, raw = COALESCE(?15, raw)"},
        {&s.delete_themes, "DELETE FROM record_themes WHERE workspace_id = ? AND uid = ?"},
        {&s.insert_theme, "INSERT OR IGNORE INTO record_themes(workspace_id, uid, theme, ts) VALUES(?, ?, ?, ?)"},
    };
    for (const auto& [stmt, text] : sql) {
      auto p = db.prepare(text);
      if (!p) return p.error();
      *stmt = std::move(p.value());
    }
    return s;
  }
};

Status SqliteStore::upsert_record(RecordStatements& st, FeedbackRecord& r, bool& existed, std::string& body) {
  st.select.reset();
  st.select.bind(1, r.workspace_id).bind(2, r.unique_identifier);
  auto row = st.select.step();
  if (!row) return row.error();
  r.revision = 1;
  r.themes = unique_themes(std::move(r.themes));
  existed = *row;
  std::uint64_t old_simhash = 0;
  TimeMs old_ts = 0;
  if (*row) {
    r.revision = st.select.int64(0) + 1;
    r.received_at = st.select.int64(1);  // first seen stays first seen
    old_simhash = static_cast<std::uint64_t>(st.select.int64(2));
    old_ts = st.select.int64(3);
  }
  st.select.reset();
  std::string search = r.title ? *r.title + "\n" + r.text : r.text;
  auto& up = st.upsert;
  up.reset();
  up.bind(1, r.workspace_id).bind(2, r.unique_identifier).bind(3, r.source_id).bind(4, r.timestamp);
  up.bind(5, r.received_at).bind(6, r.sentiment_type).bind(7, r.sentiment_compound).bind(8, r.category);
  up.bind(9, r.language_code).bind(10, static_cast<std::int64_t>(r.simhash)).bind(11, r.revision);
  body = record_json(r);
  up.bind(12, search).bind(13, body).bind(14, r.rating);
  // A re-analysis without the raw item keeps the one stored before.
  if (r.raw_item.empty())
    up.bind_null(15);
  else
    up.bind(15, r.raw_item);
  if (auto s = up.run(); !s) return s.error();

  // A new record has no theme rows or index entry to replace; an update with the same fingerprint and time keeps
  // its entry.
  const bool same_keys = existed && old_simhash == r.simhash && old_ts == r.timestamp;
  if (existed) {
    st.delete_themes.reset();
    if (auto s = st.delete_themes.bind(1, r.workspace_id).bind(2, r.unique_identifier).run(); !s) return s.error();
    if (!same_keys) near_index_.erase(r.workspace_id, {old_simhash, old_ts, r.unique_identifier});
  }
  for (const auto& t : r.themes) {
    st.insert_theme.reset();
    st.insert_theme.bind(1, r.workspace_id).bind(2, r.unique_identifier).bind(3, t).bind(4, r.timestamp);
    if (auto s = st.insert_theme.run(); !s) return s.error();
  }
  if (!same_keys) near_index_.insert(r.workspace_id, {r.simhash, r.timestamp, r.unique_identifier});
  return {};
}

Status SqliteStore::write_page(RecordStatements& statements, PageCommit& page, std::vector<FeedbackRecord>* stored,
                               std::vector<StoredJson>* json, RollupLedger* ledger, cubes::Fold& fold) {
  // A page of a workspace deleted while its messages were in flight is dropped: nothing of it may come back.
  auto exists = db_.cached("SELECT count(*) FROM workspaces WHERE id = ?");
  if (!exists) return exists.error();
  {
    sqlite::ResetOnExit done(**exists);
    (*exists)->bind(1, page.workspace_id);
    if (auto row = (*exists)->step(); !row) return row.error();
    if ((*exists)->int64(0) == 0) return {};
  }
  if (page.near_duplicate_bits) {
    // Looked up before the page's own records are written: each sees the store as it was before the page, so
    // they are looked up together, each index in its own order.
    std::vector<NearDuplicateAsk> asks;
    asks.reserve(page.records.size());
    for (const FeedbackRecord& r : page.records)
      asks.push_back({r.workspace_id, r.simhash, r.unique_identifier, r.timestamp});
    auto found = lookup_near_duplicates(asks, *page.near_duplicate_bits);
    if (!found) return found.error();
    auto marked = mark_near_duplicates(page.records, *page.near_duplicate_bits,
                                       [&](const FeedbackRecord& r) -> Result<std::optional<std::int64_t>> {
                                         return (*found)[static_cast<std::size_t>(&r - page.records.data())];
                                       });
    if (!marked) return marked;
  }
  std::int64_t fresh = 0;
  std::string body;
  for (FeedbackRecord& r : page.records) {
    bool existed = false;
    if (auto s = upsert_record(statements, r, existed, body); !s) return s;
    if (ledger)
      if (auto s = ledger->count(r, existed, fold); !s) return s;
    if (stored) {
      // The raw item was stored; the copies handed on (to rollups, to callers) need not carry it.
      std::string raw = std::exchange(r.raw_item, {});
      stored->push_back(r);
      r.raw_item = std::move(raw);
    }
    if (json) json->push_back({r.workspace_id, std::move(body)});
    fresh += existed ? 0 : 1;
  }
  auto src =
      db_.cached("UPDATE sources SET items_total = items_total + ?1, cursor = COALESCE(?2, cursor) WHERE id = ?3");
  if (!src) return src.error();
  {
    sqlite::ResetOnExit done(**src);
    if (auto s = (*src)->bind(1, fresh).bind(2, page.cursor).bind(3, page.source_id).run(); !s) return s;
  }
  if (page.sync_id) {
    auto sy = db_.cached(
        "UPDATE syncs SET items = items + ?1, new_items = new_items + ?2, updated_at = ?3, "
        "state = CASE WHEN ?4 THEN 'done' ELSE state END WHERE id = ?5");
    if (!sy) return sy.error();
    sqlite::ResetOnExit done(**sy);
    std::int64_t n = static_cast<std::int64_t>(page.records.size());
    if (auto s = (*sy)->bind(1, n)
                     .bind(2, fresh)
                     .bind(3, now_ms())
                     .bind(4, page.sync_finished ? 1 : 0)
                     .bind(5, *page.sync_id)
                     .run();
        !s)
      return s;
    for (const auto& [reason, n] : page.skipped) {
      auto sk = db_.cached(
          "UPDATE syncs SET skipped = skipped + ?1, skipped_reasons = json_set(skipped_reasons, '$.' || ?2, "
          "coalesce(json_extract(skipped_reasons, '$.' || ?2), 0) + ?1) WHERE id = ?3");
      if (!sk) return sk.error();
      sqlite::ResetOnExit reset(**sk);
      if (auto s = (*sk)->bind(1, n).bind(2, reason).bind(3, *page.sync_id).run(); !s) return s;
    }
  }
  if (page.sync_finished) {
    auto st = db_.cached("UPDATE sources SET state = 'ok', last_error = NULL, last_sync_at = ? WHERE id = ?");
    if (!st) return st.error();
    sqlite::ResetOnExit done(**st);
    if (auto s = (*st)->bind(1, now_ms()).bind(2, page.source_id).run(); !s) return s;
  }
  return {};
}

Result<std::vector<FeedbackRecord>> SqliteStore::commit_page(const PageCommit& page) {
  PageCommit copy = page;
  return commit_pages(std::span<PageCommit>(&copy, 1));
}

Result<std::vector<FeedbackRecord>> SqliteStore::commit_pages(std::span<PageCommit> pages) {
  std::vector<FeedbackRecord> stored;
  if (auto s = write_pages(pages, &stored, nullptr); !s) return s.error();
  return stored;
}

Status SqliteStore::commit_pages_with_json(std::span<PageCommit> pages, std::vector<StoredJson>& json) {
  const std::size_t had = json.size();
  auto s = write_pages(pages, nullptr, &json);
  if (!s) json.resize(had);  // a rolled-back batch hands nothing on
  return s;
}

Status SqliteStore::write_pages(std::span<PageCommit> pages, std::vector<FeedbackRecord>* stored,
                                std::vector<StoredJson>* json) {
  std::lock_guard lock(mu_);
  sqlite::Transaction tx(db_);
  if (auto s = tx.begin(); !s) return s.error();
  IndexChanges changes(*this);
  if (auto s = notice_other_writers(); !s) return s.error();
  auto statements = RecordStatements::prepare(db_);
  if (!statements) return statements.error();
  std::size_t total = 0;
  for (const auto& page : pages) total += page.records.size();
  if (stored) stored->reserve(stored->size() + total);
  if (json) json->reserve(json->size() + total);
  // The batch is counted into the rollups in the transaction that stores it: one writer's turn, not two, and
  // reports never lag the records they count.
  std::optional<RollupLedger> ledger;
  if (options_.rollups_at_commit) {
    auto l = RollupLedger::open(db_);
    if (!l) return l.error();
    ledger = *l;
  }
  cubes::Fold fold;
  for (PageCommit& page : pages)
    if (auto s = write_page(*statements, page, stored, json, ledger ? &*ledger : nullptr, fold); !s) return s;
  if (auto s = fold.write(db_); !s) return s;
  if (auto s = tx.commit(); !s) return s;
  changes.keep();
  return {};
}

Result<FeedbackRecord> SqliteStore::get_record(Id workspace_id, std::int64_t uid) {
  std::lock_guard lock(mu_);
  auto q = db_.prepare("SELECT body, raw FROM records WHERE workspace_id = ? AND uid = ?");
  if (!q) return q.error();
  q->bind(1, workspace_id).bind(2, uid);
  auto row = q->step();
  if (!row) return row.error();
  if (!*row) return make_error(ErrorCode::not_found, "feedback " + std::to_string(uid) + " does not exist");
  auto body = parse_json(q->text(0));
  if (!body) return make_error(ErrorCode::internal, "stored record " + std::to_string(uid) + " is corrupt");
  auto rec = record_from_json(*body);
  if (!rec) return rec.error();
  rec->raw_item = q->opt_text(1).value_or("");
  return rec;
}

Result<FeedbackPage> SqliteStore::query_feedback(const FeedbackFilter& filter, std::size_t limit,
                                                 const std::optional<std::string>& cursor) {
  // With a theme, the walk goes down the (workspace, theme, ts) index instead of testing every record.
  const bool by_theme = filter.theme.has_value();
  SqlFilter f = record_filter(filter, by_theme);
  const std::string ts = by_theme ? "t.ts" : "r.ts";
  const std::string uid = by_theme ? "t.uid" : "r.uid";
  if (cursor) {
    auto c = parse_feedback_cursor(*cursor);
    if (!c) return c.error();
    f.where += " AND (" + ts + " < ? OR (" + ts + " = ? AND " + uid + " < ?))";
    f.arg(c->first);
    f.arg(c->first);
    f.arg(c->second);
  }
  std::string from =
      by_theme ? "record_themes t JOIN records r ON r.workspace_id = t.workspace_id AND r.uid = t.uid" : "records r";
  // On the reader: a page of feedback never waits for a parser's batch transaction.
  std::lock_guard lock(read_mu_);
  auto q = reader_.prepare("SELECT r.body, r.ts, r.uid FROM " + from + " WHERE " + f.where + " ORDER BY " + ts +
                           " DESC, " + uid + " DESC LIMIT ?");
  if (!q) return q.error();
  bind_all(*q, f.args);
  q->bind(static_cast<int>(f.args.size()) + 1, static_cast<std::int64_t>(limit + 1));
  FeedbackPage page;
  TimeMs last_ts = 0;
  std::int64_t last_uid = 0;
  for (;;) {
    auto row = q->step();
    if (!row) return row.error();
    if (!*row) break;
    if (page.items.size() == limit) {
      page.next_cursor = feedback_cursor(last_ts, last_uid);
      break;
    }
    last_ts = q->int64(1);
    last_uid = q->int64(2);
    auto body = parse_json(q->text(0));
    if (!body) continue;
    auto rec = record_from_json(*body);
    if (!rec) continue;
    page.items.push_back(std::move(rec.value()));
  }
  return page;
}

Result<std::optional<std::int64_t>> SqliteStore::find_near_duplicate(Id workspace_id, std::uint64_t simhash,
                                                                     int max_distance, std::int64_t self,
                                                                     TimeMs self_ts) {
  std::lock_guard lock(mu_);
  sqlite::Transaction tx(db_);
  if (auto s = tx.begin_read(); !s) return s.error();
  IndexChanges changes(*this);
  if (auto s = notice_other_writers(); !s) return s.error();
  const NearDuplicateAsk ask{workspace_id, simhash, self, self_ts};
  auto found = lookup_near_duplicates(std::span(&ask, 1), max_distance);
  if (!found) return found.error();
  if (auto s = tx.commit(); !s) return s.error();
  changes.keep();
  return found->front();
}

Status SqliteStore::load_near_index(Id workspace_id) {
  if (near_index_.loaded(workspace_id)) return {};
  // Down records_by_time, which holds every column read: the records' bodies are not read.
  auto q = db_.cached(
      "SELECT simhash, ts, uid FROM records INDEXED BY records_by_time WHERE workspace_id = ? AND simhash <> 0");
  if (!q) return q.error();
  sqlite::ResetOnExit done(**q);
  (*q)->bind(1, workspace_id);
  std::vector<NearDuplicateIndex::Row> rows;
  Status read = (*q)->each_row([&] {
    rows.push_back({static_cast<std::uint64_t>((*q)->int64(0)), (*q)->int64(1), (*q)->int64(2)});
  });
  if (!read) return read;
  near_index_.load(workspace_id, std::move(rows));
  return {};
}

Status SqliteStore::notice_other_writers() {
  // data_version moves when another connection, in this process or another, commits to the database; the
  // store's own writes go through db_ and keep the index current themselves.
  auto q = db_.cached("PRAGMA data_version");
  if (!q) return q.error();
  sqlite::ResetOnExit done(**q);
  auto row = (*q)->step();
  if (!row) return row.error();
  const std::int64_t version = (*q)->int64(0);
  if (data_version_ && *data_version_ != version) {
    near_index_.clear();
    publish_index_stats();
  }
  data_version_ = version;
  return {};
}

SqliteStore::IndexChanges::~IndexChanges() {
  if (!kept_) {
    changed_ = store_.near_index_.changed();
    store_.near_index_.rollback();
  }
  if (changed_) store_.publish_index_stats();
}

void SqliteStore::publish_index_stats() {
  const auto stats = near_index_.stats();
  index_records_ = stats.records;
  index_bytes_ = stats.bytes;
  index_loads_ = stats.loads;
  index_merges_ = stats.merges;
  index_clears_ = stats.clears;
}

void SqliteStore::IndexChanges::keep() {
  changed_ = store_.near_index_.changed();
  store_.near_index_.commit();
  kept_ = true;
}

Result<std::vector<std::optional<std::int64_t>>> SqliteStore::lookup_near_duplicates(
    std::span<const NearDuplicateAsk> asks, int max_distance) {
  if (max_distance > kNearDuplicateKeyBits)
    return make_error(ErrorCode::bad_request,
                      "near-duplicate lookups reach at most " + std::to_string(kNearDuplicateKeyBits) + " bits");
  // The rule of core/near_duplicate_keys.hpp, read from the index in memory. A lookup reads a fixed number of
  // rows however many records share a key, identical, near or neither.
  //
  // Each ask is answered as if alone: nothing is written between the steps. The steps run over all the asks,
  // each in the order of the key it searches (fingerprints, then each band's keys, then the candidates'
  // fingerprints), so that consecutive searches go down neighbouring parts of each array.
  using Position = NearDuplicateIndex::Position;
  const std::size_t n = asks.size();
  for (const NearDuplicateAsk& ask : asks)
    if (ask.simhash != 0)
      if (auto s = load_near_index(ask.workspace_id); !s) return s.error();
  std::vector<std::optional<Position>> earliest(n);
  std::vector<Position> bound(n);
  std::vector<std::size_t> order;  // the asks with a fingerprint, in the order of the key searched next
  order.reserve(n);
  for (std::size_t i = 0; i < n; ++i)
    if (asks[i].simhash != 0) order.push_back(i);
  auto sort_by = [&](auto key) {
    std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
      return std::pair(asks[a].workspace_id, key(a)) < std::pair(asks[b].workspace_id, key(b));
    });
  };
  // 1. Direct hits.
  sort_by([&](std::size_t i) { return asks[i].simhash; });
  for (std::size_t i : order) {
    const NearDuplicateAsk& ask = asks[i];
    earliest[i] = near_index_.first_identical(ask.workspace_id, ask.simhash, {ask.self_ts, ask.self}, ask.self);
    bound[i] = earliest[i].value_or(Position{ask.self_ts, ask.self});
  }
  // 2. Each band's keys: the candidates' fingerprints, one (fingerprint, ask) pair for each within reach.
  std::vector<std::array<NearDuplicateKey, kNearDuplicateKeys>> keys(n);
  for (std::size_t i : order) keys[i] = near_duplicate_keys(asks[i].simhash);
  std::vector<std::pair<std::uint64_t, std::size_t>> near;
  for (int band = 0; band < kNearDuplicateKeys; ++band) {
    sort_by([&](std::size_t i) { return keys[i][band].value; });
    for (std::size_t i : order) {
      const NearDuplicateAsk& ask = asks[i];
      near_index_.newest(ask.workspace_id, keys[i][band], bound[i], ask.self, kNearDuplicateScan,
                         [&](std::uint64_t fp) {
                           if (std::popcount(fp ^ ask.simhash) <= max_distance) near.emplace_back(fp, i);
                         });
    }
  }
  // 3. A candidate stands for its fingerprint's first record before the ask's bound: looked up once for each
  // (fingerprint, ask).
  std::sort(near.begin(), near.end(), [&](const auto& a, const auto& b) {
    return std::tuple(asks[a.second].workspace_id, a.first, a.second) <
           std::tuple(asks[b.second].workspace_id, b.first, b.second);
  });
  near.erase(std::unique(near.begin(), near.end()), near.end());
  for (const auto& [fp, i] : near) {
    auto first = near_index_.first_identical(asks[i].workspace_id, fp, bound[i], asks[i].self);
    if (first && (!earliest[i] || *first < *earliest[i])) earliest[i] = *first;
  }
  std::vector<std::optional<std::int64_t>> out(n);
  for (std::size_t i = 0; i < n; ++i)
    if (earliest[i]) out[i] = earliest[i]->second;
  return out;
}

}  // namespace chorus::store
