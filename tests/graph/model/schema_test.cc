#include "graph/model/schema.h"

#include <cmath>
#include <limits>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace innograph {
namespace {

using ::testing::HasSubstr;

const Schema& S() { return *Schema::Default(); }

KindId K(absl::string_view name) {
  const NodeKindSpec* k = S().FindKind(name);
  EXPECT_NE(k, nullptr) << name;
  return k ? k->id : KindId();
}

TypeId T(absl::string_view name) {
  const EdgeTypeSpec* t = S().FindType(name);
  EXPECT_NE(t, nullptr) << name;
  return t ? t->id : TypeId();
}

Date D(const char* text) { return *ParseDate(text, DateRounding::kStart); }

Node ValidNode() {
  Node n;
  n.key = "person/zou-xuexiao";
  n.kind = K("Person");
  n.name = "邹学校";
  n.aliases = {"Zou Xuexiao"};
  n.properties = {{"field", std::string("pepper breeding")}, {"birth_year", int64_t{1963}}};
  n.sources = {{"source/hunan-award-conference-2023", "attendees"}};
  return n;
}

Edge ValidEdge() {
  Edge e;
  e.type = T("EMPLOYED_BY");
  e.from = NodeId(1);
  e.to = NodeId(2);
  e.valid = {D("2001-01-01"), D("2008-12-31")};
  e.properties = {{"role", std::string("professor")}};
  e.sources = {{"source/x", ""}};
  return e;
}

// Expects `s` to fail with `code` and a message containing `text`.
void ExpectError(const absl::Status& s, absl::StatusCode code, absl::string_view text) {
  EXPECT_EQ(s.code(), code) << s;
  EXPECT_THAT(s.message(), HasSubstr(std::string(text)));
}

// ----------------------------------------------------------------------------------------------
// The default schema

TEST(Schema, DefaultSchemaParses) {
  absl::StatusOr<std::shared_ptr<const Schema>> parsed = Schema::FromJson(Schema::DefaultJson());
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  const Schema& s = **parsed;
  EXPECT_EQ(s.name(), "innovation-system");
  EXPECT_EQ(s.version(), 1u);
  EXPECT_EQ(s.json(), Schema::DefaultJson());
  EXPECT_EQ(s.kinds().size(), 15u);
  EXPECT_EQ(s.types().size(), 21u);
  EXPECT_EQ(s.max_kind_id(), 15u);
  EXPECT_EQ(s.max_type_id(), 21u);
  ASSERT_NE(s.FindKind("Person"), nullptr);
  EXPECT_EQ(s.FindKind("Person")->id, KindId(1));
  EXPECT_EQ(s.Kind(KindId(15))->name, "Source");
  EXPECT_EQ(s.FindType("CITED_IN")->id, TypeId(21));
  EXPECT_EQ(s.Type(TypeId(8))->temporal, Temporal::kPoint);
  EXPECT_TRUE(s.FindType("COLLABORATES_WITH")->symmetric);
  EXPECT_EQ(s.FindType("LOCATED_IN")->temporal, Temporal::kNone);
  EXPECT_EQ(s.FindKind("University")->FindProperty("founded")->type, ValueType::kDate);
}

TEST(Schema, DefaultIsSharedAndMatchesItsJson) {
  EXPECT_EQ(Schema::Default(), Schema::Default());
  EXPECT_EQ(Schema::Default()->json(), Schema::DefaultJson());
}

TEST(Schema, UnknownNamesAndIdsAreNull) {
  EXPECT_EQ(S().FindKind("person"), nullptr);  // Names are case-sensitive.
  EXPECT_EQ(S().FindType("employed_by"), nullptr);
  EXPECT_EQ(S().Kind(KindId(0)), nullptr);
  EXPECT_EQ(S().Kind(KindId(16)), nullptr);
  EXPECT_EQ(S().Kind(KindId(1000000)), nullptr);
  EXPECT_EQ(S().Type(TypeId(0)), nullptr);
  EXPECT_EQ(S().Type(TypeId(22)), nullptr);
}

TEST(Schema, GroupExpansionAllowsEmployedByToUniversity) {
  const EdgeTypeSpec* employed = S().FindType("EMPLOYED_BY");
  ASSERT_NE(employed, nullptr);
  // "Organisation" is a group; its members are allowed, its non-members are not.
  for (const char* kind : {"University", "ResearchInstitute", "Laboratory", "Facility",
                           "Enterprise", "GovernmentBody", "Academy", "Team"}) {
    EXPECT_TRUE(employed->AllowsTo(K(kind))) << kind;
  }
  for (const char* kind : {"Person", "Project", "Award", "Region", "Source"}) {
    EXPECT_FALSE(employed->AllowsTo(K(kind))) << kind;
  }
  EXPECT_TRUE(std::is_sorted(employed->to_kinds.begin(), employed->to_kinds.end()));
  EXPECT_TRUE(S().ValidateEdge(ValidEdge(), K("Person"), K("University")).ok());
}

TEST(Schema, ResolveKnownNames) {
  EXPECT_EQ(*S().ResolveKind("Laboratory", "kind"), K("Laboratory"));
  EXPECT_EQ(*S().ResolveType("HEADS", "type"), T("HEADS"));
}

TEST(Schema, ResolveUnknownKindIsInvalidArgumentNamingTheValue) {
  absl::StatusOr<KindId> k = S().ResolveKind("Persn", "kind");
  ASSERT_FALSE(k.ok());
  ExpectError(k.status(), absl::StatusCode::kInvalidArgument, "kind: unknown node kind 'Persn'");
}

TEST(Schema, ResolveUnknownTypeIsInvalidArgumentNamingTheValue) {
  absl::StatusOr<TypeId> t = S().ResolveType("WORKS_AT", "edges[0].type");
  ASSERT_FALSE(t.ok());
  ExpectError(t.status(), absl::StatusCode::kInvalidArgument,
              "edges[0].type: unknown edge type 'WORKS_AT'");
}

// ----------------------------------------------------------------------------------------------
// Nodes

TEST(SchemaValidateNode, AcceptsValidNode) { EXPECT_TRUE(S().ValidateNode(ValidNode()).ok()); }

TEST(SchemaValidateNode, AcceptsUndeclaredPropertiesOfAnyType) {
  Node n = ValidNode();
  n.properties["nickname"] = std::string("pepper king");
  n.properties["h_index"] = int64_t{40};
  n.properties["score"] = 0.5;
  n.properties["active"] = true;
  n.properties["seen"] = D("2023-02-24");
  EXPECT_TRUE(S().ValidateNode(n).ok());
}

TEST(SchemaValidateNode, DeclaredPropertyOfWrongTypeIsInvalidArgumentNamingIt) {
  Node n;
  n.key = "univ/csu";
  n.kind = K("University");
  n.name = "中南大学";
  n.properties["founded"] = std::string("2000");
  ExpectError(S().ValidateNode(n), absl::StatusCode::kInvalidArgument, "properties.founded");
  EXPECT_THAT(std::string(S().ValidateNode(n).message()), HasSubstr("date"));
  n.properties["founded"] = D("2000-04-29");
  EXPECT_TRUE(S().ValidateNode(n).ok());

  Node p = ValidNode();
  p.properties["birth_year"] = 1963.0;  // Declared int.
  ExpectError(S().ValidateNode(p), absl::StatusCode::kInvalidArgument, "properties.birth_year");
}

TEST(SchemaValidateNode, NonFiniteDoublePropertyIsRefused) {
  Node n = ValidNode();
  n.properties["score"] = std::numeric_limits<double>::quiet_NaN();
  ExpectError(S().ValidateNode(n), absl::StatusCode::kInvalidArgument, "properties.score");
  n.properties["score"] = std::numeric_limits<double>::infinity();
  ExpectError(S().ValidateNode(n), absl::StatusCode::kInvalidArgument, "properties.score");
}

TEST(SchemaValidateNode, BadPropertyNameIsRefused) {
  for (const char* name : {"", "has space", "dash-ed", "点", "a.b"}) {
    Node n = ValidNode();
    n.properties[name] = std::string("x");
    ExpectError(S().ValidateNode(n), absl::StatusCode::kInvalidArgument, "properties");
  }
  Node n = ValidNode();
  n.properties[std::string(65, 'a')] = std::string("x");
  ExpectError(S().ValidateNode(n), absl::StatusCode::kInvalidArgument, "properties");
}

TEST(SchemaValidateNode, InvalidUtf8StringPropertyIsRefused) {
  Node n = ValidNode();
  n.properties["field"] = std::string("\xff");
  ExpectError(S().ValidateNode(n), absl::StatusCode::kInvalidArgument, "properties.field");
}

TEST(SchemaValidateNode, EmptyKeyIsRefused) {
  Node n = ValidNode();
  n.key = "";
  ExpectError(S().ValidateNode(n), absl::StatusCode::kInvalidArgument, "key: empty");
}

TEST(SchemaValidateNode, KeyWithSpaceOrNonAsciiIsRefused) {
  for (const char* key : {"person/zou xuexiao", "person/邹学校", "person/zou\txuexiao",
                          "person/zou#1", "person/\xff"}) {
    Node n = ValidNode();
    n.key = key;
    absl::Status s = S().ValidateNode(n);
    EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << key;
    EXPECT_THAT(s.message(), HasSubstr("key: ")) << key;
  }
}

TEST(SchemaValidateNode, KeyLengthLimitIs256Bytes) {
  Node n = ValidNode();
  n.key = std::string(kMaxKeyBytes, 'k');
  EXPECT_TRUE(S().ValidateNode(n).ok());
  n.key.push_back('k');
  ExpectError(S().ValidateNode(n), absl::StatusCode::kInvalidArgument, "key: 257 bytes");
}

TEST(SchemaValidateKey, AcceptsAllAllowedPunctuation) {
  EXPECT_TRUE(ValidateKey("a-b_c.d:e/F9", "key").ok());
  ExpectError(ValidateKey("a b", "from_key"), absl::StatusCode::kInvalidArgument,
              "from_key: 'a b'");
}

TEST(SchemaValidateNode, EmptyNameIsRefused) {
  Node n = ValidNode();
  n.name = "";
  ExpectError(S().ValidateNode(n), absl::StatusCode::kInvalidArgument, "name: empty");
}

TEST(SchemaValidateNode, InvalidUtf8NameIsRefused) {
  for (std::string name : {std::string("\xe9\x82"), std::string("abc\xff"), std::string("a\0b", 3),
                           std::string("\xed\xa0\x80")}) {
    Node n = ValidNode();
    n.name = name;
    ExpectError(S().ValidateNode(n), absl::StatusCode::kInvalidArgument, "name");
  }
}

TEST(SchemaValidateNode, OverlongNameIsRefused) {
  Node n = ValidNode();
  n.name = std::string(kMaxNameBytes, 'n');
  EXPECT_TRUE(S().ValidateNode(n).ok());
  n.name.push_back('n');
  ExpectError(S().ValidateNode(n), absl::StatusCode::kInvalidArgument, "name");
}

TEST(SchemaValidateNode, EmptyOrInvalidAliasIsRefused) {
  Node n = ValidNode();
  n.aliases = {"ok", ""};
  ExpectError(S().ValidateNode(n), absl::StatusCode::kInvalidArgument, "aliases[1]");
  n.aliases = {"\xc0\x80"};
  ExpectError(S().ValidateNode(n), absl::StatusCode::kInvalidArgument, "aliases[0]");
}

TEST(SchemaValidateNode, EmptyCitationSourceIsRefused) {
  Node n = ValidNode();
  n.sources = {{"source/a", "p. 1"}, {"", "p. 2"}};
  ExpectError(S().ValidateNode(n), absl::StatusCode::kInvalidArgument, "sources[1].source: empty");
}

TEST(SchemaValidateNode, EmptyLocatorIsAllowed) {
  Node n = ValidNode();
  n.sources = {{"https://example.org/report", ""}};
  EXPECT_TRUE(S().ValidateNode(n).ok());
}

TEST(SchemaValidateNode, UnknownKindIdIsRefused) {
  Node n = ValidNode();
  n.kind = KindId(99);
  ExpectError(S().ValidateNode(n), absl::StatusCode::kInvalidArgument, "kind");
}

TEST(SchemaValidateNode, MissingRequiredPropertyIsFailedPrecondition) {
  auto parsed = Schema::FromJson(R"({
    "node_kinds": [{"id": 1, "name": "Thing",
                    "properties": [{"name": "serial", "type": "int", "required": true}]}],
    "edge_types": []})");
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  Node n;
  n.key = "thing/1";
  n.kind = KindId(1);
  n.name = "Thing one";
  ExpectError((*parsed)->ValidateNode(n), absl::StatusCode::kFailedPrecondition,
              "properties.serial: required by kind 'Thing'");
  n.properties["serial"] = int64_t{7};
  EXPECT_TRUE((*parsed)->ValidateNode(n).ok());
}

