#include "graph/io/export.h"

#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <tuple>
#include <variant>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "gmock/gmock.h"
#include "graph/io/csv.h"
#include "graph/io/jsonl.h"
#include "graph/model/text.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"

namespace innograph::io {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::SizeIs;

const Schema& S() { return *Schema::Default(); }
KindId Kind(absl::string_view name) { return S().FindKind(name)->id; }
TypeId Type(absl::string_view name) { return S().FindType(name)->id; }
Date D(const char* text) { return *ParseDate(text, DateRounding::kStart); }

// ---------------------------------------------------------------------------------------------
// A tiny XML reader for the checks: elements, attributes, character data, the five entities and
// character references; refuses what is not well-formed (bad nesting, unescaped '<' or '&',
// duplicate attributes, invalid UTF-8, characters XML 1.0 cannot hold).

struct XmlElement {
  std::string name;
  std::vector<std::pair<std::string, std::string>> attrs;
  std::string text;
  std::vector<XmlElement> children;

  std::string Attr(absl::string_view n) const {
    for (const auto& [k, v] : attrs) {
      if (k == n) return v;
    }
    return "<missing>";
  }
  std::vector<const XmlElement*> All(absl::string_view n) const {
    std::vector<const XmlElement*> out;
    for (const XmlElement& c : children) {
      if (c.name == n) out.push_back(&c);
    }
    return out;
  }
  const XmlElement* First(absl::string_view n) const {
    for (const XmlElement& c : children) {
      if (c.name == n) return &c;
    }
    return nullptr;
  }
};

class TinyXml {
 public:
  // Parses a whole document into *root; returns an error description or "".
  static std::string Parse(absl::string_view doc, XmlElement* root) {
    *root = XmlElement();
    if (!IsValidUtf8(doc)) return "invalid UTF-8";
    TinyXml x(doc);
    if (x.s_.substr(0, 5) == "<?xml") {
      const size_t end = x.s_.find("?>");
      if (end == absl::string_view::npos) return "unterminated XML declaration";
      x.pos_ = end + 2;
    }
    x.SkipSpace();
    std::string err = x.Element(root);
    if (!err.empty()) return err;
    x.SkipSpace();
    if (x.pos_ != x.s_.size()) return "text after the root element";
    return "";
  }

 private:
  explicit TinyXml(absl::string_view s) : s_(s) {}

  void SkipSpace() {
    while (pos_ < s_.size() && absl::ascii_isspace(static_cast<unsigned char>(s_[pos_]))) ++pos_;
  }
  static bool NameChar(char c) {
    return absl::ascii_isalnum(static_cast<unsigned char>(c)) || c == '_' || c == ':' || c == '-' ||
           c == '.';
  }
  std::string Name(std::string* out) {
    const size_t start = pos_;
    while (pos_ < s_.size() && NameChar(s_[pos_])) ++pos_;
    if (pos_ == start) return absl::StrCat("expected a name at ", start);
    *out = std::string(s_.substr(start, pos_ - start));
    return "";
  }
  // Character data up to `stop` (exclusive), resolving references.
  std::string Chars(char stop, std::string* out) {
    while (pos_ < s_.size() && s_[pos_] != stop) {
      const char c = s_[pos_];
      if (c == '<') return absl::StrCat("unescaped '<' at ", pos_);
      const auto u = static_cast<unsigned char>(c);
      if (u < 0x20 && c != '\t' && c != '\n' && c != '\r') {
        return absl::StrCat("control character at ", pos_);
      }
      if (c == '&') {
        const size_t semi = s_.find(';', pos_);
        if (semi == absl::string_view::npos) return "unterminated reference";
        const absl::string_view ref = s_.substr(pos_ + 1, semi - pos_ - 1);
        if (ref == "amp") {
          out->push_back('&');
        } else if (ref == "lt") {
          out->push_back('<');
        } else if (ref == "gt") {
          out->push_back('>');
        } else if (ref == "quot") {
          out->push_back('"');
        } else if (ref == "apos") {
          out->push_back('\'');
        } else if (!ref.empty() && ref[0] == '#') {
          int code = 0;
          if (!absl::SimpleAtoi(ref.substr(1), &code) || code < 9 || code > 127 ||
              (code < 0x20 && code != 9 && code != 10 && code != 13)) {
            return absl::StrCat("unsupported character reference &", ref, ";");
          }
          out->push_back(static_cast<char>(code));
        } else {
          return absl::StrCat("unknown entity &", ref, ";");
        }
        pos_ = semi + 1;
        continue;
      }
      out->push_back(c);
      ++pos_;
    }
    return "";
  }
  std::string Element(XmlElement* e) {
    if (pos_ >= s_.size() || s_[pos_] != '<') return absl::StrCat("expected '<' at ", pos_);
    ++pos_;
    std::string err = Name(&e->name);
    if (!err.empty()) return err;
    while (true) {
      SkipSpace();
      if (pos_ >= s_.size()) return "unterminated start tag";
      if (s_.substr(pos_, 2) == "/>") {
        pos_ += 2;
        return "";
      }
      if (s_[pos_] == '>') {
        ++pos_;
        break;
      }
      std::string attr, value;
      if (!(err = Name(&attr)).empty()) return err;
      if (pos_ + 1 >= s_.size() || s_[pos_] != '=' || s_[pos_ + 1] != '"') {
        return absl::StrCat("expected =\" after attribute ", attr);
      }
      pos_ += 2;
      if (!(err = Chars('"', &value)).empty()) return err;
      if (pos_ >= s_.size()) return "unterminated attribute value";
      ++pos_;
      for (const auto& [k, v] : e->attrs) {
        if (k == attr) return absl::StrCat("duplicate attribute ", attr);
      }
      e->attrs.emplace_back(attr, value);
    }
    while (true) {
      if (!(err = Chars('<', &e->text)).empty()) return err;
      if (pos_ >= s_.size()) return absl::StrCat("element <", e->name, "> not closed");
      if (s_.substr(pos_, 2) == "</") {
        pos_ += 2;
        std::string closing;
        if (!(err = Name(&closing)).empty()) return err;
        if (closing != e->name) return absl::StrCat("</", closing, "> closes <", e->name, ">");
        SkipSpace();
        if (pos_ >= s_.size() || s_[pos_] != '>') return "bad end tag";
        ++pos_;
        return "";
      }
      e->children.emplace_back();
      if (!(err = Element(&e->children.back())).empty()) return err;
    }
  }

