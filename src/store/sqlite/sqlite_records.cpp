// SQLite store: records (upsert with the raw item, queries, near-duplicate lookup).
#include <algorithm>
#include <array>
#include <bit>
#include <tuple>

#include "core/near_duplicate_keys.hpp"
#include "store/page_batch.hpp"
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

// One near-duplicate key row to write (sign +1) or delete (-1), queued while a page's records are upserted.
struct KeyWrite {
  Id workspace_id;
  int band;
  std::int64_t value;
  TimeMs ts;
  std::int64_t uid;
  std::uint64_t simhash;
  std::size_t seq;  // queue order: writes of one row keep it
  int sign;
  auto order() const { return std::tie(workspace_id, band, value, ts, uid, seq); }
};

// The statements of one upsert, prepared once per commit, and the page's queued key writes.
struct SqliteStore::RecordStatements {
  sqlite::Statement select, upsert, delete_themes, insert_theme, insert_key, delete_key, delete_recent_key;
  std::vector<KeyWrite> key_writes;
  std::int64_t keys_inserted = 0;

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
        {&s.insert_key,
         "INSERT OR IGNORE INTO near_duplicate_keys_recent(workspace_id, band, value, ts, uid, simhash) "
         "VALUES(?1, ?2, ?3, ?4, ?5, ?6)"},
    };
    for (const auto& [stmt, text] : sql) {
      auto p = db.prepare(text);
      if (!p) return p.error();
      *stmt = std::move(p.value());
    }
    for (auto [stmt, table] :
         {std::pair{&s.delete_key, kKeyTables[0]}, std::pair{&s.delete_recent_key, kKeyTables[1]}}) {
      auto p = db.prepare(delete_key_sql(table));
      if (!p) return p.error();
      *stmt = std::move(p.value());
    }
    return s;
  }
};

// A record sits under its ten near-duplicate keys (any two fingerprints within 3 bits share one), ordered by
// time within each key: a lookup reads a few of a key's newest rows before a bound.
void SqliteStore::queue_keys(RecordStatements& st, Id workspace_id, std::int64_t uid, std::uint64_t simhash,
                             TimeMs ts, int sign) {
  for (const NearDuplicateKey& key : near_duplicate_keys(simhash))
    st.key_writes.push_back(
        KeyWrite{workspace_id, key.index, key.value, ts, uid, simhash, st.key_writes.size(), sign});
}

// A page's key rows are written in index order rather than record by record: consecutive writes land near
// each other in the index, so each descends through pages the one before it just read. Writes of one row
// keep their order; writes of different rows commute.
//
// New rows go to near_duplicate_keys_recent, a table small enough to stay in the page cache. While it holds
// SqliteStoreOptions::key_merge_rows or more, each commit moves one band of them into near_duplicate_keys in
// index order (merge_recent_keys). Ten rows a record land at ten random places of their index: in one large
// table, a commit late in a million-record import rewrote a page of it for almost every row (a 400,000-item
// import ran twice as fast with no key rows at all). A move of a band writes each page of the large table
// that holds the band at most once, for a hundred thousand rows.
Status SqliteStore::write_queued_keys(RecordStatements& st) {
  std::sort(st.key_writes.begin(), st.key_writes.end(),
            [](const KeyWrite& a, const KeyWrite& b) { return a.order() < b.order(); });
  for (const KeyWrite& k : st.key_writes) {
    auto run = [&](sqlite::Statement& stmt) -> Status {
      sqlite::ResetOnExit done(stmt);
      stmt.bind(1, k.workspace_id).bind(2, k.band).bind(3, k.value).bind(4, k.ts).bind(5, k.uid);
      if (k.sign > 0) stmt.bind(6, static_cast<std::int64_t>(k.simhash));
      return stmt.run();
    };
    if (k.sign > 0) {
      if (auto s = run(st.insert_key); !s) return s;
      ++st.keys_inserted;
    } else {
      if (auto s = run(st.delete_key); !s) return s;
      if (auto s = run(st.delete_recent_key); !s) return s;
    }
  }
  st.key_writes.clear();
  return {};
}

