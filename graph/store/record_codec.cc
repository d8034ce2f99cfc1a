#include "graph/store/record_codec.h"

#include <cstring>

#include "absl/strings/str_cat.h"
#include "graph/model/status.h"

namespace innograph::records {
namespace {

// Appends to a string: its own (Take) or the caller's.
class Writer {
 public:
  Writer() : out_(own_) {}
  explicit Writer(std::string* out) : out_(*out) {}
  void Byte(uint8_t b) { out_.push_back(static_cast<char>(b)); }
  void Varint(uint64_t v) {
    while (v >= 0x80) {
      out_.push_back(static_cast<char>(v | 0x80));
      v >>= 7;
    }
    out_.push_back(static_cast<char>(v));
  }
  void Signed(int64_t v) {
    Varint((static_cast<uint64_t>(v) << 1) ^ static_cast<uint64_t>(v >> 63));
  }
  void Double(double d) {
    uint64_t bits;
    std::memcpy(&bits, &d, sizeof bits);
    for (int i = 0; i < 8; ++i) out_.push_back(static_cast<char>(bits >> (8 * i)));
  }
  void Str(absl::string_view s) {
    Varint(s.size());
    out_.append(s.data(), s.size());
  }
  std::string Take() { return std::move(own_); }

 private:
  std::string own_;
  std::string& out_;
};

class Reader {
 public:
  explicit Reader(absl::string_view in) : in_(in) {}
  bool Byte(uint8_t* b) {
    if (in_.empty()) return false;
    *b = static_cast<uint8_t>(in_[0]);
    in_.remove_prefix(1);
    return true;
  }
  bool Varint(uint64_t* v) {
    *v = 0;
    for (int shift = 0; shift < 64 && !in_.empty(); shift += 7) {
      auto b = static_cast<uint8_t>(in_[0]);
      in_.remove_prefix(1);
      *v |= static_cast<uint64_t>(b & 0x7F) << shift;
      if (!(b & 0x80)) return true;
    }
    return false;
  }
  bool Signed(int64_t* v) {
    uint64_t u;
    if (!Varint(&u)) return false;
    *v = static_cast<int64_t>((u >> 1) ^ (~(u & 1) + 1));
    return true;
  }
  bool Double(double* d) {
    if (in_.size() < 8) return false;
    uint64_t bits = 0;
    for (int i = 0; i < 8; ++i)
      bits |= static_cast<uint64_t>(static_cast<uint8_t>(in_[i])) << (8 * i);
    std::memcpy(d, &bits, sizeof bits);
    in_.remove_prefix(8);
    return true;
  }
  bool Str(std::string* s) {
    uint64_t n;
    if (!Varint(&n) || n > in_.size()) return false;
    s->assign(in_.data(), n);
    in_.remove_prefix(n);
    return true;
  }
  bool Count(uint64_t* n) {
    // Every counted element takes at least one byte: a count above the rest is corrupt.
    return Varint(n) && *n <= in_.size();
  }
  bool done() const { return in_.empty(); }