  absl::string_view s_;
  size_t pos_ = 0;
};

TEST(TinyXml, RefusesWhatIsNotWellFormed) {
  XmlElement root;
  EXPECT_EQ(TinyXml::Parse("<a x=\"1\"><b>t&amp;&lt;&#10;</b><c/></a>", &root), "");
  EXPECT_EQ(root.First("b")->text, "t&<\n");
  for (absl::string_view bad : {"<a><b></a></b>", "<a x=\"<\"/>", "<a>&</a>", "<a>&foo;</a>",
                                "<a x=\"1\" x=\"2\"/>", "<a>\x01</a>", "<a>", "<a/><b/>"}) {
    EXPECT_NE(TinyXml::Parse(bad, &root), "") << bad;
  }
}

// ---------------------------------------------------------------------------------------------
// A small graph with every tricky value.

GraphData SmallGraph() {
  GraphData g;
  Node zou;
  zou.id = NodeId(1);
  zou.key = "person/zou";
  zou.kind = Kind("Person");
  zou.name = "邹学校";
  zou.aliases = {"Zou Xuexiao", "a|b#c\\d"};
  zou.properties = {{"field", std::string("pepper, \"breeding\" <&>")},
                    {"birth_year", int64_t{1963}},
                    {"score", 2.5},
                    {"active", true},
                    {"since", D("2017-11-27")}};
  zou.sources = {{"source/x", "para #3, line 2"}, {"https://example.org/p#frag", ""}};
  Node csu;
  csu.id = NodeId(2);
  csu.key = "univ/csu";
  csu.kind = Kind("University");
  csu.name = "中南大学 <CSU> & \"co\"";
  csu.properties = {{"founded", D("2000-04-29")}, {"name", std::string("a property, named name")}};
  g.nodes = {zou, csu};

  Edge stint1;
  stint1.id = EdgeId(7);
  stint1.type = Type("EMPLOYED_BY");
  stint1.from = NodeId(1);
  stint1.to = NodeId(2);
  stint1.valid = {D("2001-01-01"), D("2008-12-31")};
  stint1.key = "emp/1";
  stint1.properties = {{"role", std::string("教授")}};
  Edge stint2 = stint1;
  stint2.id = EdgeId(8);
  stint2.valid = {D("2012-03-01"), Date::OpenEnd()};
  stint2.weight = 2.5;
  stint2.key = "";
  stint2.properties = {};
  stint2.sources = {{"source/x", ""}};
  g.edges = {stint1, stint2};
  return g;
}

std::string ExportString(const GraphData& g, ExportFormat f) {
  std::ostringstream out;
  absl::Status s = Export(g, S(), f, out, nullptr);
  EXPECT_TRUE(s.ok()) << ExportFormatName(f) << ": " << s;
  return out.str();
}

TEST(ExportFormatName, RoundTripsEveryFormat) {
  for (ExportFormat f : {ExportFormat::kCsv, ExportFormat::kJsonl, ExportFormat::kGraphml,
                         ExportFormat::kDot, ExportFormat::kGexf, ExportFormat::kCytoscapeJson}) {
    ExportFormat parsed;
    ASSERT_TRUE(ParseExportFormat(ExportFormatName(f), &parsed));
    EXPECT_EQ(parsed, f);
  }
  ExportFormat parsed;
  EXPECT_FALSE(ParseExportFormat("xlsx", &parsed));
}

TEST(Export, CsvUsesTheImportConvention) {
  std::ostringstream nodes, edges;
  ASSERT_TRUE(Export(SmallGraph(), S(), ExportFormat::kCsv, nodes, &edges).ok());
  EXPECT_EQ(nodes.str(),
            "key,kind,name,aliases,sources,active:bool,birth_year:int,field:string,"
            "founded:date,name:string,score:double,since:date\n"
            "person/zou,Person,邹学校,Zou Xuexiao|a\\|b\\#c\\\\d,"
            "\"source/x#para \\#3, line 2|https://example.org/p\\#frag\",true,1963,"
            "\"pepper, \"\"breeding\"\" <&>\",,,2.5,2017-11-27\n"
            "univ/csu,University,\"中南大学 <CSU> & \"\"co\"\"\",,,,,,2000-04-29,"
            "\"a property, named name\",,\n");
  EXPECT_EQ(edges.str(),
            "from,type,to,valid_from,valid_to,weight,key,sources,role:string\n"
            "person/zou,EMPLOYED_BY,univ/csu,2001-01-01,2008-12-31,1,emp/1,,教授\n"
            "person/zou,EMPLOYED_BY,univ/csu,2012-03-01,,2.5,,source/x,\n");
}

TEST(Export, CsvReimportsToTheSameGraph) {
  const GraphData g = SmallGraph();
  std::ostringstream nodes_out, edges_out;
  ASSERT_TRUE(Export(g, S(), ExportFormat::kCsv, nodes_out, &edges_out).ok());
  std::vector<std::string> node_lines = absl::StrSplit(nodes_out.str(), '\n', absl::SkipEmpty());
  std::vector<std::string> edge_lines = absl::StrSplit(edges_out.str(), '\n', absl::SkipEmpty());
  ASSERT_THAT(node_lines, SizeIs(3));
  ASSERT_THAT(edge_lines, SizeIs(3));
  auto nodes = CsvParser::Create(CsvParser::Table::kNodes, S(), node_lines[0]);
  auto edges = CsvParser::Create(CsvParser::Table::kEdges, S(), edge_lines[0]);
  ASSERT_TRUE(nodes.ok()) << nodes.status();
  ASSERT_TRUE(edges.ok()) << edges.status();
  for (size_t i = 0; i < 2; ++i) {
    absl::StatusOr<JsonlRecord> rec = (*nodes)->Parse(node_lines[i + 1]);
    ASSERT_TRUE(rec.ok()) << rec.status();
    Node n = std::get<Node>(*rec);
    n.id = g.nodes[i].id;
    EXPECT_EQ(n, g.nodes[i]);
  }
  for (size_t i = 0; i < 2; ++i) {
    absl::StatusOr<JsonlRecord> rec = (*edges)->Parse(edge_lines[i + 1]);
    ASSERT_TRUE(rec.ok()) << rec.status();
    EdgeWrite w = std::get<EdgeWrite>(*rec);
    EXPECT_EQ(w.from_key, "person/zou");
    EXPECT_EQ(w.to_key, "univ/csu");
    w.edge.id = g.edges[i].id;
    w.edge.from = g.edges[i].from;
    w.edge.to = g.edges[i].to;
    EXPECT_EQ(w.edge, g.edges[i]);
  }
}

TEST(Export, JsonlLinesParseBack) {
  const GraphData g = SmallGraph();
  const std::string text = ExportString(g, ExportFormat::kJsonl);
  std::vector<std::string> lines = absl::StrSplit(text, '\n', absl::SkipEmpty());
  ASSERT_THAT(lines, SizeIs(4));
  EXPECT_EQ(lines[1], R"({"kind":"University","key":"univ/csu","name":"中南大学 <CSU> & \"co\"",)"
                      R"("properties":{"founded":"2000-04-29","name":"a property, named name"}})");
  EXPECT_EQ(lines[3],
            R"({"type":"EMPLOYED_BY","from":"person/zou","to":"univ/csu",)"
            R"("valid_from":"2012-03-01","weight":2.5,"sources":[{"source":"source/x"}]})");
  for (size_t i = 0; i < 2; ++i) {
    absl::StatusOr<JsonlRecord> rec = ParseJsonlLine(lines[i], S());
    ASSERT_TRUE(rec.ok()) << rec.status();
    Node n = std::get<Node>(*rec);
    n.id = g.nodes[i].id;
    if (i == 0) {
      // An undeclared date property travels as a string in JSON Lines.
      EXPECT_EQ(n.properties.at("since"), Value(std::string("2017-11-27")));
      n.properties["since"] = D("2017-11-27");
    }
    EXPECT_EQ(n, g.nodes[i]);
  }
  for (size_t i = 0; i < 2; ++i) {
    absl::StatusOr<JsonlRecord> rec = ParseJsonlLine(lines[i + 2], S());
    ASSERT_TRUE(rec.ok()) << rec.status();
    EdgeWrite w = std::get<EdgeWrite>(*rec);
    w.edge.id = g.edges[i].id;
    w.edge.from = g.edges[i].from;
    w.edge.to = g.edges[i].to;
    EXPECT_EQ(w.edge, g.edges[i]);
  }
}

