// The parser's batches: a bus batch stored in one transaction and published at once gives the same records,
// byte for byte (near-duplicates included), and the same dead letters as the same messages one at a time.
#include <gtest/gtest.h>

#include <filesystem>
#include <random>
#include <regex>
#include <set>
#include <thread>

#include "api/metrics.hpp"
#include "bus/messages.hpp"
#include "core/secrets.hpp"
#include "roles/roles.hpp"

namespace chorus::roles {
namespace {

// One data dir with a real SQLite store and embedded bus, a customer, a workspace and a jsonl source.
struct Deployment {
  explicit Deployment(const std::string& name) {
    std::random_device rd;
    dir = std::filesystem::temp_directory_path() / ("chorus-parser-batch-" + name + "-" + std::to_string(rd()));
    store = std::move(store::open_sqlite_store(dir).value());
    bus = std::move(bus::open_embedded_bus(dir).value());
    auto customer = store->create_customer("acme", "hash-" + name);
    auto ws = store->create_workspace(customer->id, "app");
    workspace = ws->id;
    store::Source s;
    s.workspace_id = workspace;
    s.customer_id = customer->id;
    s.type = "jsonl";
    s.name = "survey";
    s.config = json::object{{"fields", json::object{{"id", "id"}, {"text", "text"}, {"timestamp", "at"}}}};
    s.sealed_secrets = box.seal("{}");
    source = store->create_source(s)->id;
  }
  ~Deployment() {
    bus.reset();
    store.reset();
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
  }
  RoleDeps deps() { return RoleDeps{*store, *bus, box, metrics}; }

  // Every record as stored, in (time, id) order, and what went to feedback.records.
  std::vector<std::string> records() {
    store::FeedbackFilter f;
    f.workspace_id = workspace;
    std::vector<std::string> out;
    auto page = store->query_feedback(f, 100000, std::nullopt);
    EXPECT_TRUE(page) << page.error().message;
    for (const auto& r : page->items) out.push_back(to_json_string(record_to_json(r)));
    return out;
  }
  std::vector<std::string> published() {
    auto consumer = bus->subscribe(bus::kFeedbackRecords, "test");
    std::vector<std::string> out;
    for (;;) {
      auto batch = (*consumer)->poll(1000, std::chrono::milliseconds(50));
      EXPECT_TRUE(batch);
      if (!batch || batch->empty()) break;
      for (const auto& m : *batch) out.push_back(m.payload);
    }
    return out;
  }