Result<std::int64_t> SqliteStore::merge_recent_keys(int band) {
  // One band at a time, a tenth of the rows (every record has one row in each): a commit that moves rows
  // rewrites at most the part of the large table that holds that band. The recent rows are read in their
  // key order, which is the large table's: inserts go in order, each next to the one before.
  for (std::string_view sql : {"INSERT OR IGNORE INTO near_duplicate_keys SELECT workspace_id, band, value, ts, uid, "
                               "simhash FROM near_duplicate_keys_recent WHERE band = ?1",
                               "DELETE FROM near_duplicate_keys_recent WHERE band = ?1"}) {
    auto st = db_.cached(sql);
    if (!st) return st.error();
    sqlite::ResetOnExit done(**st);
    if (auto s = (*st)->bind(1, band).run(); !s) return s.error();
  }
  // Counted anew rather than from the rows written: deletes (updated fingerprints, erasures, deleted
  // workspaces) take rows out of the table too.
  return count_recent_keys();
}

Result<std::int64_t> SqliteStore::count_recent_keys() {
  // The table is small and in the page cache.
  auto count = db_.cached("SELECT count(*) FROM near_duplicate_keys_recent");
  if (!count) return count.error();
  sqlite::ResetOnExit done(**count);
  if (auto row = (*count)->step(); !row) return row.error();
  return (*count)->int64(0);
}

Result<FeedbackRecord> SqliteStore::upsert_record(RecordStatements& st, const FeedbackRecord& in, bool& existed,
                                                  std::vector<std::string>* json) {
  st.select.reset();
  st.select.bind(1, in.workspace_id).bind(2, in.unique_identifier);
  auto row = st.select.step();
  if (!row) return row.error();
  FeedbackRecord r = in;
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
  std::string body = record_json(r);
  up.bind(12, search).bind(13, body).bind(14, r.rating);
  // A re-analysis without the raw item keeps the one stored before.
  if (r.raw_item.empty())
    up.bind_null(15);
  else
    up.bind(15, r.raw_item);
  if (auto s = up.run(); !s) return s.error();
  if (json) json->push_back(std::move(body));

  // A new record has no theme rows or keys to replace; an update with the same fingerprint and time keeps its keys.
  const bool same_keys = existed && old_simhash == r.simhash && old_ts == r.timestamp;
  if (existed) {
    st.delete_themes.reset();
    if (auto s = st.delete_themes.bind(1, r.workspace_id).bind(2, r.unique_identifier).run(); !s) return s.error();
    if (old_simhash != 0 && !same_keys)
      queue_keys(st, r.workspace_id, r.unique_identifier, old_simhash, old_ts, -1);
  }
  for (const auto& t : r.themes) {
    st.insert_theme.reset();
    st.insert_theme.bind(1, r.workspace_id).bind(2, r.unique_identifier).bind(3, t).bind(4, r.timestamp);
    if (auto s = st.insert_theme.run(); !s) return s.error();
  }
  if (r.simhash != 0 && !same_keys)
    queue_keys(st, r.workspace_id, r.unique_identifier, r.simhash, r.timestamp, +1);
  return r;
}

Status SqliteStore::write_page(RecordStatements& statements, PageCommit& page, std::vector<FeedbackRecord>& stored,
                               std::vector<std::string>* json) {
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
  for (const auto& r : page.records) {
    bool existed = false;
    auto s = upsert_record(statements, r, existed, json);
    if (!s) return s.error();
    stored.push_back(std::move(s.value()));
    fresh += existed ? 0 : 1;
  }
  if (auto s = write_queued_keys(statements); !s) return s;
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
  return write_pages(pages, nullptr);
}

Result<std::vector<FeedbackRecord>> SqliteStore::commit_pages_with_json(std::span<PageCommit> pages,
                                                                        std::vector<std::string>& json) {
  const std::size_t had = json.size();
  auto stored = write_pages(pages, &json);
  if (!stored) json.resize(had);  // a rolled-back batch hands nothing on
  return stored;
}

