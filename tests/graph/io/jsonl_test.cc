#include "graph/io/jsonl.h"

#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <limits>
#include <memory>
#include <string>
#include <variant>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"

namespace innograph::io {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

const Schema& S() { return *Schema::Default(); }
KindId Kind(absl::string_view name) { return S().FindKind(name)->id; }
TypeId Type(absl::string_view name) { return S().FindType(name)->id; }
Date D(const char* text) { return *ParseDate(text, DateRounding::kStart); }

std::string DemoDataPath() { return std::string(INNOGRAPH_SOURCE_DIR) + "/data/hunan/hunan.jsonl"; }

Node ParseNode(absl::string_view line) {
  absl::StatusOr<JsonlRecord> rec = ParseJsonlLine(line, S());
  EXPECT_TRUE(rec.ok()) << rec.status();
  if (!rec.ok()) return Node();
  EXPECT_TRUE(std::holds_alternative<Node>(*rec)) << line;
  return std::holds_alternative<Node>(*rec) ? std::get<Node>(*rec) : Node();
}

EdgeWrite ParseEdge(absl::string_view line) {
  absl::StatusOr<JsonlRecord> rec = ParseJsonlLine(line, S());
  EXPECT_TRUE(rec.ok()) << rec.status();
  if (!rec.ok()) return EdgeWrite();
  EXPECT_TRUE(std::holds_alternative<EdgeWrite>(*rec)) << line;
  return std::holds_alternative<EdgeWrite>(*rec) ? std::get<EdgeWrite>(*rec) : EdgeWrite();
}

// ---------------------------------------------------------------------------------------------
// ParseJsonlLine

TEST(ParseJsonlLine, ParsesNodeLine) {
  Node n = ParseNode(
      R"({"kind":"Person","key":"person/zou-xuexiao","name":"邹学校","aliases":["Zou Xuexiao"],)"
      R"("properties":{"field":"pepper breeding","title":"CAE academician"},)"
      R"("sources":[{"source":"source/hunan-award-conference-2023","locator":"attendees"}]})");
  EXPECT_EQ(n.kind, Kind("Person"));
  EXPECT_EQ(n.key, "person/zou-xuexiao");
  EXPECT_EQ(n.name, "邹学校");
  EXPECT_THAT(n.aliases, ElementsAre("Zou Xuexiao"));
  EXPECT_EQ(n.properties, (PropertyMap{{"field", std::string("pepper breeding")},
                                       {"title", std::string("CAE academician")}}));
  EXPECT_THAT(n.sources, ElementsAre(Citation{"source/hunan-award-conference-2023", "attendees"}));
  EXPECT_FALSE(n.id.valid());
}

TEST(ParseJsonlLine, RefusesDeepNestingWithoutCrashing) {
  const std::string head = R"({"kind":"Topic","key":"topic/deep","name":"x","properties":{"p":)";
  // Nesting a value may have (then refused as not a scalar), and far past any stack.
  for (int depth : {50, 200000}) {
    const std::string line = head + std::string(depth, '[') + std::string(depth, ']') + "}}";
    absl::StatusOr<JsonlRecord> rec = ParseJsonlLine(line, S());
    EXPECT_TRUE(absl::IsInvalidArgument(rec.status())) << depth << ": " << rec.status();
  }
  // Brackets inside strings do not count.
  Node n = ParseNode(head + "\"" + std::string(100, '[') + "\"}}");
  EXPECT_EQ(n.key, "topic/deep");
}

TEST(ParseJsonlLine, ParsesEdgeLine) {
  EdgeWrite w =
      ParseEdge(R"({"type":"HEADS","from":"person/zou-xuexiao","to":"lab/yuelu-mountain",)"
                R"("valid_from":"2022-07-20","properties":{"post":"director"},)"
                R"("sources":[{"source":"source/hunan-cppcc-4-plus-4-2023"}]})");
  EXPECT_EQ(w.edge.type, Type("HEADS"));
  EXPECT_EQ(w.from_key, "person/zou-xuexiao");
  EXPECT_EQ(w.to_key, "lab/yuelu-mountain");
  EXPECT_FALSE(w.edge.from.valid());
  EXPECT_FALSE(w.edge.to.valid());
  EXPECT_EQ(w.edge.valid.from, D("2022-07-20"));
  EXPECT_TRUE(w.edge.valid.to.is_open_end());
  EXPECT_EQ(w.edge.weight, 1.0);
  EXPECT_EQ(w.edge.key, "");
  EXPECT_EQ(w.edge.properties, (PropertyMap{{"post", std::string("director")}}));
  EXPECT_THAT(w.edge.sources, ElementsAre(Citation{"source/hunan-cppcc-4-plus-4-2023", ""}));
}

TEST(ParseJsonlLine, PartialDatesRoundStartDownAndEndUp) {
  EdgeWrite w = ParseEdge(
      R"({"type":"EMPLOYED_BY","from":"p","to":"u","valid_from":"2017","valid_to":"2019-02"})");
  EXPECT_EQ(w.edge.valid.from, D("2017-01-01"));
  EXPECT_EQ(w.edge.valid.to, D("2019-02-28"));
  w = ParseEdge(R"({"type":"EMPLOYED_BY","from":"p","to":"u","valid_from":"2017-07",)"
                R"("valid_to":"2024"})");
  EXPECT_EQ(w.edge.valid.from, D("2017-07-01"));
  EXPECT_EQ(w.edge.valid.to, D("2024-12-31"));
  w = ParseEdge(R"({"type":"EMPLOYED_BY","from":"p","to":"u","valid_to":"2024-02"})");
  EXPECT_TRUE(w.edge.valid.from.is_open_start());
  EXPECT_EQ(w.edge.valid.to, D("2024-02-29"));
}

TEST(ParseJsonlLine, ParsesWeightKeyAndNullMembers) {
  EdgeWrite w = ParseEdge(R"({"type":"COLLABORATES_WITH","from":"a","to":"b","weight":2,)"
                          R"("key":"collab/a-b","valid_from":null,"properties":null})");
  EXPECT_EQ(w.edge.weight, 2.0);
  EXPECT_EQ(w.edge.key, "collab/a-b");
  EXPECT_TRUE(w.edge.valid.from.is_open_start());
  EXPECT_TRUE(w.edge.properties.empty());
  w = ParseEdge(R"({"type":"COLLABORATES_WITH","from":"a","to":"b","weight":0.25})");
  EXPECT_EQ(w.edge.weight, 0.25);
  Node n = ParseNode(R"({"kind":"Topic","key":"topic/ai","name":"AI","aliases":null})");
  EXPECT_TRUE(n.aliases.empty());
}

TEST(ParseJsonlLine, PropertyValuesFollowDeclaredTypes) {
  Node univ = ParseNode(R"({"kind":"University","key":"univ/csu","name":"中南大学",)"
                        R"("properties":{"founded":"2000-04","abbreviation":"CSU"}})");
  EXPECT_EQ(univ.properties.at("founded"), Value(D("2000-04-01")));
  EXPECT_EQ(univ.properties.at("abbreviation"), Value(std::string("CSU")));

  // A declared double takes an integer JSON number.
  Node project = ParseNode(
      R"({"kind":"Project","key":"project/x","name":"X","properties":{"budget":1000000}})");
  EXPECT_EQ(project.properties.at("budget"), Value(1000000.0));

  // Undeclared properties keep their JSON type.
  Node person = ParseNode(R"({"kind":"Person","key":"person/a","name":"A","properties":)"
                          R"({"birth_year":1963,"h_index":40,"score":0.5,"active":true,)"
                          R"("note":"x","big":-9223372036854775808}})");
  EXPECT_EQ(person.properties.at("birth_year"), Value(int64_t{1963}));
  EXPECT_EQ(person.properties.at("h_index"), Value(int64_t{40}));
  EXPECT_EQ(person.properties.at("score"), Value(0.5));
  EXPECT_EQ(person.properties.at("active"), Value(true));
  EXPECT_EQ(person.properties.at("note"), Value(std::string("x")));
  EXPECT_EQ(person.properties.at("big"), Value(std::numeric_limits<int64_t>::min()));
  EXPECT_TRUE(S().ValidateNode(person).ok());
}

TEST(ParseJsonlLine, BlankAndCommentLinesAreNothing) {
  for (const char* line : {"", "   ", "\t", "\r", "// a comment", "   // indented comment",
                           "//{\"kind\":\"Person\"}"}) {
    absl::StatusOr<JsonlRecord> rec = ParseJsonlLine(line, S());
    ASSERT_TRUE(rec.ok()) << "'" << line << "': " << rec.status();
    EXPECT_TRUE(std::holds_alternative<std::monostate>(*rec)) << "'" << line << "'";
  }
}

TEST(ParseJsonlLine, SurroundingWhitespaceAndCarriageReturnAreIgnored) {
  Node n = ParseNode("  {\"kind\":\"Topic\",\"key\":\"topic/ai\",\"name\":\"AI\"}  \r");
  EXPECT_EQ(n.key, "topic/ai");
}

struct ErrorCase {
  const char* line;
  const char* message;
};

TEST(ParseJsonlLine, RefusesBadLinesNamingTheMember) {
  const ErrorCase cases[] = {
      {"not json", "not valid JSON"},
      {R"({"kind":"Person","key":"a","name":"A"} trailing)", "not valid JSON"},
      {"# hash comments are not comments", "not valid JSON"},
      {"[1, 2]", "must be a JSON object"},
      {"\"string\"", "must be a JSON object"},
      {R"({"kind":"Person","type":"HEADS","key":"a","name":"A","from":"a","to":"b"})",
       "exactly one of 'kind' (a node) and 'type' (an edge)"},
      {R"({"key":"a","name":"A"})", "exactly one of 'kind'"},
      {R"({"kind":"Persn","key":"a","name":"A"})", "kind: unknown node kind 'Persn'"},
      {R"({"kind":5,"key":"a","name":"A"})", "kind: must be a string"},
      {R"({"kind":null,"key":"a","name":"A"})", "kind: missing"},
      {R"({"type":"WORKS_AT","from":"a","to":"b"})", "type: unknown edge type 'WORKS_AT'"},
      {R"({"type":"HEADS","from":"a","to":"b","valid_from":"2021-13"})",
       "valid_from: '2021-13' is not a date"},
      {R"({"type":"HEADS","from":"a","to":"b","valid_to":"2021-02-30"})",
       "valid_to: '2021-02-30' is not a calendar date"},
      {R"({"type":"HEADS","from":"a","to":"b","valid_from":2021})", "valid_from: must be a string"},
      {R"({"type":"HEADS","to":"b"})", "from: missing"},
      {R"({"type":"HEADS","from":"a"})", "to: missing"},
      {R"({"type":"HEADS","from":"a","to":"b","weight":"heavy"})", "weight: must be a number"},
      {R"({"type":"HEADS","from":"a","to":"b","key":7})", "key: must be a string"},
      {R"({"kind":"Person","name":"A"})", "key: missing"},
      {R"({"kind":"Person","key":5,"name":"A"})", "key: must be a string"},
      {R"({"kind":"Person","key":"a"})", "name: missing"},
      {R"({"kind":"Person","key":"a","name":"A","aliases":"A"})", "aliases: must be an array"},
      {R"({"kind":"Person","key":"a","name":"A","aliases":["A",1]})", "aliases: not a string: 1"},
      {R"({"kind":"University","key":"u","name":"U","properties":{"founded":1903}})",
       "properties.founded: must be a date string, got 1903"},
      {R"({"kind":"University","key":"u","name":"U","properties":{"founded":"May 1903"}})",
       "properties.founded: 'May 1903' is not a date"},
      {R"({"kind":"Person","key":"a","name":"A","properties":[1]})",
       "properties: must be an object"},
      {R"({"kind":"Person","key":"a","name":"A","properties":{"x":{"y":1}}})", "properties.x: "},
      {R"({"kind":"Person","key":"a","name":"A","properties":{"x":[1]}})", "properties.x: "},
      {R"({"kind":"Person","key":"a","name":"A","properties":{"x":null}})", "properties.x: "},
      {R"({"kind":"Person","key":"a","name":"A","properties":{"x":18446744073709551615}})",
       "properties.x: 18446744073709551615 does not fit a 64-bit integer"},
      {R"({"kind":"Person","key":"a","name":"A","sources":{"source":"s"}})",
       "sources: must be an array"},
      {R"({"kind":"Person","key":"a","name":"A","sources":["s"]})",
       "sources: each citation must be an object"},
      {R"({"kind":"Person","key":"a","name":"A","sources":[{"locator":"p"}]})", "source: missing"},
  };
  for (const ErrorCase& c : cases) {
    absl::StatusOr<JsonlRecord> rec = ParseJsonlLine(c.line, S());
    ASSERT_FALSE(rec.ok()) << c.line;
    EXPECT_EQ(rec.status().code(), absl::StatusCode::kInvalidArgument) << c.line;
    EXPECT_THAT(rec.status().message(), HasSubstr(c.message)) << c.line;
  }
}

// ---------------------------------------------------------------------------------------------
// LoadJsonlFile

class LoadJsonlTest : public testing::Test {
 protected:
  void SetUp() override {
    const testing::TestInfo* info = testing::UnitTest::GetInstance()->current_test_info();
    base_ = absl::StrCat(testing::TempDir(), "innograph_jsonl_test_", info->name(), "_", getpid());
    std::filesystem::remove_all(base_);
    std::filesystem::create_directories(base_);
    store_ = OpenStore("db");
  }

