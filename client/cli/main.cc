// innograph: the command line client. `innograph help` lists the commands.
//
// Exit codes: 0 success; 1 the server refused the call (its message is printed); 2 usage error;
// 3 the server could not be reached (UNAVAILABLE) or did not answer in time.

#include <unistd.h>

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iostream>
#include <map>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "client/cli/args.h"
#include "client/cli/table.h"
#include "client/client.h"
#include "google/protobuf/util/json_util.h"

namespace innograph::cli {
namespace {

constexpr int kExitServer = 1;
constexpr int kExitUsage = 2;
constexpr int kExitUnavailable = 3;

// A usage error: printed with the command's usage line, exit 2.
struct UsageError {
  std::string message;
};

// Everything a command needs.
struct Context {
  const Args& args;
  client::Client& client;
  bool json;
};

struct Command {
  std::string name;   // "nodes get"
  std::string usage;  // Arguments and flags.
  std::string help;   // One line.
  std::set<std::string> flags;
  std::function<absl::Status(Context&)> run;
};

const std::set<std::string> kGlobalFlags = {"server", "json", "timeout", "help", "tls-ca", "token"};
// Flags that take no value (every other flag takes one).
const std::set<std::string> kBooleanFlags = {"json",
                                             "help",
                                             "allow-missing",
                                             "all",
                                             "count-only",
                                             "weighted",
                                             "time-respecting",
                                             "all-shortest",
                                             "include-neighbors",
                                             "directed",
                                             "articulation-points",
                                             "dry-run",
                                             "from-oldest"};

void PrintJson(const google::protobuf::Message& m) {
  google::protobuf::util::JsonPrintOptions options;
  options.add_whitespace = true;
  options.always_print_primitive_fields = true;
  options.preserve_proto_field_names = false;
  std::string out;
  (void)google::protobuf::util::MessageToJsonString(m, &out, options);
  std::cout << out;
  if (out.empty() || out.back() != '\n') std::cout << "\n";
}

std::string ValueText(const v1::Value& v) {
  switch (v.kind_case()) {
    case v1::Value::kStringValue:
      return v.string_value();
    case v1::Value::kIntValue:
      return absl::StrCat(v.int_value());
    case v1::Value::kDoubleValue:
      return absl::StrCat(v.double_value());
    case v1::Value::kBoolValue:
      return v.bool_value() ? "true" : "false";
    case v1::Value::kDateValue:
      return v.date_value();
    case v1::Value::KIND_NOT_SET:
      break;
  }
  return "";
}

std::string Interval(const v1::Edge& e) {
  if (e.valid_from().empty() && e.valid_to().empty()) return "";
  return absl::StrCat(e.valid_from().empty() ? "…" : e.valid_from(), " – ",
                      e.valid_to().empty() ? "…" : e.valid_to());
}

std::string SourcesText(const google::protobuf::RepeatedPtrField<v1::Citation>& sources) {
  return absl::StrJoin(sources, "; ", [](std::string* out, const v1::Citation& c) {
    absl::StrAppend(out, c.source(),
                    c.locator().empty() ? "" : absl::StrCat(" (", c.locator(), ")"));
  });
}

void PrintNode(const v1::Node& n) {
  Table t({"field", "value"});
  t.Add({"id", absl::StrCat(n.id())});
  t.Add({"key", n.key()});
  t.Add({"kind", n.kind()});
  t.Add({"name", n.name()});
  if (n.aliases_size() > 0) t.Add({"aliases", absl::StrJoin(n.aliases(), ", ")});
  std::map<std::string, v1::Value> sorted(n.properties().begin(), n.properties().end());
  for (const auto& [k, v] : sorted) t.Add({k, ValueText(v)});
  for (const v1::Citation& c : n.sources()) {
    t.Add({"source", c.source() + (c.locator().empty() ? "" : " (" + c.locator() + ")")});
  }
  t.Print(std::cout, 100);
}

// "@123" names a node by id; anything else is a key.
v1::NodeRef ParseRef(const std::string& text) {
  v1::NodeRef ref;
  uint64_t id;
  if (text.size() > 1 && text[0] == '@' && absl::SimpleAtoi(text.substr(1), &id)) {
    ref.set_id(id);
  } else {
    ref.set_key(text);
  }
  return ref;
}

// The schema, fetched once, to type --prop values.
const v1::Schema& SchemaOf(Context& ctx) {
  static std::optional<v1::Schema> schema;
  if (!schema) {
    auto resp = ctx.client.GetSchema();
    schema = resp.ok() ? resp->schema() : v1::Schema();
  }
  return *schema;
}

// Turns "name=value" into a typed property: the declared type when the schema has one, else
// int, double, bool or string by the look of the value.
absl::Status ParseProps(const std::vector<std::string>& props,
                        const google::protobuf::RepeatedPtrField<v1::PropertySpec>* specs,
                        google::protobuf::Map<std::string, v1::Value>* out) {
  for (const std::string& p : props) {
    size_t eq = p.find('=');
    if (eq == std::string::npos || eq == 0) {
      throw UsageError{absl::StrCat("--prop '", p, "': want name=value")};
    }
    std::string name = p.substr(0, eq), text = p.substr(eq + 1);
    v1::PropertyType declared = v1::PROPERTY_TYPE_UNSPECIFIED;
    if (specs) {
      for (const v1::PropertySpec& s : *specs) {
        if (s.name() == name) declared = s.type();
      }
    }
    v1::Value& v = (*out)[name];
    int64_t i;
    double d;
    switch (declared) {
      case v1::PROPERTY_TYPE_STRING:
        v.set_string_value(text);
        continue;
      case v1::PROPERTY_TYPE_DATE:
        v.set_date_value(text);
        continue;
      case v1::PROPERTY_TYPE_INT:
        if (!absl::SimpleAtoi(text, &i)) {
          throw UsageError{absl::StrCat("--prop ", name, ": '", text, "' is not an integer")};
        }
        v.set_int_value(i);
        continue;
      case v1::PROPERTY_TYPE_DOUBLE:
        if (!absl::SimpleAtod(text, &d)) {
          throw UsageError{absl::StrCat("--prop ", name, ": '", text, "' is not a number")};
        }
        v.set_double_value(d);
        continue;
      default:
        break;
    }
    if (absl::SimpleAtoi(text, &i)) {
      v.set_int_value(i);
    } else if (text.find_first_of(".eE") != std::string::npos && absl::SimpleAtod(text, &d) &&
               std::isfinite(d)) {
      v.set_double_value(d);
    } else if (text == "true" || text == "false") {
      v.set_bool_value(text == "true");
    } else {
      v.set_string_value(text);
    }
  }
  return absl::OkStatus();
}

// "--source SRC" or "--source SRC#locator".
template <typename M>
void ParseSources(const std::vector<std::string>& sources, M* msg) {
  for (const std::string& s : sources) {
    v1::Citation* c = msg->add_sources();
    size_t hash = s.find('#');
    c->set_source(s.substr(0, hash));
    if (hash != std::string::npos) c->set_locator(s.substr(hash + 1));
  }
}

std::string Required(Context& ctx, const std::string& flag) {
  std::string v = ctx.args.Get(flag);
  if (v.empty()) throw UsageError{absl::StrCat("--", flag, " is required")};
  return v;
}

std::vector<std::string> Operands(Context& ctx, size_t skip, size_t min) {
  const auto& pos = ctx.args.positional();
  std::vector<std::string> out(pos.begin() + std::min(skip, pos.size()), pos.end());
  if (out.size() < min) throw UsageError{"missing arguments"};
  return out;
}

uint32_t Uint(Context& ctx, const std::string& flag, uint32_t fallback) {
  std::string v = ctx.args.Get(flag);
  if (v.empty()) return fallback;
  uint32_t n;
  if (!absl::SimpleAtoi(v, &n))
    throw UsageError{absl::StrCat("--", flag, " '", v, "': not a number")};
  return n;
}

// --- Commands ---------------------------------------------------------------------------------

absl::Status CmdSchema(Context& ctx) {
  auto resp = ctx.client.GetSchema();
  if (!resp.ok()) return resp.status();
  if (ctx.json) return PrintJson(*resp), absl::OkStatus();
  const v1::Schema& s = resp->schema();
  std::cout << "schema " << s.name() << " v" << s.version() << "\n\nnode kinds\n";
  Table kinds({"kind", "properties", "description"});
  for (const auto& k : s.node_kinds()) {
    kinds.Add(
        {k.name(),
         absl::StrJoin(k.properties(), ", ",
                       [](std::string* o, const v1::PropertySpec& p) { o->append(p.name()); }),
         k.description()});
  }
  kinds.Print(std::cout, 60);
  std::cout << "\nedge types\n";
  Table types({"type", "from", "to", "time", "description"});
  for (const auto& t : s.edge_types()) {
    std::string time = t.temporal() == v1::TEMPORAL_INTERVAL ? "interval"
                       : t.temporal() == v1::TEMPORAL_POINT  ? "point"
                                                             : "";
    types.Add({t.name(), absl::StrJoin(t.from_kinds(), ","), absl::StrJoin(t.to_kinds(), ","), time,
               t.description()});
  }
  types.Print(std::cout, 40);
  return absl::OkStatus();
}

absl::Status CmdStats(Context& ctx) {
  auto resp = ctx.client.Stats();
  if (!resp.ok()) return resp.status();
  if (ctx.json) return PrintJson(*resp), absl::OkStatus();
  std::cout << "server " << resp->server_version() << ", up " << resp->uptime_seconds()
            << " s, data in " << resp->data_dir() << " (format " << resp->format_version() << ", "
            << resp->disk_bytes() << " bytes)\n"
            << resp->nodes() << " nodes, " << resp->edges() << " edges\n"
            << "rocksdb: " << resp->rocksdb_memtable_bytes()
            << " memtable bytes, block cache hit ratio "
            << absl::StrFormat("%.3f", resp->block_cache_hit_ratio()) << ", "
            << resp->compaction_pending_bytes() << " bytes pending compaction\n\n";
  Table t({"node kind", "count"});
  for (const auto& c : resp->nodes_by_kind()) {
    if (c.count() > 0) t.Add({c.name(), absl::StrCat(c.count())});
  }
  t.Print(std::cout);
  std::cout << "\n";
  Table e({"edge type", "count"});
  for (const auto& c : resp->edges_by_type()) {
    if (c.count() > 0) e.Add({c.name(), absl::StrCat(c.count())});
  }
  e.Print(std::cout);
  return absl::OkStatus();
}

absl::Status CmdBackup(Context& ctx) {
  const std::vector<std::string> dirs = Operands(ctx, 1, 1);
  if (dirs.size() != 1) throw UsageError{"give one directory"};
  v1::BackupRequest req;
  req.set_dir(dirs[0]);
  auto resp = ctx.client.Backup(req);
  if (!resp.ok()) return resp.status();
  if (ctx.json) return PrintJson(*resp), absl::OkStatus();
  std::cout << "backup: " << resp->dir() << " (" << resp->files() << " files, " << resp->bytes()
            << " bytes; " << resp->nodes() << " nodes, " << resp->edges()
            << " edges when it began) in " << absl::StrFormat("%.2f", resp->seconds())
            << " s\nrestore it with: innograph-server restore --from " << resp->dir()
            << " --data-dir NEW_DIR\n";
  return absl::OkStatus();
}

absl::Status CmdNodesGet(Context& ctx) {
  v1::GetNodesRequest req;
  for (const std::string& r : Operands(ctx, 2, 1)) *req.add_nodes() = ParseRef(r);
  req.set_allow_missing(ctx.args.Has("allow-missing"));
  auto resp = ctx.client.GetNodes(req);
  if (!resp.ok()) return resp.status();
  if (ctx.json) return PrintJson(*resp), absl::OkStatus();
  for (int i = 0; i < resp->nodes_size(); ++i) {
    if (i > 0) std::cout << "\n";
    PrintNode(resp->nodes(i));
  }
  for (const v1::NodeRef& m : resp->missing()) {
    std::cout << "missing: " << (m.has_id() ? absl::StrCat("@", m.id()) : m.key()) << "\n";
  }
  return absl::OkStatus();
}

absl::Status CmdNodesPut(Context& ctx) {
  v1::UpsertNodesRequest req;
  v1::Node* n = req.add_nodes();
  n->set_key(Required(ctx, "key"));
  n->set_kind(Required(ctx, "kind"));
  n->set_name(Required(ctx, "name"));
  for (const std::string& a : ctx.args.GetAll("alias")) n->add_aliases(a);
  const google::protobuf::RepeatedPtrField<v1::PropertySpec>* specs = nullptr;
  std::vector<std::string> props = ctx.args.GetAll("prop");
  if (!props.empty()) {
    for (const auto& k : SchemaOf(ctx).node_kinds()) {
      if (k.name() == n->kind()) specs = &k.properties();
    }
  }
  if (auto s = ParseProps(props, specs, n->mutable_properties()); !s.ok()) return s;
  ParseSources(ctx.args.GetAll("source"), n);
  auto resp = ctx.client.UpsertNodes(req);
  if (!resp.ok()) return resp.status();
  if (ctx.json) return PrintJson(*resp), absl::OkStatus();
  std::cout << (resp->created() ? "created" : "updated") << " node " << n->key() << " (id "
            << resp->ids(0) << ")\n";
  return absl::OkStatus();
}

absl::Status CmdNodesDelete(Context& ctx) {
  v1::DeleteNodesRequest req;
  for (const std::string& r : Operands(ctx, 2, 1)) *req.add_nodes() = ParseRef(r);
  req.set_allow_missing(ctx.args.Has("allow-missing"));
  auto resp = ctx.client.DeleteNodes(req);
  if (!resp.ok()) return resp.status();
  if (ctx.json) return PrintJson(*resp), absl::OkStatus();
  std::cout << "deleted " << resp->deleted_nodes() << " node(s) and " << resp->deleted_edges()
            << " edge(s)\n";
  return absl::OkStatus();
}

absl::Status CmdEdgesPut(Context& ctx) {
  v1::UpsertEdgesRequest req;
  v1::Edge* e = req.add_edges();
  e->set_type(Required(ctx, "type"));
  if (!ctx.args.Get("id").empty()) e->set_id(Uint(ctx, "id", 0));
  for (const char* flag : {"from", "to"}) {
    std::string v = ctx.args.Get(flag);
    if (v.empty()) {
      if (e->id() == 0) throw UsageError{absl::StrCat("--", flag, " is required")};
      continue;
    }
    v1::NodeRef ref = ParseRef(v);
    const bool from = std::string(flag) == "from";
    if (ref.has_id()) {
      from ? e->set_from_id(ref.id()) : e->set_to_id(ref.id());
    } else {
      from ? e->set_from_key(ref.key()) : e->set_to_key(ref.key());
    }
  }
  e->set_valid_from(ctx.args.Get("valid-from"));
  e->set_valid_to(ctx.args.Get("valid-to"));
  e->set_key(ctx.args.Get("key"));
  if (std::string w = ctx.args.Get("weight"); !w.empty()) {
    double d;
    if (!absl::SimpleAtod(w, &d))
      throw UsageError{absl::StrCat("--weight '", w, "': not a number")};
    e->set_weight(d);
  }
  const google::protobuf::RepeatedPtrField<v1::PropertySpec>* specs = nullptr;
  std::vector<std::string> props = ctx.args.GetAll("prop");
  if (!props.empty()) {
    for (const auto& t : SchemaOf(ctx).edge_types()) {
      if (t.name() == e->type()) specs = &t.properties();
    }
  }
  if (auto s = ParseProps(props, specs, e->mutable_properties()); !s.ok()) return s;
  ParseSources(ctx.args.GetAll("source"), e);
  auto resp = ctx.client.UpsertEdges(req);
  if (!resp.ok()) return resp.status();
  if (ctx.json) return PrintJson(*resp), absl::OkStatus();
  std::cout << (resp->created() ? "created" : "updated") << " edge " << resp->ids(0) << "\n";
  return absl::OkStatus();
}

std::vector<uint64_t> EdgeIds(Context& ctx, size_t skip, size_t min) {
  std::vector<uint64_t> ids;
  for (const std::string& s : Operands(ctx, skip, min)) {
    uint64_t id;
    if (!absl::SimpleAtoi(s, &id)) throw UsageError{absl::StrCat("'", s, "' is not an edge id")};
    ids.push_back(id);
  }
  return ids;
}

absl::Status CmdEdgesGet(Context& ctx) {
  v1::GetEdgesRequest req;
  for (uint64_t id : EdgeIds(ctx, 2, 1)) req.add_ids(id);
  req.set_allow_missing(ctx.args.Has("allow-missing"));
  auto resp = ctx.client.GetEdges(req);
  if (!resp.ok()) return resp.status();
  if (ctx.json) return PrintJson(*resp), absl::OkStatus();
  Table t({"id", "from", "type", "to", "valid", "weight", "sources"});
  for (const v1::Edge& e : resp->edges()) {
    t.Add({absl::StrCat(e.id()), e.from_key(), e.type(), e.to_key(), Interval(e),
           absl::StrCat(e.weight()), SourcesText(e.sources())});
  }
  t.Print(std::cout);
  return absl::OkStatus();
}

absl::Status CmdEdgesDelete(Context& ctx) {
  v1::DeleteEdgesRequest req;
  for (uint64_t id : EdgeIds(ctx, 2, ctx.args.Has("key") ? 0 : 1)) req.add_ids(id);
  for (const std::string& k : ctx.args.GetAll("key")) req.add_keys(k);
  req.set_allow_missing(ctx.args.Has("allow-missing"));
  auto resp = ctx.client.DeleteEdges(req);
  if (!resp.ok()) return resp.status();
  if (ctx.json) return PrintJson(*resp), absl::OkStatus();
  std::cout << "deleted " << resp->deleted_edges() << " edge(s)\n";
  return absl::OkStatus();
}

void FillFilter(Context& ctx, v1::Filter* f) {
  for (const std::string& t : ctx.args.GetAll("type")) {
    for (auto part : absl::StrSplit(t, ',', absl::SkipEmpty()))
      f->add_edge_types(std::string(part));
  }
  for (const std::string& k : ctx.args.GetAll("kind")) {
    for (auto part : absl::StrSplit(k, ',', absl::SkipEmpty()))
      f->add_node_kinds(std::string(part));
  }
  f->set_as_of(ctx.args.Get("as-of"));
  f->set_window_from(ctx.args.Get("window-from"));
  f->set_window_to(ctx.args.Get("window-to"));
  if (std::string w = ctx.args.Get("min-weight"); !w.empty()) {
    double d;
    if (!absl::SimpleAtod(w, &d))
      throw UsageError{absl::StrCat("--min-weight '", w, "': not a number")};
    f->set_min_weight(d);
  }
}

absl::Status CmdNeighbors(Context& ctx) {
  v1::NeighborsRequest req;
  *req.mutable_node() = ParseRef(Operands(ctx, 1, 1)[0]);
  std::string dir = ctx.args.Get("direction", "both");
  if (dir == "out") {
    req.set_direction(v1::DIRECTION_OUT);
  } else if (dir == "in") {
    req.set_direction(v1::DIRECTION_IN);
  } else if (dir == "both") {
    req.set_direction(v1::DIRECTION_BOTH);
  } else {
    throw UsageError{absl::StrCat("--direction '", dir, "': want out, in or both")};
  }
  FillFilter(ctx, req.mutable_filter());
  req.set_limit(Uint(ctx, "limit", 0));
  req.set_page_token(ctx.args.Get("page-token"));
  v1::NeighborsResponse all;
  while (true) {
    auto resp = ctx.client.Neighbors(req);
    if (!resp.ok()) return resp.status();
    all.mutable_neighbors()->MergeFrom(resp->neighbors());
    all.set_next_page_token(resp->next_page_token());
    if (!ctx.args.Has("all") || resp->next_page_token().empty()) break;
    req.set_page_token(resp->next_page_token());
  }
  if (ctx.json) return PrintJson(all), absl::OkStatus();
  Table t({"dir", "type", "neighbour", "kind", "name", "valid", "edge"});
  for (const v1::Neighbor& n : all.neighbors()) {
    t.Add({n.direction() == v1::DIRECTION_OUT ? "->" : "<-", n.edge().type(), n.node().key(),
           n.node().kind(), n.node().name(), Interval(n.edge()), absl::StrCat(n.edge().id())});
  }
  t.Print(std::cout);
  std::cout << t.size() << " neighbour(s)";
  if (!all.next_page_token().empty()) {
    std::cout << "; more with --page-token " << all.next_page_token() << " (or --all)";
  }
  std::cout << "\n";
  return absl::OkStatus();
}

absl::Status CmdSearch(Context& ctx) {
  v1::SearchNodesRequest req;
  req.set_query(absl::StrJoin(Operands(ctx, 1, 1), " "));
  for (const std::string& k : ctx.args.GetAll("kind")) {
    for (auto part : absl::StrSplit(k, ',', absl::SkipEmpty())) req.add_kinds(std::string(part));
  }
  req.set_limit(Uint(ctx, "limit", 0));
  req.set_page_token(ctx.args.Get("page-token"));
  auto resp = ctx.client.SearchNodes(req);
  if (!resp.ok()) return resp.status();
  if (ctx.json) return PrintJson(*resp), absl::OkStatus();
  Table t({"key", "kind", "name", "aliases"});
  for (const v1::Node& n : resp->nodes()) {
    t.Add({n.key(), n.kind(), n.name(), absl::StrJoin(n.aliases(), ", ")});
  }
  t.Print(std::cout);
  if (!resp->next_page_token().empty()) {
    std::cout << "more with --page-token " << resp->next_page_token() << "\n";
  }
  return absl::OkStatus();
}

void FillLimits(Context& ctx, v1::Limits* l) {
  l->set_max_edges_per_node(Uint(ctx, "max-edges-per-node", 0));
  l->set_max_visited(Uint(ctx, "max-visited", 0));
  l->set_max_results(Uint(ctx, "max-results", 0));
}

v1::Direction DirectionFlag(Context& ctx) {
  std::string dir = ctx.args.Get("direction", "both");
  if (dir == "out") return v1::DIRECTION_OUT;
  if (dir == "in") return v1::DIRECTION_IN;
  if (dir == "both") return v1::DIRECTION_BOTH;
  throw UsageError{absl::StrCat("--direction '", dir, "': want out, in or both")};
}

std::string NodeLabel(const v1::Node& n) {
  return n.name().empty() ? absl::StrCat("@", n.id()) : absl::StrCat(n.name(), " (", n.key(), ")");
}

void PrintTruncation(bool truncated, const google::protobuf::RepeatedField<int>& hit) {
  if (!truncated) return;
  std::cout << "truncated by:";
  for (int k : hit) std::cout << " " << v1::LimitKind_Name(static_cast<v1::LimitKind>(k));
  std::cout << "\n";
}

void PrintPaths(const v1::PathsResponse& resp) {
  if (resp.paths_size() == 0) std::cout << "no path found\n";
  for (int i = 0; i < resp.paths_size(); ++i) {
    const v1::Path& p = resp.paths(i);
    std::cout << "path " << i + 1 << " (" << p.steps_size() << " hops, cost " << p.cost()
              << "):\n  " << NodeLabel(p.nodes(0)) << "\n";
    for (int j = 0; j < p.steps_size(); ++j) {
      const v1::Step& s = p.steps(j);
      std::string when = Interval(s.edge());
      std::cout << "  " << (s.forward() ? "-" : "<-") << s.edge().type()
                << (when.empty() ? "" : " [" + when + "]") << (s.forward() ? "->" : "-") << " "
                << NodeLabel(p.nodes(j + 1)) << "\n";
    }
  }
  PrintTruncation(resp.truncated(), resp.limits_hit());
}

absl::Status CmdExpand(Context& ctx) {
  v1::ExpandRequest req;
  for (const std::string& r : Operands(ctx, 1, 1)) *req.add_seeds() = ParseRef(r);
  req.set_depth(Uint(ctx, "depth", 2));
  req.set_direction(DirectionFlag(ctx));
  req.set_count_only(ctx.args.Has("count-only"));
  FillFilter(ctx, req.mutable_filter());
  FillLimits(ctx, req.mutable_limits());
  auto resp = ctx.client.Expand(req);
  if (!resp.ok()) return resp.status();
  if (ctx.json) return PrintJson(*resp), absl::OkStatus();
  if (!req.count_only()) {
    Table t({"hop", "key", "kind", "name"});
    for (int i = 0; i < resp->nodes_size(); ++i) {
      const v1::Node& n = resp->nodes(i);
      t.Add({absl::StrCat(resp->hops(i)), n.key(), n.kind(), n.name()});
    }
    t.Print(std::cout);
  }
  std::cout << "per hop: " << absl::StrJoin(resp->per_hop(), " ") << "; " << resp->edges_size()
            << " edges\n";
  PrintTruncation(resp->truncated(), resp->limits_hit());
  return absl::OkStatus();
}

absl::Status CmdPath(Context& ctx) {
  std::vector<std::string> ends = Operands(ctx, 1, 2);
  v1::ShortestPathRequest req;
  *req.mutable_from() = ParseRef(ends[0]);
  *req.mutable_to() = ParseRef(ends[1]);
  req.set_direction(DirectionFlag(ctx));
  req.set_weighted(ctx.args.Has("weighted"));
  req.set_time_respecting(ctx.args.Has("time-respecting"));
  req.set_max_length(Uint(ctx, "max-length", 0));
  FillFilter(ctx, req.mutable_filter());
  FillLimits(ctx, req.mutable_limits());
  auto resp = ctx.client.ShortestPath(req);
  if (!resp.ok()) return resp.status();
  if (ctx.json) return PrintJson(*resp), absl::OkStatus();
  PrintPaths(*resp);
  return absl::OkStatus();
}

absl::Status CmdPaths(Context& ctx) {
  std::vector<std::string> ends = Operands(ctx, 1, 2);
  v1::PathsRequest req;
  *req.mutable_from() = ParseRef(ends[0]);
  *req.mutable_to() = ParseRef(ends[1]);
  req.set_direction(DirectionFlag(ctx));
  req.set_mode(ctx.args.Has("all-shortest") ? v1::PATHS_MODE_ALL_SHORTEST
                                            : v1::PATHS_MODE_K_SHORTEST);
  req.set_k(Uint(ctx, "k", 0));
  req.set_weighted(ctx.args.Has("weighted"));
  req.set_max_length(Uint(ctx, "max-length", 0));
  FillFilter(ctx, req.mutable_filter());
  FillLimits(ctx, req.mutable_limits());
  auto resp = ctx.client.Paths(req);
  if (!resp.ok()) return resp.status();
  if (ctx.json) return PrintJson(*resp), absl::OkStatus();
  PrintPaths(*resp);
  return absl::OkStatus();
}

absl::Status CmdSubgraph(Context& ctx) {
  v1::SubgraphRequest req;
  if (std::string c = ctx.args.Get("center"); !c.empty()) {
    *req.mutable_center() = ParseRef(c);
    req.set_radius(Uint(ctx, "radius", 1));
  }
  for (const std::string& r : Operands(ctx, 1, req.has_center() ? 0 : 1)) {
    *req.add_nodes() = ParseRef(r);
  }
  req.set_direction(DirectionFlag(ctx));
  FillFilter(ctx, req.mutable_filter());
  FillLimits(ctx, req.mutable_limits());
  auto resp = ctx.client.Subgraph(req);
  if (!resp.ok()) return resp.status();
  if (ctx.json) return PrintJson(*resp), absl::OkStatus();
  Table t({"from", "type", "to", "valid", "edge"});
  for (const v1::Edge& e : resp->edges()) {
    t.Add({e.from_key(), e.type(), e.to_key(), Interval(e), absl::StrCat(e.id())});
  }
  t.Print(std::cout);
  std::cout << resp->nodes_size() << " nodes, " << resp->edges_size() << " edges\n";
  PrintTruncation(resp->truncated(), resp->limits_hit());
  return absl::OkStatus();
}

absl::Status CmdCommon(Context& ctx) {
  std::vector<std::string> ends = Operands(ctx, 1, 2);
  v1::CommonNeighborsRequest req;
  *req.mutable_a() = ParseRef(ends[0]);
  *req.mutable_b() = ParseRef(ends[1]);
  req.set_direction(DirectionFlag(ctx));
  FillFilter(ctx, req.mutable_filter());
  FillLimits(ctx, req.mutable_limits());
  auto resp = ctx.client.CommonNeighbors(req);
  if (!resp.ok()) return resp.status();
  if (ctx.json) return PrintJson(*resp), absl::OkStatus();
  Table t({"key", "kind", "name", "from a", "from b"});
  for (const v1::CommonNeighbor& c : resp->neighbors()) {
    t.Add({c.node().key(), c.node().kind(), c.node().name(), c.from_a().edge().type(),
           c.from_b().edge().type()});
  }
  t.Print(std::cout);
  PrintTruncation(resp->truncated(), resp->limits_hit());
  return absl::OkStatus();
}

void PrintScored(const google::protobuf::RepeatedPtrField<v1::ScoredNode>& nodes, bool common) {
  std::vector<std::string> header = {"rank", "key", "kind", "name", "score"};
  if (common) header.push_back("shared");
  Table t(header);
  int rank = 0;
  for (const v1::ScoredNode& n : nodes) {
    std::vector<std::string> row = {absl::StrCat(++rank), n.node().key(), n.node().kind(),
                                    n.node().name(), absl::StrFormat("%.6g", n.score())};
    if (common) row.push_back(absl::StrCat(n.common()));
    t.Add(std::move(row));
  }
  t.Print(std::cout);
}

absl::Status CmdSimilar(Context& ctx) {
  v1::SimilarRequest req;
  *req.mutable_node() = ParseRef(Operands(ctx, 1, 1)[0]);
  std::string metric = ctx.args.Get("metric", "jaccard");
  if (metric == "jaccard") {
    req.set_metric(v1::SIMILARITY_METRIC_JACCARD);
  } else if (metric == "adamic-adar") {
    req.set_metric(v1::SIMILARITY_METRIC_ADAMIC_ADAR);
  } else {
    throw UsageError{absl::StrCat("--metric '", metric, "': want jaccard or adamic-adar")};
  }
  req.set_k(Uint(ctx, "k", 0));
  req.set_include_neighbors(ctx.args.Has("include-neighbors"));
  req.set_direction(DirectionFlag(ctx));
  FillFilter(ctx, req.mutable_filter());
  FillLimits(ctx, req.mutable_limits());
  auto resp = ctx.client.Similar(req);
  if (!resp.ok()) return resp.status();
  if (ctx.json) return PrintJson(*resp), absl::OkStatus();
  PrintScored(resp->nodes(), true);
  PrintTruncation(resp->truncated(), resp->limits_hit());
  return absl::OkStatus();
}

absl::Status CmdRank(Context& ctx) {
  v1::RankRequest req;
  std::string m = ctx.args.Get("measure", "degree");
  if (m == "degree") {
    req.set_measure(v1::MEASURE_DEGREE);
  } else if (m == "pagerank") {
    req.set_measure(v1::MEASURE_PAGERANK);
  } else if (m == "betweenness") {
    req.set_measure(v1::MEASURE_BETWEENNESS);
  } else if (m == "closeness") {
    req.set_measure(v1::MEASURE_CLOSENESS);
  } else {
    throw UsageError{
        absl::StrCat("--measure '", m, "': want degree, pagerank, betweenness or closeness")};
  }
  req.set_top_k(Uint(ctx, "top", 0));
  req.set_samples(Uint(ctx, "samples", 0));
  req.set_seed(Uint(ctx, "seed", 0));
  req.set_directed(ctx.args.Has("directed"));
  req.set_weighted(ctx.args.Has("weighted"));
  FillFilter(ctx, req.mutable_filter());
  auto resp = ctx.client.Rank(req);
  if (!resp.ok()) return resp.status();
  if (ctx.json) return PrintJson(*resp), absl::OkStatus();
  PrintScored(resp->nodes(), false);
  std::cout << m << " over " << resp->graph_nodes() << " nodes and " << resp->graph_edges()
            << " edges in " << absl::StrFormat("%.3f", resp->seconds()) << " s";
  if (resp->samples_used() > 0)
    std::cout << " (sampled from " << resp->samples_used() << " sources)";
  std::cout << "\n";
  return absl::OkStatus();
}

void PrintGroups(const google::protobuf::RepeatedPtrField<v1::Component>& groups) {
  Table t({"#", "size", "members"});
  int i = 0;
  for (const v1::Component& c : groups) {
    t.Add({absl::StrCat(++i), absl::StrCat(c.size()),
           absl::StrJoin(c.members(), ", ",
                         [](std::string* out, const v1::Node& n) { out->append(n.name()); })});
  }
  t.Print(std::cout, 90);
}

absl::Status CmdComponents(Context& ctx) {
  v1::ComponentsRequest req;
  req.set_top_k(Uint(ctx, "top", 0));
  req.set_articulation_points(ctx.args.Has("articulation-points"));
  FillFilter(ctx, req.mutable_filter());
  auto resp = ctx.client.Components(req);
  if (!resp.ok()) return resp.status();
  if (ctx.json) return PrintJson(*resp), absl::OkStatus();
  std::cout << resp->count() << " components over " << resp->graph_nodes() << " nodes and "
            << resp->graph_edges() << " edges\n";
  PrintGroups(resp->components());
  if (req.articulation_points()) {
    std::cout << resp->articulation_point_count() << " articulation points: "
              << absl::StrJoin(resp->articulation_points(), ", ",
                               [](std::string* out, const v1::Node& n) { out->append(n.key()); })
              << "\n";
  }
  return absl::OkStatus();
}

absl::Status CmdCommunities(Context& ctx) {
  v1::CommunitiesRequest req;
  std::string algorithm = ctx.args.Get("algorithm", "louvain");
  if (algorithm == "louvain") {
    req.set_algorithm(v1::COMMUNITY_ALGORITHM_LOUVAIN);
  } else if (algorithm == "label-propagation") {
    req.set_algorithm(v1::COMMUNITY_ALGORITHM_LABEL_PROPAGATION);
  } else {
    throw UsageError{
        absl::StrCat("--algorithm '", algorithm, "': want louvain or label-propagation")};
  }
  req.set_seed(Uint(ctx, "seed", 0));
  req.set_top_k(Uint(ctx, "top", 0));
  if (std::string r = ctx.args.Get("resolution"); !r.empty()) {
    double d;
    if (!absl::SimpleAtod(r, &d)) throw UsageError{absl::StrCat("--resolution '", r, "'")};
    req.set_resolution(d);
  }
  FillFilter(ctx, req.mutable_filter());
  auto resp = ctx.client.Communities(req);
  if (!resp.ok()) return resp.status();
  if (ctx.json) return PrintJson(*resp), absl::OkStatus();
  std::cout << resp->count() << " communities, modularity "
            << absl::StrFormat("%.4f", resp->modularity()) << "\n";
  PrintGroups(resp->communities());
  return absl::OkStatus();
}

absl::Status CmdImport(Context& ctx) {
  std::vector<std::string> files = Operands(ctx, 1, 1);
  v1::ImportOptions options;
  options.set_max_errors(Uint(ctx, "max-errors", 0));
  options.set_dry_run(ctx.args.Has("dry-run"));
  const bool tty = isatty(STDERR_FILENO);
  const auto started = std::chrono::steady_clock::now();
  auto last = started;
  auto progress = [&](const client::Client::ImportProgress& p) {
    auto now = std::chrono::steady_clock::now();
    if (now - last < std::chrono::milliseconds(tty ? 200 : 5000)) return;
    last = now;
    const double secs = std::chrono::duration<double>(now - started).count();
    const double rate = p.lines_sent / std::max(secs, 1e-9);
    const double frac = p.bytes_total ? static_cast<double>(p.bytes_sent) / p.bytes_total : 1;
    const double eta = frac > 0 ? secs / frac - secs : 0;
    if (tty) {
      const int width = 30, filled = static_cast<int>(frac * width);
      std::cerr << "\r[" << std::string(filled, '#') << std::string(width - filled, ' ') << "] "
                << absl::StrFormat("%5.1f%%  %llu rows  %.0f rows/s  ETA %.0f s ", frac * 100,
                                   static_cast<unsigned long long>(p.lines_sent), rate, eta)
                << std::flush;
    } else {
      std::cerr << absl::StrFormat("import: %.1f%%, %llu rows, %.0f rows/s\n", frac * 100,
                                   static_cast<unsigned long long>(p.lines_sent), rate);
    }
  };
  auto resp = ctx.client.Import(files, options, progress);
  if (tty) std::cerr << "\r" << std::string(79, ' ') << "\r";
  if (!resp.ok()) return resp.status();
  if (std::string rejects = ctx.args.Get("rejects"); !rejects.empty()) {
    std::ofstream out(rejects);
    for (const v1::RowError& e : resp->errors()) out << e.raw() << "\n";
    if (!out) throw UsageError{absl::StrCat("--rejects '", rejects, "': cannot write")};
  }
  if (ctx.json) {
    PrintJson(*resp);
  } else {
    for (const v1::RowError& e : resp->errors()) {
      std::cerr << e.file() << ":" << e.line() << ": " << e.message() << "\n";
    }
    std::cout << (options.dry_run() ? "checked " : "imported ") << resp->rows_read()
              << " rows: " << resp->nodes_written() << " nodes and " << resp->edges_written()
              << " edges written, " << resp->rows_rejected() << " rejected, in "
              << absl::StrFormat("%.2f", resp->seconds()) << " s";
    if (resp->aborted()) std::cout << "; " << resp->abort_reason();
    std::cout << "\n";
  }
  if (resp->rows_rejected() > 0 || resp->aborted()) {
    return absl::FailedPreconditionError(absl::StrCat(resp->rows_rejected(), " rows rejected"));
  }
  return absl::OkStatus();
}

absl::Status CmdExport(Context& ctx) {
  v1::ExportRequest req;
  std::string format = ctx.args.Get("format", "jsonl");
  static const std::map<std::string, v1::ExportFormat> kFormats = {
      {"jsonl", v1::EXPORT_FORMAT_JSONL},     {"csv", v1::EXPORT_FORMAT_CSV},
      {"graphml", v1::EXPORT_FORMAT_GRAPHML}, {"dot", v1::EXPORT_FORMAT_DOT},
      {"gexf", v1::EXPORT_FORMAT_GEXF},       {"cytoscape", v1::EXPORT_FORMAT_CYTOSCAPE_JSON}};
  auto it = kFormats.find(format);
  if (it == kFormats.end()) {
    throw UsageError{
        absl::StrCat("--format '", format, "': want jsonl, csv, graphml, dot, gexf or cytoscape")};
  }
  req.set_format(it->second);
  std::vector<std::string> nodes = Operands(ctx, 1, 0);
  if (std::string c = ctx.args.Get("center"); !c.empty()) {
    *req.mutable_subgraph()->mutable_center() = ParseRef(c);
    req.mutable_subgraph()->set_radius(Uint(ctx, "radius", 1));
  }
  for (const std::string& n : nodes) *req.mutable_subgraph()->add_nodes() = ParseRef(n);
  if (req.has_subgraph()) {
    req.mutable_subgraph()->set_direction(DirectionFlag(ctx));
    FillFilter(ctx, req.mutable_subgraph()->mutable_filter());
  }
  const std::string out = ctx.args.Get("out");
  const bool csv = req.format() == v1::EXPORT_FORMAT_CSV;
  if (csv && out.empty()) throw UsageError{"--out DIR is required for csv (two files)"};
  std::map<std::string, std::unique_ptr<std::ofstream>> files;
  absl::Status status =
      ctx.client.Export(req, [&](const std::string& file, const std::string& data) {
        if (out.empty()) {
          std::cout << data;
          return;
        }
        auto& f = files[file];
        if (!f) {
          std::string path = out;
          if (csv) {
            std::filesystem::create_directories(out);
            path = (std::filesystem::path(out) / (file + ".csv")).string();
          }
          f = std::make_unique<std::ofstream>(path, std::ios::binary);
        }
        f->write(data.data(), static_cast<std::streamsize>(data.size()));
      });
  for (auto& [name, f] : files) {
    f->close();
    if (!*f) return absl::DataLossError(absl::StrCat("writing the ", name, " file failed"));
  }
  if (status.ok() && !out.empty()) std::cerr << "exported to " << out << "\n";
  return status;
}

absl::Status CmdWatch(Context& ctx) {
  v1::WatchRequest req;
  if (std::string a = ctx.args.Get("start-after"); !a.empty()) {
    uint64_t after;
    if (!absl::SimpleAtoi(a, &after)) throw UsageError{absl::StrCat("--start-after '", a, "'")};
    req.set_start_after(after);
  }
  req.set_from_oldest(ctx.args.Has("from-oldest"));
  for (const std::string& k : ctx.args.GetAll("kind")) {
    for (auto part : absl::StrSplit(k, ',', absl::SkipEmpty()))
      req.add_node_kinds(std::string(part));
  }
  for (const std::string& t : ctx.args.GetAll("type")) {
    for (auto part : absl::StrSplit(t, ',', absl::SkipEmpty()))
      req.add_edge_types(std::string(part));
  }
  const uint32_t limit = Uint(ctx, "limit", 0);
  double seconds = 0;
  if (std::string t = ctx.args.Get("for"); !t.empty() && !absl::SimpleAtod(t, &seconds)) {
    throw UsageError{absl::StrCat("--for '", t, "': want seconds")};
  }
  uint32_t seen = 0;
  google::protobuf::util::JsonPrintOptions json_options;
  auto on_event = [&](const v1::WatchEvent& e) {
    if (ctx.json) {
      std::string line;
      (void)google::protobuf::util::MessageToJsonString(e, &line, json_options);
      std::cout << line << std::endl;
    } else {
      std::cout << e.sequence() << "  ";
      switch (e.event_case()) {
        case v1::WatchEvent::kStarted:
          std::cout << "watching (newest change " << e.started().last_change() << ", oldest kept "
                    << e.started().oldest_change() << ")";
          break;
        case v1::WatchEvent::kNodeUpserted:
          std::cout << "node " << (e.created() ? "+" : "~") << " " << e.node_upserted().key() << " "
                    << e.node_upserted().kind() << " " << e.node_upserted().name();
          break;
        case v1::WatchEvent::kNodeDeleted:
          std::cout << "node - " << e.node_deleted().key();
          break;
        case v1::WatchEvent::kEdgeUpserted:
          std::cout << "edge " << (e.created() ? "+" : "~") << " " << e.edge_upserted().id() << " "
                    << e.edge_upserted().from_key() << " -" << e.edge_upserted().type() << "-> "
                    << e.edge_upserted().to_key();
          break;
        case v1::WatchEvent::kEdgeDeleted:
          std::cout << "edge - " << e.edge_deleted().id() << " " << e.edge_deleted().from_key()
                    << " -" << e.edge_deleted().type() << "-> " << e.edge_deleted().to_key();
          break;
        case v1::WatchEvent::kResync:
          std::cout << "resync (bulk load of " << e.resync().nodes() << " nodes, "
                    << e.resync().edges() << " edges)";
          break;
        case v1::WatchEvent::EVENT_NOT_SET:
          break;
      }
      std::cout << std::endl;
    }
    if (e.event_case() == v1::WatchEvent::kStarted) return true;
    return limit == 0 || ++seen < limit;
  };
  return ctx.client.Watch(req, seconds, on_event);
}

const std::vector<Command>& Commands() {
  static const std::vector<Command> commands = {
      {"schema", "", "node kinds and edge types", {}, CmdSchema},
      {"stats", "", "counts per kind and type, store figures", {}, CmdStats},
      {"nodes get", "KEY|@ID... [--allow-missing]", "show nodes", {"allow-missing"}, CmdNodesGet},
      {"nodes put",
       "--key KEY --kind KIND --name NAME [--alias A]... [--prop NAME=VALUE]... "
       "[--source SRC[#LOCATOR]]...",
       "create or replace a node",
       {"key", "kind", "name", "alias", "prop", "source"},
       CmdNodesPut},
      {"nodes delete",
       "KEY|@ID... [--allow-missing]",
       "delete nodes and their edges",
       {"allow-missing"},
       CmdNodesDelete},
      {"edges put",
       "--from KEY|@ID --type TYPE --to KEY|@ID [--valid-from DATE] [--valid-to DATE] "
       "[--weight W] [--key KEY] [--id ID] [--prop NAME=VALUE]... [--source SRC[#LOCATOR]]...",
       "create or update an edge",
       {"from", "to", "type", "valid-from", "valid-to", "weight", "key", "id", "prop", "source"},
       CmdEdgesPut},
      {"edges get", "ID... [--allow-missing]", "show edges", {"allow-missing"}, CmdEdgesGet},
      {"edges delete",
       "ID... [--key KEY]... [--allow-missing]",
       "delete edges",
       {"key", "allow-missing"},
       CmdEdgesDelete},
      {"neighbors",
       "KEY|@ID [--direction out|in|both] [--type T]... [--kind K]... [--as-of DATE] "
       "[--min-weight W] [--limit N] [--page-token T] [--all]",
       "a node's edges and neighbours",
       {"direction", "type", "kind", "as-of", "min-weight", "limit", "page-token", "all"},
       CmdNeighbors},
      {"search",
       "WORDS... [--kind K]... [--limit N] [--page-token T]",
       "find nodes by name, alias or key",
       {"kind", "limit", "page-token"},
       CmdSearch},
      {"expand",
       "KEY|@ID... [--depth N] [--direction D] [FILTERS] [LIMITS] [--count-only]",
       "the k-hop neighbourhood, with per-hop counts",
       {"depth", "direction", "count-only", "type", "kind", "as-of", "window-from", "window-to",
        "min-weight", "max-edges-per-node", "max-visited", "max-results"},
       CmdExpand},
      {"path",
       "FROM TO [--weighted] [--time-respecting] [--max-length N] [--direction D] [FILTERS]",
       "one shortest path, each step explained",
       {"weighted", "time-respecting", "max-length", "direction", "type", "kind", "as-of",
        "window-from", "window-to", "min-weight", "max-edges-per-node", "max-visited",
        "max-results"},
       CmdPath},
      {"paths",
       "FROM TO [--k N | --all-shortest] [--weighted] [--max-length N] [FILTERS]",
       "the k shortest simple paths, or all shortest paths",
       {"k", "all-shortest", "weighted", "max-length", "direction", "type", "kind", "as-of",
        "window-from", "window-to", "min-weight", "max-edges-per-node", "max-visited",
        "max-results"},
       CmdPaths},
      {"subgraph",
       "--center KEY [--radius N] | KEY... [FILTERS] [LIMITS]",
       "an ego network or the subgraph induced by nodes",
       {"center", "radius", "direction", "type", "kind", "as-of", "window-from", "window-to",
        "min-weight", "max-edges-per-node", "max-visited", "max-results"},
       CmdSubgraph},
      {"common",
       "A B [FILTERS]",
       "common neighbours of two nodes",
       {"direction", "type", "kind", "as-of", "window-from", "window-to", "min-weight",
        "max-edges-per-node", "max-visited", "max-results"},
       CmdCommon},
      {"similar",
       "KEY [--metric jaccard|adamic-adar] [--k N] [--include-neighbors] [FILTERS]",
       "collaborator and partner suggestions",
       {"metric", "k", "include-neighbors", "direction", "type", "kind", "as-of", "window-from",
        "window-to", "min-weight", "max-edges-per-node", "max-visited", "max-results"},
       CmdSimilar},
      {"rank",
       "[--measure degree|pagerank|betweenness|closeness] [--top N] [--samples N] "
       "[--seed S] [--directed] [--weighted] [FILTERS]",
       "the most central nodes of the (filtered) graph",
       {"measure", "top", "samples", "seed", "directed", "weighted", "type", "kind", "as-of",
        "window-from", "window-to", "min-weight"},
       CmdRank},
      {"components",
       "[--top N] [--articulation-points] [FILTERS]",
       "connected components and cut vertices",
       {"top", "articulation-points", "type", "kind", "as-of", "window-from", "window-to",
        "min-weight"},
       CmdComponents},
      {"communities",
       "[--algorithm louvain|label-propagation] [--seed S] [--top N] "
       "[--resolution R] [FILTERS]",
       "communities and their modularity",
       {"algorithm", "seed", "top", "resolution", "type", "kind", "as-of", "window-from",
        "window-to", "min-weight"},
       CmdCommunities},
      {"import",
       "FILE... [--max-errors N] [--dry-run] [--rejects FILE]",
       "import .jsonl or .csv files (docs/import.md) into the running server",
       {"max-errors", "dry-run", "rejects"},
       CmdImport},
      {"export",
       "[--format jsonl|csv|graphml|dot|gexf|cytoscape] [--out PATH] "
       "[--center KEY --radius N | KEY...] [FILTERS]",
       "export the whole graph or a subgraph (stdout, or --out; a folder for csv)",
       {"format", "out", "center", "radius", "direction", "type", "kind", "as-of", "window-from",
        "window-to", "min-weight"},
       CmdExport},
      {"backup",
       "DIR",
       "admin: a consistent backup of the running server's store into DIR, an absolute, new or "
       "empty directory on the server's machine",
       {},
       CmdBackup},
      {"watch",
       "[--start-after SEQ | --from-oldest] [--kind K]... [--type T]... [--limit N] "
       "[--for SECONDS]",
       "follow committed changes (resumable by sequence)",
       {"start-after", "from-oldest", "kind", "type", "limit", "for"},
       CmdWatch},
  };
  return commands;
}

void PrintHelp(std::ostream& out) {
  out << "innograph: command line client of innograph-server\n\n"
         "Usage: innograph [--server HOST:PORT] [--json] [--timeout SECONDS] [--tls-ca FILE]\n"
         "                 [--token SECRET] COMMAND ...\n\n"
         "The server defaults to $INNOGRAPH_SERVER, else 127.0.0.1:50051. Nodes are named by key\n"
         "or by @ID. --json prints the API's JSON for scripts. Exit codes: 0 ok, 1 refused by\n"
         "the server, 2 usage, 3 server unreachable or too slow.\n"
         "--tls-ca FILE (default $INNOGRAPH_TLS_CA) connects with TLS, trusting that CA's PEM;\n"
         "--token SECRET (default $INNOGRAPH_TOKEN) sends `authorization: Bearer SECRET`.\n"
         "FILTERS: --type T --kind K (repeatable or comma-separated), --as-of DATE or\n"
         "--window-from DATE --window-to DATE, --min-weight W. LIMITS: --max-edges-per-node N\n"
         "--max-visited N --max-results N. Directions: --direction out|in|both.\n\nCommands:\n";
  for (const Command& c : Commands()) {
    out << "  innograph " << c.name << " " << c.usage << "\n      " << c.help << "\n";
  }
}

int Run(int argc, char** argv) {
  auto args = Args::Parse(argc, argv, kBooleanFlags);
  if (!args.ok()) {
    std::cerr << "innograph: " << args.status().message() << "\n";
    return kExitUsage;
  }
  const auto& pos = args->positional();
  if (args->Has("help") || pos.empty() || pos[0] == "help") {
    PrintHelp(pos.empty() && !args->Has("help") ? std::cerr : std::cout);
    return pos.empty() && !args->Has("help") ? kExitUsage : 0;
  }
  const Command* cmd = nullptr;
  for (const Command& c : Commands()) {
    std::vector<std::string> words = absl::StrSplit(c.name, ' ');
    if (pos.size() >= words.size() && std::equal(words.begin(), words.end(), pos.begin())) {
      cmd = &c;
      break;
    }
  }
  if (!cmd) {
    std::cerr << "innograph: unknown command '" << absl::StrJoin(pos, " ")
              << "' (innograph help lists them)\n";
    return kExitUsage;
  }
  std::set<std::string> known = kGlobalFlags;
  known.insert(cmd->flags.begin(), cmd->flags.end());
  if (auto unknown = args->Unknown(known); !unknown.empty()) {
    std::cerr << "innograph " << cmd->name << ": unknown flag --" << unknown[0]
              << "\nusage: innograph " << cmd->name << " " << cmd->usage << "\n";
    return kExitUsage;
  }
  client::Client::Options options;
  options.target = args->Get("server");
  if (std::string t = args->Get("timeout"); !t.empty()) {
    double seconds;
    if (!absl::SimpleAtod(t, &seconds) || seconds <= 0) {
      std::cerr << "innograph: --timeout '" << t << "': want a positive number of seconds\n";
      return kExitUsage;
    }
    options.timeout = std::chrono::milliseconds(static_cast<int64_t>(seconds * 1000));
  }
  auto flag_or_env = [&](const char* flag, const char* env) {
    std::string v = args->Get(flag);
    if (v.empty()) {
      const char* e = std::getenv(env);
      if (e != nullptr) v = e;
    }
    return v;
  };
  options.token = flag_or_env("token", "INNOGRAPH_TOKEN");
  if (std::string ca = flag_or_env("tls-ca", "INNOGRAPH_TLS_CA"); !ca.empty()) {
    std::ifstream in(ca, std::ios::binary);
    std::stringstream pem;
    pem << in.rdbuf();
    if (!in || pem.str().empty()) {
      std::cerr << "innograph: --tls-ca '" << ca << "': cannot read it\n";
      return kExitUsage;
    }
    options.tls_ca_pem = pem.str();
  }
  auto client = client::Client::Create(options);
  Context ctx{*args, *client, args->Has("json")};
  absl::Status status;
  try {
    status = cmd->run(ctx);
  } catch (const UsageError& e) {
    std::cerr << "innograph " << cmd->name << ": " << e.message << "\nusage: innograph "
              << cmd->name << " " << cmd->usage << "\n";
    return kExitUsage;
  }
  if (status.ok()) return 0;
  std::cerr << "innograph: " << absl::StatusCodeToString(status.code()) << ": " << status.message()
            << "\n";
  if (absl::IsUnavailable(status)) {
    std::cerr << "(is innograph-server running at " << client->target() << "?)\n";
    return kExitUnavailable;
  }
  return absl::IsDeadlineExceeded(status) ? kExitUnavailable : kExitServer;
}

}  // namespace
}  // namespace innograph::cli

int main(int argc, char** argv) { return innograph::cli::Run(argc, argv); }