Result<std::vector<FeedbackRecord>> SqliteStore::write_pages(std::span<PageCommit> pages,
                                                             std::vector<std::string>* json) {
  std::lock_guard lock(mu_);
  sqlite::Transaction tx(db_);
  if (auto s = tx.begin(); !s) return s.error();
  auto statements = RecordStatements::prepare(db_);
  if (!statements) return statements.error();
  std::vector<FeedbackRecord> stored;
  std::size_t total = 0;
  for (const auto& page : pages) total += page.records.size();
  stored.reserve(total);
  if (json) json->reserve(json->size() + total);
  for (PageCommit& page : pages)
    if (auto s = write_page(*statements, page, stored, json); !s) return s.error();
  std::int64_t recent = recent_key_rows_ + statements->keys_inserted;
  const bool merge = recent >= options_.key_merge_rows;
  if (merge) {
    auto left = merge_recent_keys(next_merge_band_);
    if (!left) return left.error();
    recent = *left;
  }
  if (auto s = tx.commit(); !s) return s.error();
  recent_key_rows_ = recent;
  if (merge) {
    ++key_merges_;
    next_merge_band_ = (next_merge_band_ + 1) % kNearDuplicateKeys;
  }
  // The raw items were stored; the copies handed on (to the bus, to rollups) need not carry them.
  for (auto& r : stored) r.raw_item.clear();
  return stored;
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
  const NearDuplicateAsk ask{workspace_id, simhash, self, self_ts};
  auto found = lookup_near_duplicates(std::span(&ask, 1), max_distance);
  if (!found) return found.error();
  return found->front();
}