  void TearDown() override {
    store_.reset();
    std::filesystem::remove_all(base_);
  }

  std::unique_ptr<GraphStore> OpenStore(const std::string& name) {
    GraphStore::Options options;
    options.sync_writes = false;
    options.block_cache_bytes = size_t{8} << 20;
    auto s = GraphStore::Open(base_ + "/" + name, options);
    EXPECT_TRUE(s.ok()) << s.status();
    return s.ok() ? std::move(*s) : nullptr;
  }

  std::string WriteFile(const std::string& name, const std::vector<std::string>& lines) {
    const std::string path = base_ + "/" + name;
    std::ofstream out(path);
    for (const std::string& l : lines) out << l << "\n";
    return path;
  }

  static std::vector<Node> Nodes(GraphStore& store) {
    std::vector<Node> out;
    EXPECT_TRUE(store
                    .ForEachNode([&](const Node& n) {
                      out.push_back(n);
                      return true;
                    })
                    .ok());
    return out;
  }

  static std::vector<Edge> Edges(GraphStore& store) {
    std::vector<Edge> out;
    EXPECT_TRUE(store
                    .ForEachEdge([&](const Edge& e) {
                      out.push_back(e);
                      return true;
                    })
                    .ok());
    return out;
  }

  std::string base_;
  std::unique_ptr<GraphStore> store_;
};

// Counts the node and edge lines of a JSON Lines file without the code under test.
void CountLines(const std::string& path, size_t* nodes, size_t* edges, size_t* lines) {
  *nodes = *edges = *lines = 0;
  std::ifstream in(path);
  std::string line;
  while (std::getline(in, line)) {
    ++*lines;
    const size_t first = line.find_first_not_of(" \t\r");
    if (first == std::string::npos || line.compare(first, 2, "//") == 0) continue;
    nlohmann::json j = nlohmann::json::parse(line);
    if (j.contains("kind")) ++*nodes;
    if (j.contains("type")) ++*edges;
  }
}

TEST_F(LoadJsonlTest, LoadsDemoDataSet) {
  ASSERT_NE(store_, nullptr);
  size_t node_lines, edge_lines, lines;
  CountLines(DemoDataPath(), &node_lines, &edge_lines, &lines);
  ASSERT_GT(node_lines, 0u);
  ASSERT_GT(edge_lines, 0u);

  absl::StatusOr<LoadStats> stats = LoadJsonlFile(DemoDataPath(), *store_);
  ASSERT_TRUE(stats.ok()) << stats.status();
  EXPECT_EQ(stats->nodes, node_lines);
  EXPECT_EQ(stats->edges, edge_lines);
  EXPECT_EQ(stats->lines, lines);
  // Every line of the demo data is a distinct node or edge.
  const StoreCounts counts = store_->counts();
  EXPECT_EQ(counts.nodes, node_lines);
  EXPECT_EQ(counts.edges, edge_lines);
  EXPECT_EQ(Nodes(*store_).size(), node_lines);
  EXPECT_EQ(Edges(*store_).size(), edge_lines);

  // Spot checks against the file.
  auto lab = store_->FindKey("lab/xiangjiang");
  ASSERT_TRUE(lab.ok() && lab->has_value());
  auto node = store_->GetNode(**lab);
  ASSERT_TRUE(node.ok() && node->has_value());
  EXPECT_EQ((*node)->name, "湘江实验室");
  EXPECT_EQ((*node)->properties.at("established"), Value(D("2022-07-10")));
}

TEST_F(LoadJsonlTest, LoadingTwiceChangesNothing) {
  ASSERT_NE(store_, nullptr);
  absl::StatusOr<LoadStats> first = LoadJsonlFile(DemoDataPath(), *store_);
  ASSERT_TRUE(first.ok()) << first.status();
  const StoreCounts counts = store_->counts();
  const std::vector<Node> nodes = Nodes(*store_);
  const std::vector<Edge> edges = Edges(*store_);

  absl::StatusOr<LoadStats> second = LoadJsonlFile(DemoDataPath(), *store_);
  ASSERT_TRUE(second.ok()) << second.status();
  EXPECT_EQ(second->nodes, first->nodes);
  EXPECT_EQ(second->edges, first->edges);
  const StoreCounts again = store_->counts();
  EXPECT_EQ(again.nodes, counts.nodes);
  EXPECT_EQ(again.edges, counts.edges);
  EXPECT_EQ(again.by_kind, counts.by_kind);
  EXPECT_EQ(again.by_type, counts.by_type);
  EXPECT_EQ(Nodes(*store_), nodes);  // Same ids, same contents.
  EXPECT_EQ(Edges(*store_), edges);
}

TEST_F(LoadJsonlTest, EveryDemoNodeIsFoundByItsName) {
  ASSERT_NE(store_, nullptr);
  ASSERT_TRUE(LoadJsonlFile(DemoDataPath(), *store_).ok());
  for (const Node& n : Nodes(*store_)) {
    SearchQuery q;
    q.text = n.name;
    q.limit = 1000;
    absl::StatusOr<SearchResult> r = store_->Search(q);
    ASSERT_TRUE(r.ok()) << r.status();
    EXPECT_TRUE(std::any_of(r->nodes.begin(), r->nodes.end(),
                            [&](const Node& hit) { return hit.id == n.id; }))
        << n.key << " not found by its name '" << n.name << "'";
  }
}

TEST_F(LoadJsonlTest, BatchSizeDoesNotChangeTheResult) {
  ASSERT_NE(store_, nullptr);
  ASSERT_TRUE(LoadJsonlFile(DemoDataPath(), *store_).ok());
  std::unique_ptr<GraphStore> small = OpenStore("small-batches");
  ASSERT_NE(small, nullptr);
  absl::StatusOr<LoadStats> stats = LoadJsonlFile(DemoDataPath(), *small, /*batch_size=*/7);
  ASSERT_TRUE(stats.ok()) << stats.status();
  EXPECT_EQ(Nodes(*small), Nodes(*store_));
  EXPECT_EQ(Edges(*small), Edges(*store_));
}

TEST_F(LoadJsonlTest, MissingFileIsNotFound) {
  ASSERT_NE(store_, nullptr);
  absl::StatusOr<LoadStats> stats = LoadJsonlFile(base_ + "/no-such-file.jsonl", *store_);
  EXPECT_EQ(stats.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(stats.status().message(), HasSubstr("no-such-file.jsonl"));
}

TEST_F(LoadJsonlTest, BadLineStopsTheLoadNamingFileAndLine) {
  ASSERT_NE(store_, nullptr);
  const std::string path =
      WriteFile("bad-line.jsonl", {R"({"kind":"Person","key":"person/a","name":"A"})", "",
                                   "// people", R"({"kind":"Person","key":"person/b","name":"B"})",
                                   R"({"type":"ADVISED","from":"person/a","to":"person/b"})",
                                   R"({"kind":"Persn","key":"person/c","name":"C"})",
                                   R"({"kind":"Person","key":"person/d","name":"D"})"});
  absl::StatusOr<LoadStats> stats = LoadJsonlFile(path, *store_);
  ASSERT_FALSE(stats.ok());
  EXPECT_EQ(stats.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(stats.status().message(), HasSubstr(absl::StrCat(path, ":6: ")));
  EXPECT_THAT(stats.status().message(), HasSubstr("'Persn'"));
  // The node batch before the bad line stays written; nothing after it is.
  EXPECT_EQ(store_->counts().nodes, 2u);
  EXPECT_FALSE(store_->FindKey("person/d")->has_value());
}

TEST_F(LoadJsonlTest, RefusedBatchStopsTheLoadNamingItsFirstLine) {
  ASSERT_NE(store_, nullptr);
  const std::string path =
      WriteFile("refused.jsonl", {R"({"kind":"Person","key":"person/a","name":"A"})",
                                  R"({"type":"ADVISED","from":"person/a","to":"person/a"})",
                                  R"({"type":"ADVISED","from":"person/a","to":"person/ghost"})"});
  absl::StatusOr<LoadStats> stats = LoadJsonlFile(path, *store_);
  ASSERT_FALSE(stats.ok());
  EXPECT_EQ(stats.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(stats.status().message(), HasSubstr(absl::StrCat(path, ": batch from line 2")));
  EXPECT_THAT(stats.status().message(), HasSubstr("'person/ghost'"));
  EXPECT_EQ(store_->counts().nodes, 1u);
  EXPECT_EQ(store_->counts().edges, 0u);  // The refused batch is atomic.
}

}  // namespace
}  // namespace innograph::io
