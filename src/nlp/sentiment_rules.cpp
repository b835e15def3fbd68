// Sentiment tables. Valences are on the lexicon's -4..+4 scale.
#include "nlp/sentiment_rules.hpp"

#include <algorithm>
#include <type_traits>
#include <unordered_map>
#include <utility>

#include "nlp/lexicons.hpp"
#include "nlp/utf8.hpp"

namespace chorus::nlp::sentiment_rules {

namespace {

constexpr std::string_view kIntensifiers[] = {
    "absolutely",   "amazingly",  "awfully",       "completely",   "considerably",  "decidedly",    "deeply",
    "effing",       "enormously", "entirely",      "especially",   "exceptionally", "extremely",    "fabulously",
    "flipping",     "flippin",    "fricking",      "frickin",      "frigging",      "friggin",      "fully",
    "fucking",      "greatly",    "hella",         "highly",       "hugely",        "incredibly",   "intensely",
    "majorly",      "more",       "most",          "particularly", "purely",        "quite",        "really",
    "remarkably",   "so",         "substantially", "thoroughly",   "totally",       "tremendously", "uber",
    "unbelievably", "unusually",  "utterly",       "very",         "super",         "insanely",     "truly",
    "seriously",    "soo",        "sooo",          "mega",         "ridiculously",  "terribly"};

constexpr std::string_view kDampeners[] = {"almost",       "barely", "hardly",   "less",     "little",   "marginally",
                                           "occasionally", "partly", "scarcely", "slightly", "somewhat", "kinda",
                                           "kindof",       "sorta",  "sortof",   "mildly"};

constexpr std::string_view kNegators[] = {
    "not",     "no",       "never",   "none",      "nobody",   "nothing",  "nowhere", "neither", "nor",
    "cannot",  "can't",    "cant",    "don't",     "dont",     "doesn't",  "doesnt",  "didn't",  "didnt",
    "isn't",   "isnt",     "aren't",  "arent",     "wasn't",   "wasnt",    "weren't", "werent",  "won't",
    "wont",    "wouldn't", "wouldnt", "shouldn't", "shouldnt", "couldn't", "couldnt", "haven't", "havent",
    "hasn't",  "hasnt",    "hadn't",  "hadnt",     "mustn't",  "mightn't", "needn't", "ain't",   "aint",
    "without", "rarely",   "seldom",  "despite",   "uh-uh",    "uhuh",     "nope"};

constexpr std::pair<std::string_view, float> kProductWords[] = {
    {"crash", -2.0f},
    {"crashes", -2.0f},
    {"crashed", -2.0f},
    {"crashing", -2.0f},
    {"crashy", -2.0f},
    {"freeze", -1.2f},
    {"freezes", -1.6f},
    {"froze", -1.6f},
    {"lag", -1.4f},
    {"lags", -1.4f},
    {"lagging", -1.5f},
    {"laggy", -1.8f},
    {"buggy", -2.0f},
    {"bug", -1.0f},
    {"bugs", -1.2f},
    {"glitch", -1.2f},
    {"glitches", -1.3f},
    {"glitchy", -1.8f},
    {"unusable", -2.5f},
    {"unresponsive", -1.8f},
    {"broken", -2.1f},
    {"errors", -1.7f},
    {"slow", -1.2f},
    {"sluggish", -1.4f},
    {"expensive", -1.2f},
    {"overpriced", -1.8f},
    {"clunky", -1.5f},
    {"bloated", -1.3f},
    {"outdated", -1.0f},
    {"incorrect", -1.5f},
    {"unstable", -1.6f},
    {"flaky", -1.5f},
    {"uninstalled", -1.2f},
    {"uninstalling", -1.2f},
    {"refund", -1.0f},
    {"ripoff", -2.5f},
    {"trash", -2.0f},
    {"junk", -2.0f},
    {"garbage", -2.2f},
    {"flaw", -1.3f},
    {"flaws", -1.3f},
    {"flawed", -1.5f},
    {"hassle", -1.5f},
    {"nonexistent", -1.2f},
    {"mediocre", -1.3f},
    {"flimsy", -1.5f},
    {"poorly", -1.8f},
    {"cheaply", -1.0f},
    // A noun in feedback ("customer support", "support for X"), not approval.
    {"support", 0.0f},
    // Words of requests and product features, not of opinion: "please add", "share a folder", "allow
    // guests", "restore a board", "I wish there was". ("free" keeps its valence, except as the name of a
    // tier: "the free plan"; see the sentiment stage.)
    {"please", 0.0f},
    {"pls", 0.0f},
    {"plz", 0.0f},
    {"share", 0.0f},
    {"shared", 0.0f},
    {"sharing", 0.0f},
    {"join", 0.0f},
    {"allow", 0.0f},
    {"grant", 0.0f},
    {"restore", 0.0f},
    {"active", 0.0f},
    {"clearly", 0.0f},
    {"wish", 0.3f},
    // What goes wrong, in the words feedback uses.
    {"blank", -1.0f},
    {"hangs", -1.5f},
    {"drains", -1.5f},
    {"stuck", -1.4f},
    {"backwards", -1.0f},
    {"upsells", -1.2f},
    {"upsell", -1.2f},
    {"upselling", -1.2f},
    {"ads", -0.8f},
    {"popups", -1.0f},
    {"bloated", -1.3f},
    {"issue", -1.0f},
    {"issues", -1.0f},
    {"intuitive", 1.8f},
    {"seamless", 2.0f},
    {"seamlessly", 2.0f},
    {"lifesaver", 2.8f},
    // Everyday judgements of a product that the general lexicon lacks, valued like their nearest synonyms in
    // it ("incredible" as "amazing", "unreliable" a little under "useless").
    {"incredible", 2.8f},
    {"exceptional", 2.6f},
    {"phenomenal", 3.0f},
    {"stellar", 2.5f},
    {"top-notch", 2.7f},
    {"coolest", 2.0f},
    {"reliable", 1.6f},
    {"sturdy", 1.4f},
    {"snappy", 1.5f},
    {"speedy", 1.5f},
    {"convenient", 1.5f},
    {"handy", 1.4f},
    {"smooth", 1.3f},
    {"smoothly", 1.3f},
    {"rock-solid", 2.0f},
    {"outperforms", 1.5f},
    {"unreliable", -1.8f},
    {"unable", -1.2f},  // "unable to log in": as "can't", which the general lexicon reads as a negation only
    {"stole", -2.2f},   // as "steal" and "stolen"
    {"malfunction", -1.8f},
    {"malfunctions", -1.8f},
    {"malfunctioning", -1.8f},
    {"overheats", -1.6f},
    {"overheating", -1.6f},
    {"junky", -2.0f},
    {"choppy", -1.4f},
    {"unintuitive", -1.6f},
    {"subpar", -1.6f},
    {"shoddy", -2.0f},
    {"janky", -1.8f},
    // What vanished: in feedback it is the user's data ("my photos disappeared").
    {"disappeared", -1.5f},
    {"vanished", -1.5f},
    {"wiped", -1.5f},
};

constexpr std::pair<char32_t, float> kEmoji[] = {
    {0x1F600, 2.0f},  {0x1F603, 2.2f},  {0x1F604, 2.2f},  {0x1F601, 2.0f},  {0x1F606, 1.8f},  {0x1F605, 0.8f},
    {0x1F602, 1.5f},  {0x1F923, 1.5f},  {0x1F642, 1.2f},  {0x1F60A, 2.0f},  {0x1F607, 1.5f},  {0x1F60D, 2.8f},
    {0x1F970, 2.8f},  {0x1F618, 2.0f},  {0x1F60E, 1.5f},  {0x1F929, 2.8f},  {0x1F44D, 1.8f},  {0x1F44F, 1.8f},
    {0x1F64C, 2.0f},  {0x1F4AF, 2.0f},  {0x1F389, 2.2f},  {0x2764, 2.5f},   {0x2665, 2.5f},   {0x1F495, 2.5f},
    {0x1F496, 2.5f},  {0x1F499, 2.3f},  {0x1F49A, 2.3f},  {0x1F49C, 2.3f},  {0x1F63B, 2.5f},  {0x2728, 1.0f},
    {0x2B50, 1.5f},   {0x1F31F, 1.5f},  {0x1F64F, 1.0f},  {0x2705, 1.0f},   {0x1F44C, 1.5f},  {0x1F4AA, 1.2f},
    {0x1F60B, 1.8f},  {0x263A, 2.0f},   {0x1F621, -2.8f}, {0x1F620, -2.5f}, {0x1F92C, -3.0f}, {0x1F61E, -2.0f},
    {0x1F622, -2.0f}, {0x1F62D, -2.2f}, {0x1F624, -1.8f}, {0x1F44E, -2.0f}, {0x1F4A9, -2.0f}, {0x1F641, -1.5f},
    {0x2639, -1.8f},  {0x1F612, -1.5f}, {0x1F629, -2.0f}, {0x1F62B, -2.0f}, {0x1F616, -2.0f}, {0x1F615, -1.2f},
    {0x1F92E, -2.5f}, {0x1F922, -2.0f}, {0x1F631, -1.5f}, {0x1F614, -1.5f}, {0x1F61F, -1.5f}, {0x1F926, -1.5f},
    {0x1F494, -2.5f}, {0x1F644, -1.5f},
};

constexpr std::pair<std::string_view, float> kShortcodes[] = {
    {":smile:", 2.0f},       {":smiley:", 2.2f},
    {":grinning:", 2.0f},    {":slight_smile:", 1.2f},
    {":blush:", 2.0f},       {":heart:", 2.5f},
    {":heart_eyes:", 2.8f},  {":+1:", 1.8f},
    {":thumbsup:", 1.8f},    {":tada:", 2.2f},
    {":joy:", 1.5f},         {":laughing:", 1.8f},
    {":pray:", 1.0f},        {":clap:", 1.8f},
    {":100:", 2.0f},         {":star:", 1.5f},
    {":star_struck:", 2.8f}, {":ok_hand:", 1.5f},
    {":sunglasses:", 1.5f},  {":white_check_mark:", 1.0f},
    {":-1:", -2.0f},         {":thumbsdown:", -2.0f},
    {":rage:", -2.8f},       {":angry:", -2.5f},
    {":cry:", -2.0f},        {":sob:", -2.2f},
    {":frowning:", -1.5f},   {":disappointed:", -2.0f},
    {":confused:", -1.2f},   {":slightly_frowning_face:", -1.5f},
    {":worried:", -1.5f},    {":unamused:", -1.5f},
    {":roll_eyes:", -1.5f},  {":face_with_rolling_eyes:", -1.5f},
    {":weary:", -2.0f},      {":tired_face:", -2.0f},
    {":poop:", -2.0f},       {":broken_heart:", -2.5f},
};

constexpr PhraseSpec kPhrases[] = {
    // Idioms whose words mislead a word-by-word reading.
    {"yeah right", -2.0f},
    {"can't wait", 2.0f},
    {"cant wait", 2.0f},
    {"cannot wait", 2.0f},
    {"kiss of death", -1.5f},
    {"hand to mouth", -2.0f},
    {"the bomb", 3.0f},
    {"the shit", 3.0f},
    {"bad ass", 1.5f},
    {"cut the mustard", 2.0f},
    {"upper hand", 1.0f},
    {"break a leg", 2.0f},
    {"cooking with gas", 2.0f},
    {"under the weather", -1.5f},
    {"let down", -1.8f},
    {"piece of cake", 1.8f},
    {"nothing short of", 0.0f},
    {"not to be missed", 2.0f},
    {"should not be missed", 2.0f},
    {"shouldn't be missed", 2.0f},
    {"waste of time", -2.5f},
    {"waste of money", -2.5f},
    // Advice not to waste anything is no praise, though its negation reads as one.
    {"don't waste your time", -2.5f},
    {"do not waste your time", -2.5f},
    {"don't waste your money", -2.5f},
    {"do not waste your money", -2.5f},
    {"worth every penny", 2.8f},
    {"rip off", -2.5f},
    {"game changer", 2.5f},
    {"works like a charm", 2.8f},
    {"hit or miss", -1.0f},
    {"cash grab", -2.0f},
    {"bait and switch", -2.0f},
    {"takes forever", -1.5f},
    {"too many", -1.2f},
    {"too long", -1.2f},
    {"too complicated", -1.5f},
    {"too slow", -1.5f},
    {"too expensive", -1.8f},
    {"instead of", -0.5f},
    {"won't let me", -1.5f},
    {"can't see", -1.2f},
    {"don't show up", -1.5f},
    {"doesn't show up", -1.5f},
    {"not showing", -1.5f},
    {"don't appear", -1.5f},
    {"doesn't appear", -1.5f},
    {"no results", -1.2f},
    // Data gone and nobody answering.
    {"deleted all", -2.0f},
    {"deleted my", -1.8f},
    {"no reply", -1.5f},
    {"no response", -1.5f},
    {"without a reply", -1.8f},
    {"without any reply", -1.8f},
    {"without a response", -1.8f},
    {"never replied", -1.8f},
    {"never heard back", -1.8f},
    {"still waiting", -1.5f},
    {"never arrived", -1.8f},
    {"never arrives", -1.5f},
    {"hasn't arrived", -1.5f},
    {"has not arrived", -1.5f},
    {"hasn't shipped", -1.5f},
    {"has not shipped", -1.5f},
    {"never again", -2.0f},
    {"my money back", -1.8f},
    // A warning to others.
    {"do not download", -2.5f},
    {"don't download", -2.5f},
    {"do not buy", -2.5f},
    {"don't buy", -2.5f},
    {"stay away", -2.0f},
    {"price hike", -1.8f},
    {"price hikes", -1.8f},
    // Absence of trouble reads as praise in feedback.
    {"no problems", 2.0f},
    {"no problem", 1.5f},
    {"no issues", 2.0f},
    {"no issue", 1.5f},
    {"no complaints", 2.0f},
    {"nothing to complain about", 2.0f},
    {"nothing wrong", 1.5f},
    {"never crashes", 2.0f},
    {"never crashed", 1.8f},
    {"works fine", 1.5f},
    {"works well", 1.8f},
    {"works perfectly", 2.8f},
    {"works as expected", 1.5f},
    {"just works", 2.0f},
    {"doesn't get any better", 3.0f},
    {"don't get any better", 3.0f},
    {"can't recommend it enough", 3.0f},
    {"cannot recommend it enough", 3.0f},
    {"can't recommend enough", 3.0f},
    {"thanks for nothing", -2.0f},
    {"save your money", -2.0f},
    {"save your cash", -2.0f},
    {"you get what you pay for", -1.5f},
    {"is a joke", -2.0f},
    {"stay away", -2.0f},
    // Things not working.
    {"doesn't work", -2.0f},
    {"does not work", -2.0f},
    {"didn't work", -1.8f},
    {"did not work", -1.8f},
    {"not working", -2.0f},
    {"isn't working", -2.0f},
    {"stopped working", -2.2f},
    {"stops working", -2.2f},
    {"won't load", -2.0f},
    {"will not load", -2.0f},
    {"doesn't load", -2.0f},
    {"not loading", -1.8f},
    {"won't open", -2.0f},
    {"won't start", -2.0f},
    {"doesn't open", -2.0f},
    {"can't log in", -1.8f},
    {"cannot log in", -1.8f},
    {"can't login", -1.8f},
    {"not responding", -1.8f},
    {"keeps crashing", -2.5f},
    {"keeps freezing", -2.3f},
    {"data loss", -2.5f},
    {"lost my data", -2.5f},
    {"lost all my data", -2.8f},
    {"lost all data", -2.5f},
    {"sync fails", -2.0f},
    {"sync failed", -2.0f},
    {"sync failing", -2.0f},
    {"sync is broken", -2.2f},
    {"not syncing", -2.0f},
    {"not correct", -1.5f},
    {"not fixed", -1.5f},
    {"still broken", -2.3f},
    {"still not fixed", -2.0f},
    // Requests for a fix imply something is wrong, however politely put.
    {"please fix", -1.0f},
    {"kindly fix", -1.0f},
    {"pls fix", -1.0f},
    {"plz fix", -1.0f},
    {"needs fixing", -1.0f},
    {"fix this", -0.8f},
    {"fix it", -0.6f},
};

std::vector<std::string> split_words(std::string_view text) {
  std::vector<std::string> words;
  std::size_t i = 0;
  while (i < text.size()) {
    std::size_t sp = text.find(' ', i);
    if (sp == std::string_view::npos) sp = text.size();
    if (sp > i) words.emplace_back(text.substr(i, sp - i));
    i = sp + 1;
  }
  return words;
}

void add_phrase(PhraseIndex& index, std::vector<std::string> words, float valence,
                const std::function<bool(std::string_view)>& negator) {
  // A phrase that holds its own negation ("not bad", "ne fonctionne pas", "funktioniert nicht") is not negated
  // again by a negator before it or, in French, by its own "pas" after its first word.
  bool self_negating = std::any_of(words.begin(), words.end(), [&](const std::string& w) { return negator(w); });
  auto& bucket = index[words.front()];
  bucket.push_back(Phrase{std::move(words), valence, self_negating});
}

template <class Key, std::size_t N>
auto make_map(const std::pair<Key, float> (&entries)[N]) {
  if constexpr (std::is_same_v<Key, std::string_view>) {
    WordValence map;
    for (const auto& [k, v] : entries) map.emplace(k, v);
    return map;
  } else {
    std::unordered_map<Key, float> map;
    for (const auto& [k, v] : entries) map.emplace(k, v);
    return map;
  }
}

template <class Map, class Key>
std::optional<float> find_in(const Map& map, const Key& key) {
  auto it = map.find(key);
  if (it == map.end()) return std::nullopt;
  return it->second;
}

}  // namespace

double degree_modifier(std::string_view word) {
  static const WordSet intensifiers = make_word_set(kIntensifiers);
  static const WordSet dampeners = make_word_set(kDampeners);
  if (intensifiers.find(word) != intensifiers.end()) return kBoosterStep;
  if (dampeners.find(word) != dampeners.end()) return -kBoosterStep;
  return 0.0;
}

bool is_negator(std::string_view word) {
  static const WordSet negators = make_word_set(kNegators);
  if (negators.find(word) != negators.end()) return true;
  return word.size() > 3 && word.substr(word.size() - 3) == "n't";
}

std::optional<float> product_word_valence(std::string_view word) {
  static const auto table = make_map(kProductWords);
  return find_in(table, word);
}

std::optional<float> emoji_valence(char32_t cp) {
  static const auto table = make_map(kEmoji);
  return find_in(table, cp);
}

std::optional<float> shortcode_valence(std::string_view shortcode) {
  static const auto table = make_map(kShortcodes);
  return find_in(table, shortcode);
}

PhraseIndex index_phrases(const PhraseSpec* specs, std::size_t count,
                          const std::function<bool(std::string_view)>& negator) {
  PhraseIndex index;
  for (std::size_t k = 0; k < count; ++k) {
    std::vector<std::string> words = split_words(specs[k].text);
    if (words.empty()) continue;
    std::vector<std::string> bare = words;
    bool had_apostrophe = false;
    for (auto& w : bare) {
      auto it = std::remove(w.begin(), w.end(), '\'');
      had_apostrophe |= it != w.end();
      w.erase(it, w.end());
    }
    // And without accents ("nao funciona" for "não funciona"), as Vocabulary knows its words.
    std::vector<std::string> plain = words;
    bool had_accent = false;
    for (auto& w : plain) {
      if (std::string folded = fold_accents(w); !folded.empty()) {
        w = std::move(folded);
        had_accent = true;
      }
    }
    add_phrase(index, std::move(words), specs[k].valence, negator);
    if (had_apostrophe) add_phrase(index, std::move(bare), specs[k].valence, negator);
    if (had_accent) add_phrase(index, std::move(plain), specs[k].valence, negator);
  }
  for (auto& [first, bucket] : index) {
    std::stable_sort(bucket.begin(), bucket.end(),
                     [](const Phrase& a, const Phrase& b) { return a.words.size() > b.words.size(); });
  }
  return index;
}

const std::vector<Phrase>* phrases_starting_with(std::string_view first) {
  static const PhraseIndex index = index_phrases(kPhrases, std::size(kPhrases), is_negator);
  auto it = index.find(first);
  return it == index.end() ? nullptr : &it->second;
}

}  // namespace chorus::nlp::sentiment_rules
