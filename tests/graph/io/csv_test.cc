#include "graph/io/csv.h"

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <thread>
#include <variant>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace innograph::io {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

const Schema& S() { return *Schema::Default(); }
KindId Kind(absl::string_view name) { return S().FindKind(name)->id; }
TypeId Type(absl::string_view name) { return S().FindType(name)->id; }
Date D(const char* text) { return *ParseDate(text, DateRounding::kStart); }

std::unique_ptr<CsvParser> MakeParser(CsvParser::Table table, absl::string_view header) {
  absl::StatusOr<std::unique_ptr<CsvParser>> p = CsvParser::Create(table, S(), header);
  EXPECT_TRUE(p.ok()) << header << ": " << p.status();
  return p.ok() ? std::move(*p) : nullptr;
}

Node ParseNode(const CsvParser& p, absl::string_view line) {
  absl::StatusOr<JsonlRecord> rec = p.Parse(line);
  EXPECT_TRUE(rec.ok()) << line << ": " << rec.status();
  if (!rec.ok() || !std::holds_alternative<Node>(*rec)) {
    ADD_FAILURE() << "not a node: " << line;
    return Node();
  }
  return std::get<Node>(*rec);
}

EdgeWrite ParseEdge(const CsvParser& p, absl::string_view line) {
  absl::StatusOr<JsonlRecord> rec = p.Parse(line);
  EXPECT_TRUE(rec.ok()) << line << ": " << rec.status();
  if (!rec.ok() || !std::holds_alternative<EdgeWrite>(*rec)) {
    ADD_FAILURE() << "not an edge: " << line;
    return EdgeWrite();
  }
  return std::get<EdgeWrite>(*rec);
}

// ---------------------------------------------------------------------------------------------
// SplitCsvLine

TEST(SplitCsvLine, SplitsAndUnquotesFields) {
  struct Case {
    std::string line;
    std::vector<std::string> fields;
  };
  const std::vector<Case> cases = {
      {"a,b,c", {"a", "b", "c"}},
      {"", {""}},
      {",", {"", ""}},
      {"a,", {"a", ""}},
      {",,x", {"", "", "x"}},
      {"\"a,b\",c", {"a,b", "c"}},
      {"\"a\"\"b\"", {"a\"b"}},
      {"\"\"\"\"", {"\""}},
      {"\"\"", {""}},
      {"\"\",\"\"", {"", ""}},
      {"x,\"say \"\"hi\"\", then, go\",y", {"x", "say \"hi\", then, go", "y"}},
      {"\"a\"\"b\",\"c\"\"d\"", {"a\"b", "c\"d"}},
      {"中南大学,\"长沙市,岳麓区\",湖南", {"中南大学", "长沙市,岳麓区", "湖南"}},
      {"5\" disk,b", {"5\" disk", "b"}},  // A quote inside an unquoted field is kept.
      {" a , b ", {" a ", " b "}},        // Spaces are data.
      {"a\tb", {"a\tb"}},
  };
  for (const Case& c : cases) {
    absl::Status status;
    EXPECT_EQ(SplitCsvLine(c.line, &status), c.fields) << c.line;
    EXPECT_TRUE(status.ok()) << c.line << ": " << status;
  }
}

// Lines of every length up to 80 bytes with commas, quotes and multi-byte text at every
// position (both sides of each 16-byte step of the vectorised scan) split as a plain
// byte-by-byte reading of the format does.
std::vector<std::string> ReferenceSplit(absl::string_view line) {
  std::vector<std::string> fields;
  std::string cur;
  size_t i = 0;
  while (true) {
    if (i < line.size() && line[i] == '"') {
      // Quoted: up to the closing quote, "" is a quote (the test lines are well formed).
      for (++i; !(line[i] == '"' && (i + 1 == line.size() || line[i + 1] != '"')); ++i) {
        cur.push_back(line[i]);
        if (line[i] == '"') ++i;
      }
      ++i;
    } else {
      while (i < line.size() && line[i] != ',') cur.push_back(line[i++]);
    }
    fields.push_back(std::move(cur));
    cur.clear();
    if (i == line.size()) return fields;
    ++i;  // The comma.
  }
}