  std::filesystem::path dir;
  std::unique_ptr<store::Store> store;
  std::unique_ptr<bus::Bus> bus;
  SecretBox box = SecretBox::from_raw_key(std::string(32, 'k'));
  api::Metrics metrics;
  Id workspace = 0, source = 0;
};

json::object item(const std::string& id, const std::string& text, int day) {
  char at[32];
  std::snprintf(at, sizeof at, "2026-03-%02dT10:00:00Z", day);
  return json::object{{"id", id}, {"text", text}, {"at", at}};
}

// Pushes and webhooks-like single items: identical texts, near-identical ones, an item sent again with new
// words, items older than those before them, and items that cannot be mapped (no id).
std::vector<bus::Message> messages(Id workspace, Id source) {
  const std::vector<std::vector<json::object>> pages = {
      {item("a1", "Great app!", 10), item("a2", "Great app!", 9), item("a3", "The sync keeps failing on my phone", 12)},
      {item("b1", "Great app!", 8)},
      {item("b2", "The sync keeps failing on my phone!!", 11), json::object{{"text", "no id here"}}},
      {item("a3", "Now the export crashes every time I open it", 12), item("c1", "Great app!", 9)},
      {item("c2", "the sync keeps failing on my phone", 7), item("c3", "Love the new dark mode, thanks", 13)},
      {item("c4", "Great app!", 9), item("c4", "Great app!", 9), item("c5", "Now the export crashes every time I open it", 1)},
  };
  std::vector<bus::Message> out;
  std::int64_t offset = 0;
  for (const auto& items : pages) {
    bus::RawItems m;
    m.kind = bus::RawItems::Kind::push;
    m.workspace_id = workspace;
    m.source_id = source;
    m.source_type = "jsonl";
    for (const auto& it : items) m.items.push_back(it);
    m.received_at = 1773000000000 + offset;
    out.push_back(bus::Message{std::string(bus::kRawItems), std::to_string(workspace), bus::encode(m), 0, offset, 0});
    ++offset;
  }
  out.push_back(bus::Message{std::string(bus::kRawItems), std::to_string(workspace), "not json", 0, offset, 0});
  return out;
}

TEST(ParserBatch, OneTransactionPerBatchStoresWhatOneMessageAtATimeStores) {
  Deployment one("one"), batched("batched"), chunked("chunked");
  ASSERT_EQ(one.source, batched.source);
  auto input = messages(one.workspace, one.source);

  ParserRole one_parser(one.deps());
  for (const auto& m : input) ASSERT_TRUE(one_parser.process(m));
  ParserRole batched_parser(batched.deps());
  ASSERT_TRUE(batched_parser.process_batch(input));
  // Two records per transaction: a batch split in the middle of the messages gives the same again.
  ParserRole chunked_parser(chunked.deps(), ParserOptions{256, 2});
  ASSERT_TRUE(chunked_parser.process_batch(input));

  auto expected = one.records();
  ASSERT_EQ(expected.size(), 10u);
  EXPECT_EQ(batched.records(), expected);
  EXPECT_EQ(chunked.records(), expected);
  auto published = one.published();
  EXPECT_EQ(published.size(), 12u);  // a3 and c4 twice
  EXPECT_EQ(batched.published(), published);
  EXPECT_EQ(chunked.published(), published);
  // The item without an id and the unreadable message, one dead letter each.
  EXPECT_EQ(*one.store->count_dead_letters(one.workspace), 1);
  EXPECT_EQ(*batched.store->count_dead_letters(batched.workspace), 1);
  EXPECT_EQ(one.metrics.get("chorus_dead_letters_total"), 2);
  EXPECT_EQ(batched.metrics.get("chorus_dead_letters_total"), 2);

  // The near-duplicates are really there: the earliest "Great app!" (b1, day 8) is what the later copies name.
  auto b1 = make_unique_identifier(one.workspace, "jsonl", "b1");
  int naming_b1 = 0;
  for (const auto& body : expected)
    if (body.find("\"duplicate_of\":\"" + std::to_string(b1) + "\"") != std::string::npos) ++naming_b1;
  EXPECT_GE(naming_b1, 2);
}


// A workspace deleted while its items were on the bus: the parser drops them without error and without a dead
// letter (which would refer to it again), and nothing of it comes back.
TEST(ParserBatch, ItemsOfADeletedWorkspaceAreDroppedWithoutError) {
  Deployment d("deleted");
  auto input = messages(d.workspace, d.source);
  auto customer = d.store->get_workspace(1, d.workspace);
  ASSERT_TRUE(customer);
  ASSERT_TRUE(d.store->delete_workspace(customer->customer_id, d.workspace));
  ParserRole parser(d.deps());
  input.pop_back();  // the unreadable message is no one's: it still goes to the dead letters
  ASSERT_TRUE(parser.process_batch(input));
  for (const auto& m : input) ASSERT_TRUE(parser.process(m));
  EXPECT_TRUE(d.records().empty());
  EXPECT_TRUE(d.published().empty());
  EXPECT_EQ(d.store->count_dead_letters(d.workspace).value(), 0);
  EXPECT_FALSE(d.store->find_workspace(d.workspace)->has_value());
}

// The workspace's settings as the parser applies them: PII masked before analysis, raw items dropped, and items of
// an erased person dropped once the workspace asks for it.
TEST(ParserBatch, WorkspaceSettingsMaskPiiDropRawItemsAndErasedAuthors) {
  Deployment d("settings");
  store::Source s = d.store->get_source_by_id(d.source).value();
  s.config = json::object{{"fields", json::object{{"id", "id"}, {"text", "text"}, {"timestamp", "at"}, {"email", "mail"}}}};
  s.id = 0;
  auto src = d.store->create_source(s);
  ASSERT_TRUE(src);
  auto ws = d.store->get_workspace(1, d.workspace).value();
  ws.settings.redact = {"email", "card"};
  ws.settings.keep_raw = false;
  ws.settings.drop_erased_authors = true;
  ws.settings.author_salt = "pepper";
  ASSERT_TRUE(d.store->update_workspace(ws));
  ASSERT_TRUE(d.store->erase_person(d.workspace, store::PersonMatch{"email", "gone@example.com"},
                                    store::erased_author_hash("pepper", "email", "Gone@Example.com"), "admin"));
  auto with_mail = [](const std::string& id, const std::string& text, const std::string& mail) {
    auto o = item(id, text, 10);
    o["mail"] = mail;
    return o;
  };
  bus::RawItems m;
  m.kind = bus::RawItems::Kind::push;
  m.workspace_id = d.workspace;
  m.source_id = src->id;
  m.source_type = "jsonl";
  m.items = json::array{with_mail("k1", "Mail me at kim@example.com, card 4111111111111111 or 4111111111111112", "kim@example.com"),
                        with_mail("g1", "I asked to be forgotten", "GONE@example.com")};
  ParserRole parser(d.deps());
  ASSERT_TRUE(parser.process(bus::Message{std::string(bus::kRawItems), "k", bus::encode(m), 0, 0, 0}));
  store::FeedbackFilter f;
  f.workspace_id = d.workspace;
  auto page = d.store->query_feedback(f, 10, std::nullopt);
  ASSERT_TRUE(page);
  ASSERT_EQ(page->items.size(), 1u) << "the erased person's new item is dropped";
  EXPECT_EQ(page->items[0].text, "Mail me at [email], card [card] or 4111111111111112");
  EXPECT_EQ(page->items[0].email, "kim@example.com") << "the author field stays: erasure matches on it";
  auto stored = d.store->get_record(d.workspace, page->items[0].unique_identifier);
  ASSERT_TRUE(stored);
  EXPECT_TRUE(stored->raw_item.empty()) << "keep_raw is off";
}

// The bus in front of a real one, refusing one publish of feedback.records: later, from a thread of its own,
// as the embedded bus answers a write that failed.
class RefusingBus : public bus::Bus {
 public:
  RefusingBus(bus::Bus& real, int refuse_call) : real_(real), refuse_call_(refuse_call) {}
  ~RefusingBus() override {
    for (auto& t : answers_) t.join();
  }
  Status publish(std::string_view topic, std::span<const bus::OutgoingMessage> messages) override {
    return real_.publish(topic, messages);
  }
  void publish_async(std::string_view topic, std::vector<bus::OutgoingMessage> messages,
                     std::function<void(Status)> done) override {
    if (++calls_ != refuse_call_) return real_.publish_async(topic, std::move(messages), std::move(done));
    answers_.emplace_back([done = std::move(done)] {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
      done(make_error(ErrorCode::unavailable, "bus: disk full"));
    });
  }
  Result<std::unique_ptr<bus::Consumer>> subscribe(std::string_view topic, std::string_view group) override {
    return real_.subscribe(topic, group);
  }
  json::object health() override { return real_.health(); }
  std::string_view kind() const override { return "refusing"; }