// ----------------------------------------------------------------------------------------------
// Edges

TEST(SchemaValidateEdge, AcceptsValidEdge) {
  EXPECT_TRUE(S().ValidateEdge(ValidEdge(), K("Person"), K("University")).ok());
}

TEST(SchemaValidateEdge, WrongStartKindIsFailedPrecondition) {
  ExpectError(S().ValidateEdge(ValidEdge(), K("Award"), K("University")),
              absl::StatusCode::kFailedPrecondition,
              "edge type 'EMPLOYED_BY' cannot start at kind 'Award'");
}

TEST(SchemaValidateEdge, WrongEndKindIsFailedPrecondition) {
  ExpectError(S().ValidateEdge(ValidEdge(), K("Person"), K("Person")),
              absl::StatusCode::kFailedPrecondition,
              "edge type 'EMPLOYED_BY' cannot end at kind 'Person'");
}

TEST(SchemaValidateEdge, UnknownTypeIdIsRefused) {
  Edge e = ValidEdge();
  e.type = TypeId(77);
  ExpectError(S().ValidateEdge(e, K("Person"), K("University")), absl::StatusCode::kInvalidArgument,
              "type");
}

TEST(SchemaValidateEdge, ValidFromAfterValidToIsInvalidArgument) {
  Edge e = ValidEdge();
  e.valid = {D("2010-01-01"), D("2009-12-31")};
  ExpectError(S().ValidateEdge(e, K("Person"), K("University")), absl::StatusCode::kInvalidArgument,
              "valid_from: '2010-01-01' is after valid_to");
  e.valid = {D("2010-01-01"), D("2010-01-01")};  // One day is fine.
  EXPECT_TRUE(S().ValidateEdge(e, K("Person"), K("University")).ok());
}