TEST(Export, GraphmlIsWellFormedWithDeclaredKeys) {
  const std::string text = ExportString(SmallGraph(), ExportFormat::kGraphml);
  XmlElement root;
  ASSERT_EQ(TinyXml::Parse(text, &root), "") << text;
  EXPECT_EQ(root.name, "graphml");
  EXPECT_EQ(root.Attr("xmlns"), "http://graphml.graphdrawing.org/xmlns");
  // Every <data key> refers to a declared <key> for the right element.
  std::map<std::string, std::string> key_for, key_name;
  for (const XmlElement* k : root.All("key")) {
    key_for[k->Attr("id")] = k->Attr("for");
    key_name[k->Attr("id")] = k->Attr("attr.name");
  }
  for (absl::string_view builtin : {"kind", "name", "key", "type", "valid_from", "valid_to",
                                    "weight", "property_name", "field", "role"}) {
    bool found = false;
    for (const auto& [id, name] : key_name) found |= name == builtin;
    EXPECT_TRUE(found) << builtin;
  }
  const XmlElement* graph = root.First("graph");
  ASSERT_NE(graph, nullptr);
  EXPECT_EQ(graph->Attr("edgedefault"), "directed");
  auto data = [&](const XmlElement* e, const std::string& attr_name) {
    for (const XmlElement* d : e->All("data")) {
      EXPECT_EQ(key_for[d->Attr("key")], e->name) << d->Attr("key");
      if (key_name[d->Attr("key")] == attr_name) return d->text;
    }
    return std::string("<none>");
  };
  std::vector<const XmlElement*> nodes = graph->All("node");
  ASSERT_THAT(nodes, SizeIs(2));
  EXPECT_EQ(nodes[0]->Attr("id"), "person/zou");
  EXPECT_EQ(data(nodes[0], "name"), "邹学校");
  EXPECT_EQ(data(nodes[0], "kind"), "Person");
  EXPECT_EQ(data(nodes[0], "field"), "pepper, \"breeding\" <&>");
  EXPECT_EQ(data(nodes[0], "score"), "2.5");
  EXPECT_EQ(data(nodes[0], "since"), "2017-11-27");
  EXPECT_EQ(data(nodes[1], "name"), "中南大学 <CSU> & \"co\"");
  EXPECT_EQ(data(nodes[1], "property_name"), "a property, named name");
  std::vector<const XmlElement*> edges = graph->All("edge");
  ASSERT_THAT(edges, SizeIs(2));
  EXPECT_EQ(edges[0]->Attr("id"), "e7");
  EXPECT_EQ(edges[0]->Attr("source"), "person/zou");
  EXPECT_EQ(edges[0]->Attr("target"), "univ/csu");
  EXPECT_EQ(data(edges[0], "type"), "EMPLOYED_BY");
  EXPECT_EQ(data(edges[0], "valid_from"), "2001-01-01");
  EXPECT_EQ(data(edges[0], "valid_to"), "2008-12-31");
  EXPECT_EQ(data(edges[0], "weight"), "1");
  EXPECT_EQ(data(edges[0], "key"), "emp/1");
  EXPECT_EQ(data(edges[0], "role"), "教授");
  EXPECT_EQ(data(edges[1], "valid_to"), "<none>");  // Open end: no value.
  EXPECT_EQ(data(edges[1], "weight"), "2.5");
}