Result<std::vector<std::optional<std::int64_t>>> SqliteStore::lookup_near_duplicates(
    std::span<const NearDuplicateAsk> asks, int max_distance) {
  if (max_distance > kNearDuplicateKeyBits)
    return make_error(ErrorCode::bad_request,
                      "near-duplicate lookups reach at most " + std::to_string(kNearDuplicateKeyBits) + " bits");
  // The rule of core/near_duplicate_keys.hpp. A direct hit is one step down records_by_fingerprint. Each key's
  // rows are read newest first before the bound, at most kNearDuplicateScan of them (an index range the row
  // value ends, read backwards), and their fingerprints compared with the record's. A lookup reads a fixed number
  // of rows however many records share a key, identical, near or neither. The bound is a row value so that
  // SQLite ends the index range at it: written as "ts <= ? AND (ts < ? OR uid < ?)" the range ended at the time
  // alone, and a key whose rows all share one time (webhook items that carry one created_at) was read to its end.
  //
  // Each ask is answered as if alone: nothing is written between the steps. The steps run over all the asks,
  // each in the order of the index it seeks in (fingerprints, then each band's keys, then the candidates'
  // fingerprints), so that a page's seeks walk each index once instead of jumping about a large store.
  using Position = std::pair<TimeMs, std::int64_t>;  // (time, id): what "earlier" compares
  auto direct = db_.cached(
      "SELECT ts, uid FROM records WHERE workspace_id = ?1 AND simhash = ?2 AND (ts, uid) < (?3, ?4) AND uid <> ?5 "
      "ORDER BY ts, uid LIMIT 1");
  if (!direct) return direct.error();
  // The earliest record with this fingerprint before the bound, other than the asking one.
  auto direct_hit = [&](Id workspace_id, std::uint64_t fp, Position before,
                        std::int64_t self) -> Result<std::optional<Position>> {
    sqlite::Statement& st = **direct;
    sqlite::ResetOnExit done(st);
    st.bind(1, workspace_id).bind(2, static_cast<std::int64_t>(fp)).bind(3, before.first).bind(4, before.second);
    st.bind(5, self);
    auto row = st.step();
    if (!row) return row.error();
    if (!*row) return std::optional<Position>{};
    return std::optional<Position>{{st.int64(0), st.int64(1)}};
  };
  // A key's rows are in two tables (write_queued_keys). Each is read newest first down its index, and the two
  // streams are merged by (time, id): the rows read are those of one table holding both.
  static const std::array<std::string, 2> kNewestRows = [] {
    std::array<std::string, 2> sql;
    for (std::size_t t = 0; t < sql.size(); ++t)
      sql[t] = "SELECT simhash, ts, uid FROM " + std::string(kKeyTables[t]) +
               " WHERE workspace_id = ?1 AND band = ?2 AND value = ?3 AND (ts, uid) < (?4, ?5) AND uid <> ?6 ORDER BY "
               "ts DESC, uid DESC LIMIT ?7";
    return sql;
  }();
  std::array<sqlite::Statement*, 2> tables{};
  for (std::size_t t = 0; t < tables.size(); ++t) {
    auto q = db_.cached(kNewestRows[t]);
    if (!q) return q.error();
    tables[t] = *q;
  }

  const std::size_t n = asks.size();
  std::vector<std::optional<Position>> earliest(n);
  std::vector<Position> bound(n);
  std::vector<std::size_t> order;  // the asks with a fingerprint, in the order of the index sought next
  order.reserve(n);
  for (std::size_t i = 0; i < n; ++i)
    if (asks[i].simhash != 0) order.push_back(i);
  auto sort_by = [&](auto key) {
    std::sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
      return std::pair(asks[a].workspace_id, key(a)) < std::pair(asks[b].workspace_id, key(b));
    });
  };
  // 1. Direct hits, in the order of records_by_fingerprint.
  sort_by([&](std::size_t i) { return static_cast<std::int64_t>(asks[i].simhash); });
  for (std::size_t i : order) {
    auto hit = direct_hit(asks[i].workspace_id, asks[i].simhash, {asks[i].self_ts, asks[i].self}, asks[i].self);
    if (!hit) return hit.error();
    earliest[i] = *hit;
    bound[i] = earliest[i].value_or(Position{asks[i].self_ts, asks[i].self});
  }
  // 2. Each band's keys, in the order of the key tables: the candidates' fingerprints, one (fingerprint, ask)
  // pair for each within reach.
  std::vector<std::array<NearDuplicateKey, kNearDuplicateKeys>> keys(n);
  for (std::size_t i : order) keys[i] = near_duplicate_keys(asks[i].simhash);
  std::vector<std::pair<std::uint64_t, std::size_t>> near;
  for (int band = 0; band < kNearDuplicateKeys; ++band) {
    sort_by([&](std::size_t i) { return keys[i][band].value; });
    for (std::size_t i : order) {
      const NearDuplicateAsk& ask = asks[i];
      const NearDuplicateKey& key = keys[i][band];
      sqlite::ResetOnExit done_large(*tables[0]), done_recent(*tables[1]);
      std::array<bool, 2> has{};
      for (std::size_t t = 0; t < tables.size(); ++t) {
        sqlite::Statement& st = *tables[t];
        st.bind(1, ask.workspace_id).bind(2, key.index).bind(3, key.value).bind(4, bound[i].first);
        st.bind(5, bound[i].second).bind(6, ask.self).bind(7, kNearDuplicateScan);
        auto row = st.step();
        if (!row) return row.error();
        has[t] = *row;
      }
      for (int taken = 0; taken < kNearDuplicateScan && (has[0] || has[1]); ++taken) {
        auto at = [&](std::size_t t) { return Position{tables[t]->int64(1), tables[t]->int64(2)}; };
        const std::size_t t = !has[1] || (has[0] && at(0) > at(1)) ? 0 : 1;
        const auto fp = static_cast<std::uint64_t>(tables[t]->int64(0));
        if (std::popcount(fp ^ ask.simhash) <= max_distance) near.emplace_back(fp, i);
        auto row = tables[t]->step();
        if (!row) return row.error();
        has[t] = *row;
      }
    }
  }
  // 3. A candidate stands for its fingerprint's first record before the ask's bound: looked up once for each
  // (fingerprint, ask), in the order of records_by_fingerprint.
  std::sort(near.begin(), near.end(), [&](const auto& a, const auto& b) {
    return std::tuple(asks[a.second].workspace_id, static_cast<std::int64_t>(a.first), a.second) <
           std::tuple(asks[b.second].workspace_id, static_cast<std::int64_t>(b.first), b.second);
  });
  near.erase(std::unique(near.begin(), near.end()), near.end());
  for (const auto& [fp, i] : near) {
    auto first = direct_hit(asks[i].workspace_id, fp, bound[i], asks[i].self);
    if (!first) return first.error();
    if (*first && (!earliest[i] || **first < *earliest[i])) earliest[i] = *first;
  }
  std::vector<std::optional<std::int64_t>> out(n);
  for (std::size_t i = 0; i < n; ++i)
    if (earliest[i]) out[i] = earliest[i]->second;
  return out;
}

}  // namespace chorus::store