TEST(SchemaValidateEdge, OpenEndsAreAllowed) {
  Edge e = ValidEdge();
  e.valid = Interval{};
  EXPECT_TRUE(S().ValidateEdge(e, K("Person"), K("University")).ok());
  e.valid = {D("2010-01-01"), Date::OpenEnd()};
  EXPECT_TRUE(S().ValidateEdge(e, K("Person"), K("University")).ok());
  e.valid = {Date::OpenStart(), D("2010-01-01")};
  EXPECT_TRUE(S().ValidateEdge(e, K("Person"), K("University")).ok());
}

TEST(SchemaValidateEdge, ValidToOnPointTypeIsFailedPrecondition) {
  Edge e;
  e.type = T("RECEIVED");
  e.valid = {D("2023-02-24"), D("2023-12-31")};
  ExpectError(S().ValidateEdge(e, K("Person"), K("Award")), absl::StatusCode::kFailedPrecondition,
              "valid_to: edge type 'RECEIVED' is a point in time");
  e.valid.to = Date::OpenEnd();
  EXPECT_TRUE(S().ValidateEdge(e, K("Person"), K("Award")).ok());
}

TEST(SchemaValidateEdge, NonPositiveOrNonFiniteWeightIsRefused) {
  for (double w :
       {0.0, -0.0, -1.0, std::numeric_limits<double>::quiet_NaN(),
        std::numeric_limits<double>::infinity(), -std::numeric_limits<double>::infinity()}) {
    Edge e = ValidEdge();
    e.weight = w;
    ExpectError(S().ValidateEdge(e, K("Person"), K("University")),
                absl::StatusCode::kInvalidArgument, "weight: ");
  }
  Edge e = ValidEdge();
  e.weight = 1e-300;
  EXPECT_TRUE(S().ValidateEdge(e, K("Person"), K("University")).ok());
}