TEST(Export, GexfIsWellFormedVersion12) {
  const std::string text = ExportString(SmallGraph(), ExportFormat::kGexf);
  XmlElement root;
  ASSERT_EQ(TinyXml::Parse(text, &root), "") << text;
  EXPECT_EQ(root.name, "gexf");
  EXPECT_EQ(root.Attr("version"), "1.2");
  const XmlElement* graph = root.First("graph");
  ASSERT_NE(graph, nullptr);
  EXPECT_EQ(graph->Attr("mode"), "static");
  std::map<std::string, std::string> node_attr, edge_attr;  // id -> title
  for (const XmlElement* a : graph->All("attributes")) {
    auto& m = a->Attr("class") == "node" ? node_attr : edge_attr;
    for (const XmlElement* at : a->All("attribute")) m[at->Attr("id")] = at->Attr("title");
  }
  auto value = [](const XmlElement* e, const std::map<std::string, std::string>& titles,
                  const std::string& title) {
    for (const XmlElement* v : e->First("attvalues")->All("attvalue")) {
      auto it = titles.find(v->Attr("for"));
      EXPECT_NE(it, titles.end()) << "undeclared attribute " << v->Attr("for");
      if (it != titles.end() && it->second == title) return v->Attr("value");
    }
    return std::string("<none>");
  };
  std::vector<const XmlElement*> nodes = graph->First("nodes")->All("node");
  ASSERT_THAT(nodes, SizeIs(2));
  EXPECT_EQ(nodes[0]->Attr("id"), "person/zou");
  EXPECT_EQ(nodes[0]->Attr("label"), "邹学校");
  EXPECT_EQ(nodes[1]->Attr("label"), "中南大学 <CSU> & \"co\"");
  EXPECT_EQ(value(nodes[0], node_attr, "kind"), "Person");
  EXPECT_EQ(value(nodes[0], node_attr, "birth_year"), "1963");
  EXPECT_EQ(value(nodes[0], node_attr, "field"), "pepper, \"breeding\" <&>");
  EXPECT_EQ(value(nodes[1], node_attr, "founded"), "2000-04-29");
  std::vector<const XmlElement*> edges = graph->First("edges")->All("edge");
  ASSERT_THAT(edges, SizeIs(2));
  EXPECT_EQ(edges[1]->Attr("source"), "person/zou");
  EXPECT_EQ(edges[1]->Attr("target"), "univ/csu");
  EXPECT_EQ(edges[1]->Attr("label"), "EMPLOYED_BY");
  EXPECT_EQ(edges[1]->Attr("weight"), "2.5");
  EXPECT_EQ(value(edges[0], edge_attr, "valid_to"), "2008-12-31");
  EXPECT_EQ(value(edges[0], edge_attr, "role"), "教授");
  EXPECT_EQ(value(edges[1], edge_attr, "valid_to"), "<none>");
}