 private:
  bus::Bus& real_;
  int refuse_call_, calls_ = 0;
  std::vector<std::thread> answers_;
};

// A chunk is published without waiting, so the chunks after it are stored before the bus answers. When the
// bus refuses one, the batch still fails (its messages are not committed), and trying it again publishes
// every record: none is lost, whichever chunk the bus refused.
TEST(ParserBatch, APublishRefusedWhileLaterChunksWereStoredFailsTheBatchAndTheRetryLosesNothing) {
  // A batch tried again stores its records anew: their revision moves on, and a copy may now name one stored by
  // the first try as its original. The rest of each record must be what one clean pass gives.
  const auto comparable = [](std::string body) {
    body = std::regex_replace(body, std::regex(R"("revision":\d+)"), "");
    return std::regex_replace(body, std::regex(R"("duplicate_of":("[-0-9]+"|null))"), "");
  };
  Deployment one("reference");
  auto input = messages(one.workspace, one.source);
  ParserRole reference(one.deps(), ParserOptions{256, 2});
  ASSERT_TRUE(reference.process_batch(input));
  std::set<std::string> expected_records, expected_published;
  for (const auto& body : one.records()) expected_records.insert(comparable(body));
  for (const auto& body : one.published()) expected_published.insert(comparable(body));
  ASSERT_EQ(expected_records.size(), 10u);

  for (int refused : {1, 2, 4}) {
    Deployment d("refused-" + std::to_string(refused));
    RefusingBus refusing(*d.bus, refused);
    ParserRole parser(RoleDeps{*d.store, refusing, d.box, d.metrics}, ParserOptions{256, 2});
    auto failed = parser.process_batch(input);
    ASSERT_FALSE(failed) << "publish " << refused << " was refused";
    EXPECT_NE(failed.error().message.find("disk full"), std::string::npos) << failed.error().message;
    ASSERT_TRUE(parser.process_batch(input)) << "the retry, after publish " << refused << " was refused";
    std::set<std::string> records, published;
    for (const auto& body : d.records()) records.insert(comparable(body));
    for (const auto& body : d.published()) published.insert(comparable(body));
    EXPECT_EQ(records, expected_records) << "refused " << refused;
    for (const auto& body : expected_published)
      EXPECT_TRUE(published.count(body)) << "refused " << refused << ": never published " << body;
  }
}

}  // namespace
}  // namespace chorus::roles