TEST(SchemaValidateEdge, DeclaredEdgePropertyOfWrongTypeIsRefused) {
  Edge e;
  e.type = T("RECEIVED");
  e.properties["rank"] = std::string("first");
  ExpectError(S().ValidateEdge(e, K("Person"), K("Award")), absl::StatusCode::kInvalidArgument,
              "properties.rank");
}

TEST(SchemaValidateEdge, BadEdgeKeyIsRefusedButEmptyKeyIsAllowed) {
  Edge e = ValidEdge();
  e.key = "";
  EXPECT_TRUE(S().ValidateEdge(e, K("Person"), K("University")).ok());
  e.key = "emp 1";
  ExpectError(S().ValidateEdge(e, K("Person"), K("University")), absl::StatusCode::kInvalidArgument,
              "key: ");
}

TEST(SchemaValidateEdge, EmptyCitationSourceIsRefused) {
  Edge e = ValidEdge();
  e.sources = {{"", "table 2"}};
  ExpectError(S().ValidateEdge(e, K("Person"), K("University")), absl::StatusCode::kInvalidArgument,
              "sources[0].source: empty");
}

// ----------------------------------------------------------------------------------------------
// Bad schema documents

struct BadSchemaCase {
  const char* what;
  const char* json;
  const char* message;
};