TEST(SplitCsvLine, EveryLengthAndPositionMatchesAReferenceSplit) {
  const std::vector<std::string> pieces = {"a",  ",",      "bc",    "中",
                                           ",,", "\"q,\"", "5\" x", "\"\"\"\""};
  uint64_t state = 1;
  for (int round = 0; round < 4000; ++round) {
    std::string line;
    const size_t target = round % 81;
    while (line.size() < target) {
      state = state * 6364136223846793005ull + 1442695040888963407ull;
      // Quoted pieces only at a field's start, so that every line is well formed.
      const std::string& piece = pieces[(state >> 33) % pieces.size()];
      if (piece[0] == '"' && !(line.empty() || line.back() == ',')) continue;
      if (!line.empty() && line.back() == '"' && piece != ",") {
        line += ",";
        continue;
      }
      line += piece;
    }
    absl::Status status;
    EXPECT_EQ(SplitCsvLine(line, &status), ReferenceSplit(line)) << "'" << line << "'";
    EXPECT_TRUE(status.ok()) << line << ": " << status;
  }
}

TEST(CsvParser, FindsBadBytesAnywhereInALongLine) {
  // A NUL or a broken sequence past the first 16 bytes of a quote-free line is still found,
  // and named by its column.
  std::unique_ptr<CsvParser> p =
      MakeParser(CsvParser::Table::kEdges, "from,type,to,valid_from,valid_to,role");
  ASSERT_NE(p, nullptr);
  const std::string good = "person/aaaaaaaaaa,EMPLOYED_BY,univ/bbbbbbbbbbbb,2001,2002,";
  for (size_t at = 0; at <= 24; ++at) {
    for (const std::string& bad :
         {std::string(1, '\0'), std::string("\xe4\xb8"), std::string("\xff")}) {
      const std::string line = good + std::string(at, 'r') + bad + "x";
      absl::StatusOr<JsonlRecord> rec = p->Parse(line);
      ASSERT_FALSE(rec.ok()) << at;
      EXPECT_THAT(rec.status().message(), HasSubstr("column 'role': invalid UTF-8")) << at;
    }
    // Valid multi-byte text there is fine.
    EXPECT_TRUE(p->Parse(good + std::string(at, 'r') + "教授").ok()) << at;
  }
}

TEST(SplitCsvLine, RefusesMalformedQuoting) {
  struct Case {
    std::string line;
    std::string message;
  };
  const std::vector<Case> cases = {
      {"\"abc", "unterminated quoted field"},
      {"a,\"b", "unterminated quoted field"},
      {"a,\"b\"\"", "unterminated quoted field"},
      {"\"x\"\",y", "unterminated quoted field"},
      {"\"a\"b,c", "unexpected text after the closing quote of field 1"},
      {"x,\"a\" ,c", "unexpected text after the closing quote of field 2"},
  };
  for (const Case& c : cases) {
    absl::Status status;
    SplitCsvLine(c.line, &status);
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << c.line;
    EXPECT_THAT(status.message(), HasSubstr(c.message)) << c.line;
  }
}

// ---------------------------------------------------------------------------------------------
// CsvParser::Create

TEST(CsvParserCreate, AcceptsHeadersInAnyOrderWithBomSpacesAndCrlf) {
  std::unique_ptr<CsvParser> p =
      MakeParser(CsvParser::Table::kNodes, "\xEF\xBB\xBF name , kind,key,\"free\",year:int\r");
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(p->table(), CsvParser::Table::kNodes);
  EXPECT_THAT(p->columns(), ElementsAre("name", "kind", "key", "free", "year:int"));
  Node n = ParseNode(*p, "中南大学,University,univ/csu,x,1903\r");
  EXPECT_EQ(n.key, "univ/csu");
  EXPECT_EQ(n.name, "中南大学");
  EXPECT_EQ(n.properties, (PropertyMap{{"free", std::string("x")}, {"year", int64_t{1903}}}));
}

