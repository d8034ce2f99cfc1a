#include "graph/model/text.h"

#include <algorithm>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace innograph {
namespace {

using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::IsEmpty;
using ::testing::Not;
using ::testing::UnorderedElementsAre;

// Code points in a valid UTF-8 string (counts the bytes that are not continuation bytes).
size_t CodePoints(const std::string& s) {
  return std::count_if(s.begin(), s.end(),
                       [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; });
}

struct Utf8Case {
  const char* what;
  std::string bytes;
  bool valid;
};

TEST(Text, IsValidUtf8) {
  const Utf8Case cases[] = {
      {"empty", "", true},
      {"ASCII", "Central South University", true},
      {"CJK", "邹学校", true},
      {"smallest 2-byte", "\xC2\x80", true},
      {"largest 2-byte", "\xDF\xBF", true},
      {"smallest 3-byte", "\xE0\xA0\x80", true},
      {"last before surrogates", "\xED\x9F\xBF", true},
      {"first after surrogates", "\xEE\x80\x80", true},
      {"U+FFFF", "\xEF\xBF\xBF", true},
      {"smallest 4-byte", "\xF0\x90\x80\x80", true},
      {"emoji", "\xF0\x9F\x98\x80", true},
      {"U+10FFFF", "\xF4\x8F\xBF\xBF", true},
      {"overlong NUL", "\xC0\x80", false},
      {"overlong 2-byte", "\xC1\xBF", false},
      {"overlong 3-byte", "\xE0\x80\x80", false},
      {"overlong 3-byte max", "\xE0\x9F\xBF", false},
      {"overlong 4-byte", "\xF0\x80\x80\x80", false},
      {"overlong 4-byte max", "\xF0\x8F\xBF\xBF", false},
      {"high surrogate", "\xED\xA0\x80", false},
      {"low surrogate", "\xED\xBF\xBF", false},
      {"surrogate pair (CESU-8)", "\xED\xA0\xBD\xED\xB8\x80", false},
      {"above U+10FFFF", "\xF4\x90\x80\x80", false},
      {"F5 lead byte", "\xF5\x80\x80\x80", false},
      {"5-byte form", "\xF8\x88\x80\x80\x80", false},
      {"FF byte", "abc\xFF", false},
      {"lone continuation", "\x80", false},
      {"continuation after ASCII", "a\xBF", false},
      {"truncated 2-byte", "\xC3", false},
      {"truncated 3-byte", "\xE9\x82", false},
      {"truncated 4-byte", "a\xF0\x9F\x98", false},
      {"ASCII in continuation", "\xE9\x41\x80", false},
      {"NUL", std::string("a\0b", 3), false},
      {"only NUL", std::string(1, '\0'), false},
      // Long enough for the eight-bytes-at-a-time ASCII scan: a bad byte in every position of
      // a word, and after it.
      {"NUL in the first word", std::string("abcdefg\0xyz", 11), false},
      {"NUL as the first byte of a word", std::string("\0bcdefghxyz", 11), false},
      {"NUL in the second word", std::string("abcdefghij\0lmnop", 17), false},
      {"FF in a word", "abcdefghijk\xFFmnop", false},
      {"FF after two words", "abcdefghijklmnop\xFF", false},
      {"CJK after two words", "abcdefghijklmnop邹学校", true},
      {"CJK between words", "abcdefgh邹abcdefgh", true},
      {"truncated after a word", "abcdefgh\xE9\x82", false},
      {"overlong after a word",
       "abcdefgh\xC0\x80"
       "abcdefgh",
       false},
  };
  for (const Utf8Case& c : cases) {
    EXPECT_EQ(IsValidUtf8(c.bytes), c.valid) << c.what;
  }
}

TEST(Text, IndexTokensLowerCasesAsciiWordsAndAddsWholeText) {
  EXPECT_THAT(IndexTokens("Central South University"),
              ElementsAre("central", "central south university", "south", "university"));
}

TEST(Text, IndexTokensOfOneWordIsTheWord) { EXPECT_THAT(IndexTokens("CSU"), ElementsAre("csu")); }

TEST(Text, IndexTokensAreSortedAndUnique) {
  const std::vector<std::string> tokens = IndexTokens("Lab LAB lab Alpha");
  EXPECT_THAT(tokens, ElementsAre("alpha", "lab", "lab lab lab alpha"));
  EXPECT_TRUE(std::is_sorted(tokens.begin(), tokens.end()));
}

TEST(Text, IndexTokensProduceCjkSuffixes) {
  const std::vector<std::string> tokens = IndexTokens("岳麓山实验室");
  EXPECT_THAT(tokens, Contains("实验室"));
  EXPECT_THAT(tokens, Contains("岳麓山实验室"));
  EXPECT_THAT(tokens, UnorderedElementsAre("岳麓山实验室", "麓山实验室", "山实验室", "实验室",
                                           "验室", "室"));
}

TEST(Text, IndexTokensLimitCjkTokensToEightCharacters) {
  const std::string text = "一二三四五六七八九十";  // 10 CJK characters.
  const std::vector<std::string> tokens = IndexTokens(text);
  EXPECT_EQ(tokens.size(), 10u);  // One per starting position.
  for (const std::string& t : tokens) EXPECT_LE(CodePoints(t), 8u) << t;
  EXPECT_THAT(tokens, Contains("一二三四五六七八"));
  EXPECT_THAT(tokens, Contains("三四五六七八九十"));
  EXPECT_THAT(tokens, Contains("十"));
  // Every substring of up to 8 characters is a prefix of some token.
  const std::vector<std::string> chars = {"一", "二", "三", "四", "五",
                                          "六", "七", "八", "九", "十"};
  for (size_t begin = 0; begin < chars.size(); ++begin) {
    std::string sub;
    for (size_t end = begin; end < chars.size() && end - begin < 8; ++end) {
      sub += chars[end];
      EXPECT_TRUE(std::any_of(tokens.begin(), tokens.end(), [&](const std::string& t) {
        return t.rfind(sub, 0) == 0;
      })) << sub;
    }
  }
}

TEST(Text, IndexTokensSplitMixedScriptsAndPunctuation) {
  EXPECT_THAT(IndexTokens("CSU 中南大学"),
              UnorderedElementsAre("csu", "中南大学", "南大学", "大学", "学", "csu 中南大学"));
  EXPECT_THAT(IndexTokens("person/zou-xuexiao"),
              UnorderedElementsAre("person", "zou", "xuexiao", "person/zou-xuexiao"));
  // Fullwidth parentheses and CJK punctuation separate runs.
  EXPECT_THAT(IndexTokens("湘江（长沙）"),
              UnorderedElementsAre("湘江", "江", "长沙", "沙", "湘江（长沙）"));
  EXPECT_THAT(IndexTokens("4+4 科创工程"), Contains("4"));
  EXPECT_THAT(IndexTokens("4+4 科创工程"), Contains("工程"));
}

TEST(Text, IndexTokensKeepNonAsciiLettersInWords) {
  EXPECT_THAT(IndexTokens("Zürich"), ElementsAre("zürich"));
}

TEST(Text, IndexTokensOfPunctuationOnlyIsEmpty) {
  EXPECT_THAT(IndexTokens(""), IsEmpty());
  EXPECT_THAT(IndexTokens("  - / ."), IsEmpty());
}

TEST(Text, QueryTokensLowerCaseWordsAndKeepCjkRunsWhole) {
  EXPECT_THAT(QueryTokens("Xiangjiang Lab"), ElementsAre("xiangjiang", "lab"));
  EXPECT_THAT(QueryTokens("岳麓山实验室"), ElementsAre("岳麓山实验室"));
  EXPECT_THAT(QueryTokens("CSU中南"), ElementsAre("csu", "中南"));
  EXPECT_THAT(QueryTokens("lab/xiangjiang"), ElementsAre("lab", "xiangjiang"));
  EXPECT_THAT(QueryTokens("  ...  "), IsEmpty());
  EXPECT_THAT(QueryTokens(""), IsEmpty());
  // A query token never gets the CJK suffixes an index token gets.
  EXPECT_THAT(QueryTokens("实验室"), Not(Contains("室")));
}

TEST(Text, AsciiLowerLeavesOtherBytesAlone) {
  EXPECT_EQ(AsciiLower("ABC xyz Ünï 湘江"), "abc xyz Ünï 湘江");
}

TEST(Text, DisplayWidthCountsWideCharactersTwice) {
  EXPECT_EQ(DisplayWidth("邹学校"), 6u);
  EXPECT_EQ(DisplayWidth(""), 0u);
  EXPECT_EQ(DisplayWidth("abc"), 3u);
  EXPECT_EQ(DisplayWidth("CSU 中南"), 8u);
  EXPECT_EQ(DisplayWidth("（"), 2u);    // Fullwidth parenthesis.
  EXPECT_EQ(DisplayWidth("カ한"), 4u);  // Kana and Hangul.
  EXPECT_EQ(DisplayWidth("Zürich"), 6u);
}

}  // namespace
}  // namespace innograph