TEST(SchemaFromJson, RefusesBadSchemas) {
  const BadSchemaCase cases[] = {
      {"not JSON", "{", "not a JSON object"},
      {"not an object", "[1, 2]", "not a JSON object"},
      {"missing node_kinds", R"({"edge_types": []})", "schema: "},
      {"duplicate kind id",
       R"({"node_kinds": [{"id": 1, "name": "A"}, {"id": 1, "name": "B"}], "edge_types": []})",
       "kind id 1 used twice"},
      {"duplicate kind name",
       R"({"node_kinds": [{"id": 1, "name": "A"}, {"id": 2, "name": "A"}], "edge_types": []})",
       "kind 'A' declared twice"},
      {"kind id 0", R"({"node_kinds": [{"id": 0, "name": "A"}], "edge_types": []})",
       "kind 'A': id must be 1-65535"},
      {"unknown kind in edge type",
       R"({"node_kinds": [{"id": 1, "name": "A"}],
           "edge_types": [{"id": 1, "name": "R", "from": ["A"], "to": ["Nope"]}]})",
       "edge type 'R' names unknown kind 'Nope'"},
      {"unknown kind in group",
       R"({"groups": {"G": ["A", "Ghost"]}, "node_kinds": [{"id": 1, "name": "A"}],
           "edge_types": [{"id": 1, "name": "R", "from": ["G"], "to": ["A"]}]})",
       "edge type 'R' names unknown kind 'Ghost'"},
      {"unknown property type",
       R"({"node_kinds": [{"id": 1, "name": "A", "properties": [{"name": "p", "type": "uuid"}]}],
           "edge_types": []})",
       "A.p: unknown property type 'uuid'"},
      {"duplicate property",
       R"({"node_kinds": [{"id": 1, "name": "A",
                           "properties": [{"name": "p"}, {"name": "p", "type": "int"}]}],
           "edge_types": []})",
       "property 'p' declared twice"},
      {"unknown temporal",
       R"({"node_kinds": [{"id": 1, "name": "A"}],
           "edge_types": [{"id": 1, "name": "R", "from": ["A"], "to": ["A"],
                           "temporal": "sometimes"}]})",
       "unknown temporal 'sometimes'"},
      {"duplicate type id",
       R"({"node_kinds": [{"id": 1, "name": "A"}],
           "edge_types": [{"id": 3, "name": "R", "from": ["A"], "to": ["A"]},
                          {"id": 3, "name": "S", "from": ["A"], "to": ["A"]}]})",
       "type id 3 used twice"},
      {"duplicate type name",
       R"({"node_kinds": [{"id": 1, "name": "A"}],
           "edge_types": [{"id": 1, "name": "R", "from": ["A"], "to": ["A"]},
                          {"id": 2, "name": "R", "from": ["A"], "to": ["A"]}]})",
       "edge type 'R' declared twice"},
      {"kind name not a string", R"({"node_kinds": [{"id": 1, "name": 5}], "edge_types": []})",
       "schema: "},
  };
  for (const BadSchemaCase& c : cases) {
    SCOPED_TRACE(c.what);
    auto parsed = Schema::FromJson(c.json);
    ASSERT_FALSE(parsed.ok());
    ExpectError(parsed.status(), absl::StatusCode::kInvalidArgument, c.message);
  }
}

TEST(SchemaFromJson, GroupsExpandInFromAndToLists) {
  auto parsed = Schema::FromJson(R"({
    "name": "tiny", "version": 3,
    "groups": {"Org": ["Uni", "Lab"]},
    "node_kinds": [{"id": 1, "name": "Person"}, {"id": 2, "name": "Uni"},
                   {"id": 5, "name": "Lab"}],
    "edge_types": [{"id": 1, "name": "WORKS_AT", "from": ["Person"], "to": ["Org", "Uni"]}]})");
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  const Schema& s = **parsed;
  EXPECT_EQ(s.name(), "tiny");
  EXPECT_EQ(s.version(), 3u);
  EXPECT_EQ(s.max_kind_id(), 5u);
  const EdgeTypeSpec* works = s.FindType("WORKS_AT");
  ASSERT_NE(works, nullptr);
  EXPECT_EQ(works->to_kinds, (std::vector<KindId>{KindId(2), KindId(5)}));  // Sorted, unique.
  EXPECT_EQ(works->temporal, Temporal::kInterval);                          // The default.
  Edge e;
  e.type = works->id;
  EXPECT_TRUE(s.ValidateEdge(e, KindId(1), KindId(5)).ok());
  EXPECT_EQ(s.ValidateEdge(e, KindId(2), KindId(5)).code(), absl::StatusCode::kFailedPrecondition);
}

}  // namespace
}  // namespace innograph