TEST(CsvParserCreate, RefusesBadHeaders) {
  struct Case {
    CsvParser::Table table;
    std::string header;
    std::string message;
  };
  const auto kNodes = CsvParser::Table::kNodes;
  const auto kEdges = CsvParser::Table::kEdges;
  const std::vector<Case> cases = {
      {kNodes, "key,name", "required column 'kind' is missing"},
      {kNodes, "kind,name", "required column 'key' is missing"},
      {kNodes, "key,kind", "required column 'name' is missing"},
      {kNodes, "from,type,to", "required column 'key' is missing"},
      {kEdges, "from,type", "required column 'to' is missing"},
      {kEdges, "key,kind,name", "required column 'from' is missing"},
      {kNodes, "key,kind,name,key", "duplicate column 'key'"},
      {kNodes, "key,kind,name,field,field", "duplicate column 'field'"},
      {kNodes, "key,kind,name, field ,field", "duplicate column 'field'"},
      {kEdges, "from,type,to,year:int,year:int", "duplicate column 'year:int'"},
      {kNodes, "key,kind,name,", "column 4 has no name"},
      {kNodes, "key,,kind,name", "column 2 has no name"},
      {kNodes, "key,kind,name,founded:time", "column 'founded:time': unknown type 'time'"},
      {kNodes, "key,kind,name,:int", "column ':int': a property name must be"},
      {kNodes, "key,kind,name,birth year", "column 'birth year': a property name must be"},
      {kNodes, "key,kind,name,出生年", "column '出生年': a property name must be"},
      {kNodes, "key,kind,name,\"field", "header: unterminated quoted field"},
      {kNodes, "key,kind,name,\xff", "column 4: invalid UTF-8"},
  };
  for (const Case& c : cases) {
    absl::StatusOr<std::unique_ptr<CsvParser>> p = CsvParser::Create(c.table, S(), c.header);
    ASSERT_FALSE(p.ok()) << c.header;
    EXPECT_EQ(p.status().code(), absl::StatusCode::kInvalidArgument) << c.header;
    EXPECT_THAT(p.status().message(), HasSubstr(c.message)) << c.header;
  }
}

// ---------------------------------------------------------------------------------------------
// CsvParser::Parse, nodes

TEST(CsvParserNodes, ParsesAFullRow) {
  std::unique_ptr<CsvParser> p = MakeParser(
      CsvParser::Table::kNodes, "key,kind,name,aliases,sources,abbreviation,founded,rank:int");
  ASSERT_NE(p, nullptr);
  Node n = ParseNode(*p,
                     "univ/csu,University,中南大学,Central South University|CSU,"
                     "\"source/wiki#intro, para 1|https://example.org/x\",CSU,2000-04-29,3");
  EXPECT_EQ(n.key, "univ/csu");
  EXPECT_EQ(n.kind, Kind("University"));
  EXPECT_EQ(n.name, "中南大学");
  EXPECT_THAT(n.aliases, ElementsAre("Central South University", "CSU"));
  EXPECT_THAT(n.sources, ElementsAre(Citation{"source/wiki", "intro, para 1"},
                                     Citation{"https://example.org/x", ""}));
  EXPECT_EQ(n.properties, (PropertyMap{{"abbreviation", std::string("CSU")},
                                       {"founded", D("2000-04-29")},
                                       {"rank", int64_t{3}}}));
  EXPECT_FALSE(n.id.valid());
}

TEST(CsvParserNodes, ParsesQuotedCellsAndListEscapes) {
  std::unique_ptr<CsvParser> p =
      MakeParser(CsvParser::Table::kNodes, "key,kind,name,aliases,sources");
  ASSERT_NE(p, nullptr);
  Node n = ParseNode(*p,
                     "lab/x,Laboratory,\"岳麓山实验室, \"\"Yuelu\"\"\",\"A\\|B|C\\\\D|E\\#F|G\\H\","
                     "\"https://example.org/page\\#top#sec. 2, \\#3|source/b|source/c#a\\|b\"");
  EXPECT_EQ(n.name, "岳麓山实验室, \"Yuelu\"");
  EXPECT_THAT(n.aliases, ElementsAre("A|B", "C\\D", "E#F", "G\\H"));
  EXPECT_THAT(n.sources, ElementsAre(Citation{"https://example.org/page#top", "sec. 2, #3"},
                                     Citation{"source/b", ""}, Citation{"source/c", "a|b"}));
}