TEST(Export, XmlFormatsEscapeControlCharactersAndLineBreaks) {
  GraphData g = SmallGraph();
  g.nodes[0].name = "line\none\ttab\x01 bell";
  for (ExportFormat f : {ExportFormat::kGraphml, ExportFormat::kGexf}) {
    const std::string text = ExportString(g, f);
    XmlElement root;
    ASSERT_EQ(TinyXml::Parse(text, &root), "") << text;
  }
  const std::string gexf = ExportString(g, ExportFormat::kGexf);
  EXPECT_THAT(gexf, HasSubstr("label=\"line&#10;one&#9;tab\xEF\xBF\xBD bell\""));
}

TEST(Export, DotQuotesAndEscapes) {
  GraphData g = SmallGraph();
  g.nodes[0].name = "邹\\学校\n\"Zou\"";
  g.nodes[0].properties.clear();
  g.nodes[1].properties.clear();
  g.edges[0].properties.clear();
  EXPECT_EQ(ExportString(g, ExportFormat::kDot),
            "digraph \"innograph\" {\n"
            "  \"person/zou\" [label=\"邹\\\\学校\\n\\\"Zou\\\"\", kind=\"Person\"];\n"
            "  \"univ/csu\" [label=\"中南大学 <CSU> & \\\"co\\\"\", kind=\"University\"];\n"
            "  \"person/zou\" -> \"univ/csu\" [label=\"EMPLOYED_BY\", key=\"emp/1\", "
            "valid_from=\"2001-01-01\", valid_to=\"2008-12-31\", weight=\"1\"];\n"
            "  \"person/zou\" -> \"univ/csu\" [label=\"EMPLOYED_BY\", "
            "valid_from=\"2012-03-01\", weight=\"2.5\"];\n"
            "}\n");
}