 private:
  absl::string_view in_;
};

void PutProperties(Writer& w, const PropertyMap& props) {
  w.Varint(props.size());
  for (const auto& [name, value] : props) {
    w.Str(name);
    w.Byte(static_cast<uint8_t>(TypeOf(value)));
    struct Visitor {
      Writer& w;
      void operator()(const std::string& s) { w.Str(s); }
      void operator()(int64_t i) { w.Signed(i); }
      void operator()(double d) { w.Double(d); }
      void operator()(bool b) { w.Byte(b ? 1 : 0); }
      void operator()(Date d) { w.Signed(d.days); }
    };
    std::visit(Visitor{w}, value);
  }
}

void PutSources(Writer& w, const std::vector<Citation>& sources) {
  w.Varint(sources.size());
  for (const Citation& c : sources) {
    w.Str(c.source);
    w.Str(c.locator);
  }
}

bool GetProperties(Reader& r, PropertyMap* props) {
  uint64_t n;
  if (!r.Count(&n)) return false;
  props->clear();
  for (uint64_t i = 0; i < n; ++i) {
    std::string name;
    uint8_t type;
    if (!r.Str(&name) || !r.Byte(&type)) return false;
    switch (static_cast<ValueType>(type)) {
      case ValueType::kString: {
        std::string s;
        if (!r.Str(&s)) return false;
        (*props)[name] = std::move(s);
        break;
      }
      case ValueType::kInt: {
        int64_t v;
        if (!r.Signed(&v)) return false;
        (*props)[name] = v;
        break;
      }
      case ValueType::kDouble: {
        double d;
        if (!r.Double(&d)) return false;
        (*props)[name] = d;
        break;
      }
      case ValueType::kBool: {
        uint8_t b;
        if (!r.Byte(&b) || b > 1) return false;
        (*props)[name] = b == 1;
        break;
      }
      case ValueType::kDate: {
        int64_t days;
        if (!r.Signed(&days) || days < INT32_MIN || days > INT32_MAX) return false;
        (*props)[name] = Date{static_cast<int32_t>(days)};
        break;
      }
      default:
        return false;
    }
  }
  return true;
}

bool GetSources(Reader& r, std::vector<Citation>* sources) {
  uint64_t n;
  if (!r.Count(&n)) return false;
  sources->resize(n);
  for (Citation& c : *sources) {
    if (!r.Str(&c.source) || !r.Str(&c.locator)) return false;
  }
  return true;
}

absl::Status Corrupt(absl::string_view what) {
  return absl::DataLossError(absl::StrCat("corrupt ", what, " record"));
}

}  // namespace

std::string EncodeNode(const Node& node) {
  Writer w;
  w.Byte(kRecordFormat);
  w.Varint(node.kind.value);
  w.Str(node.key);
  w.Str(node.name);
  w.Varint(node.aliases.size());
  for (const std::string& a : node.aliases) w.Str(a);
  PutProperties(w, node.properties);
  PutSources(w, node.sources);
  return w.Take();
}

absl::Status DecodeNode(absl::string_view bytes, Node* node) {
  Reader r(bytes);
  uint8_t format;
  uint64_t kind, n;
  if (!r.Byte(&format) || format != kRecordFormat || !r.Varint(&kind) || kind > UINT32_MAX ||
      !r.Str(&node->key) || !r.Str(&node->name) || !r.Count(&n)) {
    return Corrupt("node");
  }
  node->kind = KindId(static_cast<uint32_t>(kind));
  node->aliases.resize(n);
  for (std::string& a : node->aliases) {
    if (!r.Str(&a)) return Corrupt("node");
  }
  if (!GetProperties(r, &node->properties) || !GetSources(r, &node->sources) || !r.done()) {
    return Corrupt("node");
  }
  return absl::OkStatus();
}

std::string EncodeEdge(const Edge& edge) {
  std::string out;
  AppendEdge(edge, &out);
  return out;
}

void AppendEdge(const Edge& edge, std::string* out) {
  Writer w(out);
  w.Byte(kRecordFormat);
  w.Signed(edge.valid.from.days);
  w.Signed(edge.valid.to.days);
  w.Double(edge.weight);
  w.Str(edge.key);
  PutProperties(w, edge.properties);
  PutSources(w, edge.sources);
}

absl::Status DecodeEdge(absl::string_view bytes, Edge* edge) {
  Reader r(bytes);
  uint8_t format;
  int64_t from, to;
  if (!r.Byte(&format) || format != kRecordFormat || !r.Signed(&from) || !r.Signed(&to) ||
      from < INT32_MIN || from > INT32_MAX || to < INT32_MIN || to > INT32_MAX ||
      !r.Double(&edge->weight) || !r.Str(&edge->key) || !GetProperties(r, &edge->properties) ||
      !GetSources(r, &edge->sources) || !r.done()) {
    return Corrupt("edge");
  }
  edge->valid = Interval{Date{static_cast<int32_t>(from)}, Date{static_cast<int32_t>(to)}};
  return absl::OkStatus();
}

bool DecodeEdgeLead(absl::string_view bytes, int32_t* valid_from, int32_t* valid_to,
                    double* weight) {
  Reader r(bytes);
  uint8_t format;
  int64_t from, to;
  if (!r.Byte(&format) || format != kRecordFormat || !r.Signed(&from) || !r.Signed(&to) ||
      from < INT32_MIN || from > INT32_MAX || to < INT32_MIN || to > INT32_MAX ||
      !r.Double(weight)) {
    return false;
  }
  *valid_from = static_cast<int32_t>(from);
  *valid_to = static_cast<int32_t>(to);
  return true;
}

namespace {

void PutEdgeWithIds(Writer& w, const Edge& e) {
  w.Varint(e.id.value);
  w.Varint(e.type.value);
  w.Varint(e.from.value);
  w.Varint(e.to.value);
  w.Str(EncodeEdge(e));
}

bool GetEdgeWithIds(Reader& r, Edge* e) {
  uint64_t id, type, from, to;
  std::string record;
  if (!r.Varint(&id) || !r.Varint(&type) || type > UINT32_MAX || !r.Varint(&from) ||
      !r.Varint(&to) || !r.Str(&record) || !DecodeEdge(record, e).ok()) {
    return false;
  }
  e->id = EdgeId(id);
  e->type = TypeId(static_cast<uint32_t>(type));
  e->from = NodeId(from);
  e->to = NodeId(to);
  return true;
}

}  // namespace

std::string EncodeChangeSet(const ChangeSet& c) {
  Writer w;
  w.Byte(kRecordFormat);
  w.Byte(c.bulk_load ? 1 : 0);
  if (c.bulk_load) {
    w.Varint(c.bulk_nodes);
    w.Varint(c.bulk_edges);
    return w.Take();
  }
  w.Varint(c.nodes_upserted.size());
  for (size_t i = 0; i < c.nodes_upserted.size(); ++i) {
    const Node& n = c.nodes_upserted[i];
    w.Byte(i < c.nodes_created.size() && c.nodes_created[i] ? 1 : 0);
    w.Varint(n.id.value);
    w.Str(EncodeNode(n));
  }
  w.Varint(c.nodes_deleted.size());
  for (size_t i = 0; i < c.nodes_deleted.size(); ++i) {
    w.Varint(c.nodes_deleted[i].value);
    w.Str(i < c.nodes_deleted_keys.size() ? c.nodes_deleted_keys[i] : "");
  }
  w.Varint(c.edges_upserted.size());
  for (size_t i = 0; i < c.edges_upserted.size(); ++i) {
    w.Byte(i < c.edges_created.size() && c.edges_created[i] ? 1 : 0);
    PutEdgeWithIds(w, c.edges_upserted[i]);
  }
  w.Varint(c.edges_deleted.size());
  for (const Edge& e : c.edges_deleted) PutEdgeWithIds(w, e);
  return w.Take();
}

absl::Status DecodeChangeSet(absl::string_view bytes, ChangeSet* c) {
  Reader r(bytes);
  uint8_t format, flags;
  if (!r.Byte(&format) || format != kRecordFormat || !r.Byte(&flags)) return Corrupt("change");
  c->bulk_load = flags & 1;
  if (c->bulk_load) {
    if (!r.Varint(&c->bulk_nodes) || !r.Varint(&c->bulk_edges) || !r.done()) {
      return Corrupt("change");
    }
    return absl::OkStatus();
  }
  uint64_t n;
  if (!r.Count(&n)) return Corrupt("change");
  c->nodes_upserted.resize(n);
  c->nodes_created.resize(n);
  for (size_t i = 0; i < n; ++i) {
    Node& node = c->nodes_upserted[i];
    uint8_t created;
    uint64_t id;
    std::string record;
    if (!r.Byte(&created) || !r.Varint(&id) || !r.Str(&record) || !DecodeNode(record, &node).ok()) {
      return Corrupt("change");
    }
    c->nodes_created[i] = created == 1;
    node.id = NodeId(id);
  }
  if (!r.Count(&n)) return Corrupt("change");
  c->nodes_deleted.resize(n);
  c->nodes_deleted_keys.resize(n);
  for (size_t i = 0; i < n; ++i) {
    uint64_t id;
    if (!r.Varint(&id) || !r.Str(&c->nodes_deleted_keys[i])) return Corrupt("change");
    c->nodes_deleted[i] = NodeId(id);
  }
  if (!r.Count(&n)) return Corrupt("change");
  c->edges_upserted.resize(n);
  c->edges_created.resize(n);
  for (size_t i = 0; i < n; ++i) {
    uint8_t created;
    if (!r.Byte(&created) || !GetEdgeWithIds(r, &c->edges_upserted[i])) return Corrupt("change");
    c->edges_created[i] = created == 1;
  }
  if (!r.Count(&n)) return Corrupt("change");
  c->edges_deleted.resize(n);
  for (Edge& e : c->edges_deleted) {
    if (!GetEdgeWithIds(r, &e)) return Corrupt("change");
  }
  if (!r.done()) return Corrupt("change");
  return absl::OkStatus();
}

}  // namespace innograph::records