TEST(CsvParserNodes, PropertyTypesFollowSchemaThenHeaderThenString) {
  std::unique_ptr<CsvParser> p = MakeParser(
      CsvParser::Table::kNodes,
      "key,kind,name,founded,year,budget:int,note,score:double,active:bool,since:date,n:int,"
      "s:string,kind:string");
  ASSERT_NE(p, nullptr);
  // University declares founded (date); Award declares year (int); Project declares budget
  // (double, wins over the header's int).
  Node u = ParseNode(*p, "univ/a,University,A,1903,,,free text,2.5,true,2001-05,-7,0042,k");
  EXPECT_EQ(u.properties, (PropertyMap{{"founded", D("1903-01-01")},
                                       {"note", std::string("free text")},
                                       {"score", 2.5},
                                       {"active", true},
                                       {"since", D("2001-05-01")},
                                       {"n", int64_t{-7}},
                                       {"s", std::string("0042")},
                                       {"kind", std::string("k")}}));
  Node a = ParseNode(*p, "award/x,Award,X,,2021,,,,false,,,,");
  EXPECT_EQ(a.properties, (PropertyMap{{"year", int64_t{2021}}, {"active", false}}));
  Node pr = ParseNode(*p, "project/x,Project,X,,,12,,,,,,,");
  EXPECT_EQ(pr.properties, (PropertyMap{{"budget", 12.0}}));
  // Undeclared for Person: founded and year stay strings.
  Node per = ParseNode(*p, "person/x,Person,X,1903,MMXXI,,,,,,,,");
  EXPECT_EQ(per.properties,
            (PropertyMap{{"founded", std::string("1903")}, {"year", std::string("MMXXI")}}));
}

TEST(CsvParserNodes, BlankLinesAreNothing) {
  std::unique_ptr<CsvParser> p = MakeParser(CsvParser::Table::kNodes, "key,kind,name");
  ASSERT_NE(p, nullptr);
  for (absl::string_view line : {"", "\r", "  ", "\t\r\n"}) {
    absl::StatusOr<JsonlRecord> rec = p->Parse(line);
    ASSERT_TRUE(rec.ok()) << rec.status();
    EXPECT_TRUE(std::holds_alternative<std::monostate>(*rec));
  }
}

// ---------------------------------------------------------------------------------------------
// CsvParser::Parse, edges

TEST(CsvParserEdges, ParsesAFullRow) {
  std::unique_ptr<CsvParser> p =
      MakeParser(CsvParser::Table::kEdges,
                 "from,type,to,valid_from,valid_to,weight,key,sources,rank,grade,role,note:int");
  ASSERT_NE(p, nullptr);
  EdgeWrite w = ParseEdge(*p,
                          "person/zou,RECEIVED,award/x,2023-02-24,,1.5,recv/1,"
                          "source/a#table 2,2,一等奖,,");
  EXPECT_EQ(w.from_key, "person/zou");
  EXPECT_EQ(w.to_key, "award/x");
  EXPECT_EQ(w.edge.type, Type("RECEIVED"));
  EXPECT_EQ(w.edge.valid.from, D("2023-02-24"));
  EXPECT_TRUE(w.edge.valid.to.is_open_end());
  EXPECT_EQ(w.edge.weight, 1.5);
  EXPECT_EQ(w.edge.key, "recv/1");
  EXPECT_THAT(w.edge.sources, ElementsAre(Citation{"source/a", "table 2"}));
  EXPECT_EQ(w.edge.properties,
            (PropertyMap{{"rank", int64_t{2}}, {"grade", std::string("一等奖")}}));

  // Partial dates: a start rounds down, an end up; empty optional cells keep the defaults.
  EdgeWrite e = ParseEdge(*p, "person/a,EMPLOYED_BY,univ/csu,2001,2008-02,,,,,,教授,7");
  EXPECT_EQ(e.edge.valid.from, D("2001-01-01"));
  EXPECT_EQ(e.edge.valid.to, D("2008-02-29"));
  EXPECT_EQ(e.edge.weight, 1.0);
  EXPECT_EQ(e.edge.key, "");
  EXPECT_TRUE(e.edge.sources.empty());
  EXPECT_EQ(e.edge.properties, (PropertyMap{{"role", std::string("教授")}, {"note", int64_t{7}}}));
}

