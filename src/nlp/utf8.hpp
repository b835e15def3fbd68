// UTF-8 helpers for untrusted text: repair, decode, classify and lowercase code points.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace chorus::nlp {

// Returns valid UTF-8: each invalid byte becomes U+FFFD, NUL is dropped, tabs and other control
// characters become spaces, CR and CRLF become LF. Overlong forms and surrogates count as invalid.
std::string sanitize_utf8(std::string_view in);

// Decodes the code point at s[i] and advances i. Input must be valid UTF-8 (see sanitize_utf8); a stray
// byte still advances by one and yields U+FFFD, so loops always terminate.
char32_t next_code_point(std::string_view s, std::size_t& i);

void append_utf8(std::string& out, char32_t cp);

// Letters and digits of any script (approximate: every non-ASCII code point outside the punctuation,
// symbol and emoji blocks counts as a letter).
bool is_word_code_point(char32_t cp);
// Pictographic emoji and the symbols commonly used as emoji (hearts, stars, check marks).
bool is_emoji_code_point(char32_t cp);
// Variation selectors, zero-width joiners and skin-tone modifiers that decorate emoji.
bool is_emoji_modifier(char32_t cp);
// Han, Hiragana, Katakana, Hangul and Thai: scripts written without spaces between words.
bool is_unspaced_script(char32_t cp);

// Simple case folding for ASCII, Latin-1, Latin Extended-A, Greek and Cyrillic.
char32_t to_lower(char32_t cp);
std::string to_lower_utf8(std::string_view s);

}  // namespace chorus::nlp