TEST(Export, CytoscapeJsonParses) {
  const std::string text = ExportString(SmallGraph(), ExportFormat::kCytoscapeJson);
  nlohmann::json j = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  ASSERT_FALSE(j.is_discarded()) << text;
  const nlohmann::json& nodes = j["elements"]["nodes"];
  const nlohmann::json& edges = j["elements"]["edges"];
  ASSERT_EQ(nodes.size(), 2u);
  ASSERT_EQ(edges.size(), 2u);
  EXPECT_EQ(nodes[0]["data"]["id"], "person/zou");
  EXPECT_EQ(nodes[0]["data"]["key"], "person/zou");
  EXPECT_EQ(nodes[0]["data"]["kind"], "Person");
  EXPECT_EQ(nodes[0]["data"]["name"], "邹学校");
  EXPECT_EQ(nodes[0]["data"]["birth_year"], 1963);
  EXPECT_EQ(nodes[0]["data"]["score"], 2.5);
  EXPECT_EQ(nodes[0]["data"]["active"], true);
  EXPECT_EQ(nodes[0]["data"]["since"], "2017-11-27");
  EXPECT_EQ(nodes[1]["data"]["name"], "中南大学 <CSU> & \"co\"");
  EXPECT_EQ(nodes[1]["data"]["property_name"], "a property, named name");
  EXPECT_EQ(edges[0]["data"], nlohmann::json({{"id", "e7"},
                                              {"source", "person/zou"},
                                              {"target", "univ/csu"},
                                              {"type", "EMPLOYED_BY"},
                                              {"valid_from", "2001-01-01"},
                                              {"valid_to", "2008-12-31"},
                                              {"weight", 1.0},
                                              {"key", "emp/1"},
                                              {"role", "教授"}}));
  EXPECT_EQ(edges[1]["data"]["valid_to"], "");
  EXPECT_EQ(edges[1]["data"]["weight"], 2.5);
  // Chinese stays UTF-8, not \u escapes.
  EXPECT_THAT(text, HasSubstr("邹学校"));
}

TEST(Export, EdgeIdsAvoidNodeKeysOfTheSameShape) {
  GraphData g = SmallGraph();
  g.nodes[1].key = "e7";
  const std::string text = ExportString(g, ExportFormat::kCytoscapeJson);
  nlohmann::json j = nlohmann::json::parse(text);
  EXPECT_EQ(j["elements"]["edges"][0]["data"]["id"], "edge~7");
  EXPECT_EQ(j["elements"]["edges"][0]["data"]["target"], "e7");
}

TEST(Export, EmptyGraphIsValidInEveryFormat) {
  GraphData g;
  XmlElement root;
  EXPECT_EQ(TinyXml::Parse(ExportString(g, ExportFormat::kGraphml), &root), "");
  EXPECT_EQ(TinyXml::Parse(ExportString(g, ExportFormat::kGexf), &root), "");
  EXPECT_EQ(nlohmann::json::parse(ExportString(g, ExportFormat::kCytoscapeJson)),
            nlohmann::json::parse(R"({"elements":{"nodes":[],"edges":[]}})"));
  EXPECT_EQ(ExportString(g, ExportFormat::kDot), "digraph \"innograph\" {\n}\n");
  EXPECT_EQ(ExportString(g, ExportFormat::kJsonl), "");
}

TEST(Export, RefusesBadInputBeforeWriting) {
  GraphData g = SmallGraph();
  std::ostringstream out;
  // CSV needs the edges stream.
  absl::Status s = Export(g, S(), ExportFormat::kCsv, out, nullptr);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);

  // A dangling endpoint, in every format.
  GraphData dangling = g;
  dangling.edges[1].to = NodeId(99);
  for (ExportFormat f : {ExportFormat::kCsv, ExportFormat::kJsonl, ExportFormat::kGraphml,
                         ExportFormat::kDot, ExportFormat::kGexf, ExportFormat::kCytoscapeJson}) {
    std::ostringstream o, e;
    s = Export(dangling, S(), f, o, &e);
    EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition) << ExportFormatName(f);
    EXPECT_THAT(s.message(), HasSubstr("edge 8 (EMPLOYED_BY): its to node 99 is not among"));
    EXPECT_EQ(o.str(), "") << ExportFormatName(f);
    EXPECT_EQ(e.str(), "") << ExportFormatName(f);
  }

  // A line break cannot go into a CSV field; the other formats take it.
  GraphData multiline = g;
  multiline.nodes[1].properties["note"] = std::string("two\nlines");
  std::ostringstream n, e;
  s = Export(multiline, S(), ExportFormat::kCsv, n, &e);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(s.message(), HasSubstr("node 'univ/csu' property 'note' holds a line break"));
  EXPECT_EQ(n.str(), "");
  std::ostringstream j;
  EXPECT_TRUE(Export(multiline, S(), ExportFormat::kJsonl, j, nullptr).ok());

  // Unknown kind or type ids.
  GraphData unknown = g;
  unknown.nodes[0].kind = KindId(999);
  s = Export(unknown, S(), ExportFormat::kGraphml, out, nullptr);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(s.message(), HasSubstr("node 'person/zou': unknown kind id 999"));
}

// ---------------------------------------------------------------------------------------------
// The round trip: the demo data set through CSV and through JSON Lines into fresh stores.

// An edge as the comparison sees it: endpoints by key, no internal ids.
struct EdgeView {
  std::string from;
  uint32_t type = 0;
  std::string to;
  Interval valid;
  double weight = 0;
  std::string key;
  PropertyMap properties;
  std::vector<Citation> sources;
  bool operator==(const EdgeView&) const = default;
  auto Order() const { return std::tie(from, type, to, valid.from, valid.to, key); }
};