TEST(CsvParserEdges, MinimalHeader) {
  std::unique_ptr<CsvParser> p = MakeParser(CsvParser::Table::kEdges, "to,from,type");
  ASSERT_NE(p, nullptr);
  EdgeWrite w = ParseEdge(*p, "person/b,person/a,COLLABORATES_WITH");
  EXPECT_EQ(w.from_key, "person/a");
  EXPECT_EQ(w.to_key, "person/b");
  EXPECT_TRUE(w.edge.valid.from.is_open_start());
  EXPECT_TRUE(w.edge.properties.empty());
}

// ---------------------------------------------------------------------------------------------
// Errors: every path names the column and the value.

TEST(CsvParser, RefusesBadRowsNamingColumnAndValue) {
  struct Case {
    CsvParser::Table table;
    std::string line;
    std::string message;
  };
  const auto kNodes = CsvParser::Table::kNodes;
  const auto kEdges = CsvParser::Table::kEdges;
  const std::string node_header =
      "key,kind,name,aliases,sources,founded,year:int,w:double,b:bool,d:date,x,x:string";
  const std::string edge_header = "from,type,to,valid_from,valid_to,weight,key,sources,rank";
  const std::vector<Case> cases = {
      // Shape.
      {kNodes, "univ/a,University,A", "wrong number of columns: 3, header has 12"},
      {kNodes, "univ/a,University,A,,,,,,,,,,", "wrong number of columns: 13, header has 12"},
      {kEdges, "a,b,c,d,e,f,g,h,i,j", "wrong number of columns: 10, header has 9"},
      {kNodes, "univ/a,University,\"A,,,,,,,,,", "column 'name': unterminated quoted field"},
      {kNodes, "univ/a,University,\"A\"x,,,,,,,,,", "column 'name': unexpected text after"},
      // UTF-8, in every kind of column.
      {kNodes, "univ/a,University,\xe4\xb8,,,,,,,,,", "column 'name': invalid UTF-8"},
      {kNodes, "univ/a,University,A,\xc0\xaf,,,,,,,,", "column 'aliases': invalid UTF-8"},
      {kNodes, "univ/a,University,A,,,,,,,,\xff,", "column 'x': invalid UTF-8"},
      {kNodes, std::string("univ/a,University,A,,,,,,,,a") + '\0' + "b,",
       "column 'x': invalid UTF-8"},
      {kEdges, "a/b,HEADS,c/d,,,,,\xed\xa0\x80,", "column 'sources': invalid UTF-8"},
      // Required cells.
      {kNodes, ",University,A,,,,,,,,,", "column 'key': empty"},
      {kNodes, "univ a,University,A,,,,,,,,,", "column 'key': 'univ a' may only hold"},
      {kNodes, "univ/a,Universe,A,,,,,,,,,", "column 'kind': unknown node kind 'Universe'"},
      {kNodes, "univ/a,,A,,,,,,,,,", "column 'kind': unknown node kind ''"},
      {kNodes, "univ/a,University,,,,,,,,,,", "column 'name': empty"},
      {kEdges, ",HEADS,b/c,,,,,,", "column 'from': empty"},
      {kEdges, "a/b,HEADS,,,,,,,", "column 'to': empty"},
      {kEdges, "a/b,HEADS,人/c,,,,,,", "column 'to': '人/c' may only hold"},
      {kEdges, "a/b,LIKES,b/c,,,,,,", "column 'type': unknown edge type 'LIKES'"},
      // Lists.
      {kNodes, "univ/a,University,A,a||b,,,,,,,,", "column 'aliases': empty alias in 'a||b'"},
      {kNodes, "univ/a,University,A,a|,,,,,,,,", "column 'aliases': empty alias in 'a|'"},
      {kNodes, "univ/a,University,A,a\\|b|,,,,,,,,", "column 'aliases': empty alias"},
      {kNodes, "univ/a,University,A,,#loc,,,,,,,", "column 'sources': empty source in '#loc'"},
      {kNodes, "univ/a,University,A,,s/a|,,,,,,,", "column 'sources': empty source in 's/a|'"},
      // Typed values.
      {kNodes, "univ/a,University,A,,,2021-13,,,,,,", "column 'founded': '2021-13' is not a date"},
      {kNodes, "univ/a,University,A,,,2021-02-30,,,,,,",
       "column 'founded': '2021-02-30' is not a calendar date"},
      {kNodes, "univ/a,University,A,,,,20x,,,,,",
       "column 'year:int': '20x' is not a 64-bit integer"},
      {kNodes, "univ/a,University,A,,,,+5,,,,,", "column 'year:int': '+5' is not a 64-bit integer"},
      {kNodes, "univ/a,University,A,,,,99999999999999999999,,,,,",
       "column 'year:int': '99999999999999999999' is not a 64-bit integer"},
      {kNodes, "univ/a,University,A,,,,,1.5.2,,,,",
       "column 'w:double': '1.5.2' is not a finite number"},
      {kNodes, "univ/a,University,A,,,,,inf,,,,",
       "column 'w:double': 'inf' is not a finite number"},
      {kNodes, "univ/a,University,A,,,,,nan,,,,",
       "column 'w:double': 'nan' is not a finite number"},
      {kNodes, "univ/a,University,A,,,,,,yes,,,", "column 'b:bool': 'yes' is not a bool"},
      {kNodes, "univ/a,University,A,,,,,,,07/2021,,", "column 'd:date': '07/2021' is not a date"},
      {kNodes, "univ/a,University,A,,,,,,,,p,q", "column 'x:string': property 'x' is also given"},
      // Declared types win over the header: Award declares year an int.
      {kNodes, "award/a,Award,A,,,,x,,,,,", "column 'year:int': 'x' is not a 64-bit integer"},
      // Edge fields.
      {kEdges, "a/b,HEADS,b/c,2021-00,,,,,", "column 'valid_from': '2021-00' is not a date"},
      {kEdges, "a/b,HEADS,b/c,,today,,,,", "column 'valid_to': 'today' is not a date"},
      {kEdges, "a/b,HEADS,b/c,,,heavy,,,", "column 'weight': 'heavy' is not a finite number"},
      {kEdges, "a/b,HEADS,b/c,,,0,,,", "column 'weight': '0' must be greater than 0"},
      {kEdges, "a/b,HEADS,b/c,,,-2,,,", "column 'weight': '-2' must be greater than 0"},
      {kEdges, "a/b,HEADS,b/c,,,,bad key,,", "column 'key': 'bad key' may only hold"},
      {kEdges, "a/b,RECEIVED,b/c,,,,,,first", "column 'rank': 'first' is not a 64-bit integer"},
  };
  std::unique_ptr<CsvParser> nodes = MakeParser(kNodes, node_header);
  std::unique_ptr<CsvParser> edges = MakeParser(kEdges, edge_header);
  ASSERT_NE(nodes, nullptr);
  ASSERT_NE(edges, nullptr);
  for (const Case& c : cases) {
    const CsvParser& p = c.table == kNodes ? *nodes : *edges;
    absl::StatusOr<JsonlRecord> rec = p.Parse(c.line);
    ASSERT_FALSE(rec.ok()) << c.line;
    EXPECT_EQ(rec.status().code(), absl::StatusCode::kInvalidArgument) << c.line;
    EXPECT_THAT(rec.status().message(), HasSubstr(c.message)) << c.line;
  }
}

