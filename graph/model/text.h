#pragma once

// Text rules: UTF-8 validation and the tokens the name index stores.

#include <string>
#include <vector>

#include "absl/functional/function_ref.h"
#include "absl/strings/string_view.h"

namespace innograph {

// True when `s` is well-formed UTF-8 without NUL bytes.
bool IsValidUtf8(absl::string_view s);

// Search tokens of a name, alias or key, each lower-cased (ASCII only) and unique:
//  - every word: maximal runs of letters/digits that are not CJK ("Central", "south", "csu");
//  - every suffix of every run of CJK characters, at most 8 characters long, so that a prefix
//    scan over the tokens finds any substring of up to 8 CJK characters ("实验室" in
//    "岳麓山实验室").
//  - the whole text lower-cased, when it has several words (so "central south" matches as a
//    prefix of the whole name).
std::vector<std::string> IndexTokens(absl::string_view text);

// The tokens of IndexTokens(text) without building them: f(token) for each, in no particular
// order and possibly more than once (IndexTokens is the sorted set of what f sees). A token is
// a view into `text`, or into `*scratch` when it had to be lower-cased; it is valid during the
// call only.
void ForEachIndexToken(absl::string_view text, std::string* scratch,
                       absl::FunctionRef<void(absl::string_view)> f);

// The words of a search query, lower-cased; CJK runs are kept whole (a query "岳麓山实验室"
// is a single token matched as a substring).
std::vector<std::string> QueryTokens(absl::string_view query);

// The part of a query token that the index can match by prefix: the token itself, or for a CJK
// run longer than the 8 characters the index keeps, its first 8 characters (the caller then
// checks the whole token as a substring of the name).
std::string IndexablePrefix(absl::string_view token);

// ASCII lower-casing; other bytes unchanged.
std::string AsciiLower(absl::string_view s);

// Display width of a UTF-8 string on a terminal (East Asian wide characters count 2).
size_t DisplayWidth(absl::string_view s);

}  // namespace innograph