void PrintTo(const EdgeView& e, std::ostream* os) {
  *os << e.from << " -" << e.type << "-> " << e.to << " [" << FormatDate(e.valid.from) << ", "
      << FormatDate(e.valid.to) << "] w=" << e.weight << " key=" << e.key
      << " props=" << e.properties.size() << " sources=" << e.sources.size();
}

class ExportRoundTripTest : public testing::Test {
 protected:
  void SetUp() override {
    const testing::TestInfo* info = testing::UnitTest::GetInstance()->current_test_info();
    base_ = absl::StrCat(testing::TempDir(), "innograph_export_test_", info->name(), "_", getpid());
    std::filesystem::remove_all(base_);
    std::filesystem::create_directories(base_);
  }
  void TearDown() override { std::filesystem::remove_all(base_); }

  std::unique_ptr<GraphStore> OpenStore(const std::string& name) {
    GraphStore::Options options;
    options.sync_writes = false;
    options.block_cache_bytes = size_t{8} << 20;
    auto s = GraphStore::Open(base_ + "/" + name, options);
    EXPECT_TRUE(s.ok()) << s.status();
    return s.ok() ? std::move(*s) : nullptr;
  }

  static GraphData ReadAll(const GraphStore& store) {
    GraphData g;
    EXPECT_TRUE(store
                    .ForEachNode([&](const Node& n) {
                      g.nodes.push_back(n);
                      return true;
                    })
                    .ok());
    EXPECT_TRUE(store
                    .ForEachEdge([&](const Edge& e) {
                      g.edges.push_back(e);
                      return true;
                    })
                    .ok());
    return g;
  }

  // Nodes by key without ids, and edges by endpoint keys, both sorted.
  static void Canonical(const GraphData& g, std::vector<Node>* nodes,
                        std::vector<EdgeView>* edges) {
    std::map<uint64_t, std::string> key_of;
    for (Node n : g.nodes) {
      key_of[n.id.value] = n.key;
      n.id = NodeId();
      nodes->push_back(std::move(n));
    }
    std::sort(nodes->begin(), nodes->end(),
              [](const Node& a, const Node& b) { return a.key < b.key; });
    for (const Edge& e : g.edges) {
      edges->push_back(EdgeView{key_of[e.from.value], e.type.value, key_of[e.to.value], e.valid,
                                e.weight, e.key, e.properties, e.sources});
    }
    std::sort(edges->begin(), edges->end(),
              [](const EdgeView& a, const EdgeView& b) { return a.Order() < b.Order(); });
  }

  static void ExpectSameGraph(const GraphStore& want_store, const GraphStore& got_store) {
    std::vector<Node> want_nodes, got_nodes;
    std::vector<EdgeView> want_edges, got_edges;
    Canonical(ReadAll(want_store), &want_nodes, &want_edges);
    Canonical(ReadAll(got_store), &got_nodes, &got_edges);
    ASSERT_EQ(got_nodes.size(), want_nodes.size());
    ASSERT_EQ(got_edges.size(), want_edges.size());
    for (size_t i = 0; i < want_nodes.size(); ++i) {
      EXPECT_EQ(got_nodes[i].key, want_nodes[i].key);
      EXPECT_EQ(got_nodes[i].kind, want_nodes[i].kind) << want_nodes[i].key;
      EXPECT_EQ(got_nodes[i].name, want_nodes[i].name) << want_nodes[i].key;
      EXPECT_EQ(got_nodes[i].aliases, want_nodes[i].aliases) << want_nodes[i].key;
      EXPECT_EQ(got_nodes[i].properties, want_nodes[i].properties) << want_nodes[i].key;
      EXPECT_EQ(got_nodes[i].sources, want_nodes[i].sources) << want_nodes[i].key;
    }
    for (size_t i = 0; i < want_edges.size(); ++i) EXPECT_EQ(got_edges[i], want_edges[i]);
  }