TEST(CsvParser, ParseIsSafeToCallFromManyThreads) {
  std::unique_ptr<CsvParser> p =
      MakeParser(CsvParser::Table::kEdges, "from,type,to,valid_from,valid_to,weight,role");
  ASSERT_NE(p, nullptr);
  std::vector<std::thread> threads;
  std::vector<int> bad(4, 0);
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 2000; ++i) {
        const std::string line = absl::StrCat("person/", i, ",EMPLOYED_BY,univ/", t, ",2001,2008,",
                                              i + 1, ",\"教授, \"\"chair\"\"\"");
        absl::StatusOr<JsonlRecord> rec = p->Parse(line);
        if (!rec.ok() || !std::holds_alternative<EdgeWrite>(*rec)) {
          ++bad[t];
          continue;
        }
        const EdgeWrite& w = std::get<EdgeWrite>(*rec);
        if (w.from_key != absl::StrCat("person/", i) || w.edge.weight != i + 1 ||
            w.edge.properties.at("role") != Value(std::string("教授, \"chair\""))) {
          ++bad[t];
        }
      }
    });
  }
  for (std::thread& t : threads) t.join();
  EXPECT_THAT(bad, ElementsAre(0, 0, 0, 0));
}

// ---------------------------------------------------------------------------------------------
// LoadCsvFile

class LoadCsvTest : public testing::Test {
 protected:
  void SetUp() override {
    const testing::TestInfo* info = testing::UnitTest::GetInstance()->current_test_info();
    base_ = absl::StrCat(testing::TempDir(), "innograph_csv_test_", info->name(), "_", getpid());
    std::filesystem::remove_all(base_);
    std::filesystem::create_directories(base_);
    GraphStore::Options options;
    options.sync_writes = false;
    options.block_cache_bytes = size_t{8} << 20;
    auto s = GraphStore::Open(base_ + "/db", options);
    ASSERT_TRUE(s.ok()) << s.status();
    store_ = std::move(*s);
  }
  void TearDown() override {
    store_.reset();
    std::filesystem::remove_all(base_);
  }
  std::string WriteFile(const std::string& name, const std::string& text) {
    const std::string path = base_ + "/" + name;
    std::ofstream(path) << text;
    return path;
  }

  std::string base_;
  std::unique_ptr<GraphStore> store_;
};

TEST_F(LoadCsvTest, LoadsNodesThenEdgesInBatches) {
  const std::string nodes =
      WriteFile("nodes.csv",
                "key,kind,name,aliases\r\nperson/a,Person,甲,A\r\n\r\nperson/b,Person,乙,\r\n"
                "univ/c,University,丙大学,C|Bing\r\n");
  const std::string edges = WriteFile("edges.csv",
                                      "from,type,to,valid_from,weight\n"
                                      "person/a,COLLABORATES_WITH,person/b,2010,3\n"
                                      "person/a,EMPLOYED_BY,univ/c,2001,\n"
                                      "person/a,EMPLOYED_BY,univ/c,2012,\n");
  absl::StatusOr<LoadStats> n = LoadCsvFile(nodes, CsvParser::Table::kNodes, *store_, 2);
  ASSERT_TRUE(n.ok()) << n.status();
  EXPECT_EQ(n->nodes, 3u);
  EXPECT_EQ(n->lines, 5u);
  absl::StatusOr<LoadStats> e = LoadCsvFile(edges, CsvParser::Table::kEdges, *store_, 2);
  ASSERT_TRUE(e.ok()) << e.status();
  EXPECT_EQ(e->edges, 3u);
  EXPECT_EQ(store_->counts().nodes, 3u);
  EXPECT_EQ(store_->counts().edges, 3u);
}

TEST_F(LoadCsvTest, ReportsFileAndLine) {
  const std::string nodes =
      WriteFile("nodes.csv", "key,kind,name\nperson/a,Person,A\nperson/b,Persn,B\n");
  absl::StatusOr<LoadStats> n = LoadCsvFile(nodes, CsvParser::Table::kNodes, *store_);
  ASSERT_FALSE(n.ok());
  EXPECT_THAT(n.status().message(), HasSubstr("nodes.csv:3: column 'kind': unknown node kind"));

  const std::string bad_header = WriteFile("h.csv", "key,name\n");
  n = LoadCsvFile(bad_header, CsvParser::Table::kNodes, *store_);
  EXPECT_THAT(n.status().message(), HasSubstr("h.csv:1: header: required column 'kind'"));

  const std::string empty = WriteFile("empty.csv", "");
  EXPECT_EQ(LoadCsvFile(empty, CsvParser::Table::kNodes, *store_).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(LoadCsvFile(base_ + "/missing.csv", CsvParser::Table::kNodes, *store_).status().code(),
            absl::StatusCode::kNotFound);

  // The store's own checks (endpoint kinds) arrive with the batch's first line.
  const std::string ok_nodes = WriteFile("ok.csv", "key,kind,name\nperson/a,Person,A\n");
  ASSERT_TRUE(LoadCsvFile(ok_nodes, CsvParser::Table::kNodes, *store_).ok());
  const std::string edges = WriteFile("edges.csv", "from,type,to\nperson/a,EMPLOYED_BY,person/a\n");
  absl::StatusOr<LoadStats> e = LoadCsvFile(edges, CsvParser::Table::kEdges, *store_);
  ASSERT_FALSE(e.ok());
  EXPECT_EQ(e.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(e.status().message(), HasSubstr("edges.csv: batch from line 2"));
}

}  // namespace
}  // namespace innograph::io