  // Loads the demo data plus rows with the values the demo lacks (doubles, booleans, escapes,
  // edge keys and weights, intervals with both ends).
  std::unique_ptr<GraphStore> LoadOriginal() {
    std::unique_ptr<GraphStore> store = OpenStore("original");
    if (store == nullptr) return nullptr;
    const std::string demo = std::string(INNOGRAPH_SOURCE_DIR) + "/data/hunan/hunan.jsonl";
    absl::StatusOr<LoadStats> stats = LoadJsonlFile(demo, *store);
    EXPECT_TRUE(stats.ok()) << stats.status();
    EXPECT_GT(stats.ok() ? stats->edges : 0, 50u);
    Node p;
    p.key = "project/x";
    p.kind = Kind("Project");
    p.name = "项目 \"X\", phase 1|2";
    p.aliases = {"X|Y", "a#b\\c", " padded "};
    p.properties = {{"budget", 1.25e7}, {"open", false}, {"ratio", 0.1}, {"n", int64_t{-3}}};
    p.sources = {{"https://example.org/a#b", "table 1, row #2"}, {"source/x", ""}};
    EXPECT_TRUE(store->UpsertNodes({p}).ok());
    EdgeWrite w;
    w.from_key = "person/zou-xuexiao";
    w.to_key = "project/x";
    w.edge.type = Type("PARTICIPATES_IN");
    w.edge.valid = {D("2019-07-01"), D("2023-06-30")};
    w.edge.weight = 0.75;
    w.edge.key = "pi/x";
    w.edge.properties = {{"role", std::string("PI, \"lead\"")}, {"share", 0.4}};
    EdgeWrite c = w;
    c.to_key = "univ/csu";
    c.edge.type = Type("EMPLOYED_BY");
    c.edge.key = "";
    c.edge.properties = {{"since_birth", true}};
    absl::StatusOr<UpsertResult> r = store->UpsertEdges({w, c});
    EXPECT_TRUE(r.ok()) << r.status();
    return store;
  }

  std::string base_;
};

TEST_F(ExportRoundTripTest, CsvExportReimportsTheDemoDataSet) {
  std::unique_ptr<GraphStore> original = LoadOriginal();
  ASSERT_NE(original, nullptr);
  const GraphData g = ReadAll(*original);
  const std::string nodes_path = base_ + "/nodes.csv";
  const std::string edges_path = base_ + "/edges.csv";
  {
    std::ofstream nodes(nodes_path), edges(edges_path);
    absl::Status s = Export(g, *original->schema(), ExportFormat::kCsv, nodes, &edges);
    ASSERT_TRUE(s.ok()) << s;
  }
  std::unique_ptr<GraphStore> copy = OpenStore("csv");
  ASSERT_NE(copy, nullptr);
  absl::StatusOr<LoadStats> n = LoadCsvFile(nodes_path, CsvParser::Table::kNodes, *copy, 17);
  ASSERT_TRUE(n.ok()) << n.status();
  EXPECT_EQ(n->nodes, g.nodes.size());
  absl::StatusOr<LoadStats> e = LoadCsvFile(edges_path, CsvParser::Table::kEdges, *copy, 17);
  ASSERT_TRUE(e.ok()) << e.status();
  EXPECT_EQ(e->edges, g.edges.size());
  ExpectSameGraph(*original, *copy);
}

TEST_F(ExportRoundTripTest, JsonlExportReimportsTheDemoDataSet) {
  std::unique_ptr<GraphStore> original = LoadOriginal();
  ASSERT_NE(original, nullptr);
  const GraphData g = ReadAll(*original);
  const std::string path = base_ + "/export.jsonl";
  {
    std::ofstream out(path);
    absl::Status s = Export(g, *original->schema(), ExportFormat::kJsonl, out, nullptr);
    ASSERT_TRUE(s.ok()) << s;
  }
  std::unique_ptr<GraphStore> copy = OpenStore("jsonl");
  ASSERT_NE(copy, nullptr);
  absl::StatusOr<LoadStats> stats = LoadJsonlFile(path, *copy);
  ASSERT_TRUE(stats.ok()) << stats.status();
  EXPECT_EQ(stats->nodes, g.nodes.size());
  EXPECT_EQ(stats->edges, g.edges.size());
  ExpectSameGraph(*original, *copy);
}

TEST_F(ExportRoundTripTest, EveryFormatExportsTheDemoDataSet) {
  std::unique_ptr<GraphStore> original = LoadOriginal();
  ASSERT_NE(original, nullptr);
  const GraphData g = ReadAll(*original);
  for (ExportFormat f : {ExportFormat::kGraphml, ExportFormat::kGexf}) {
    std::ostringstream out;
    ASSERT_TRUE(Export(g, *original->schema(), f, out, nullptr).ok());
    XmlElement root;
    ASSERT_EQ(TinyXml::Parse(out.str(), &root), "") << ExportFormatName(f);
  }
  std::ostringstream cy;
  ASSERT_TRUE(Export(g, *original->schema(), ExportFormat::kCytoscapeJson, cy, nullptr).ok());
  nlohmann::json j = nlohmann::json::parse(cy.str(), nullptr, false);
  ASSERT_FALSE(j.is_discarded());
  EXPECT_EQ(j["elements"]["nodes"].size(), g.nodes.size());
  EXPECT_EQ(j["elements"]["edges"].size(), g.edges.size());
}

}  // namespace
}  // namespace innograph::io
