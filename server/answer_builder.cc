#include "server/answer_builder.h"

#include "absl/strings/str_cat.h"
#include "graph/model/status.h"
#include "server/convert.h"

namespace innograph::server {

namespace {

// Protobuf wire format: a varint, and a length-delimited field's tag and length.
void PutVarint(uint64_t v, std::string* out) {
  while (v >= 0x80) {
    out->push_back(static_cast<char>(v | 0x80));
    v >>= 7;
  }
  out->push_back(static_cast<char>(v));
}
void PutBytesField(int field, absl::string_view bytes, std::string* out) {
  PutVarint(static_cast<uint64_t>(field) << 3 | 2, out);
  PutVarint(bytes.size(), out);
  out->append(bytes.data(), bytes.size());
}

}  // namespace

absl::StatusOr<const RecordCache::NodeRecord*> AnswerBuilder::Get(uint32_t id) {
  if (auto it = seen_.find(id); it != seen_.end()) return it->second.get();
  ASSIGN_OR_RETURN(RecordCache::NodePtr node, records_.GetNode(id));
  return seen_.emplace(id, std::move(node)).first->second.get();
}

absl::Status AnswerBuilder::AddNode(uint32_t id, v1::Node* out) {
  ASSIGN_OR_RETURN(const RecordCache::NodeRecord* node, Get(id));
  if (node->live) {
    if (!out->ParseFromString(node->message)) {
      return absl::InternalError(absl::StrCat("node ", id, ": cannot decode its cached record"));
    }
  } else {
    out->set_id(id);
  }
  return absl::OkStatus();
}

absl::Status AnswerBuilder::AddEdge(const Step& step, v1::Edge* out) {
  const uint32_t from = step.forward ? step.from : step.to;
  const uint32_t to = step.forward ? step.to : step.from;
  ASSIGN_OR_RETURN(const RecordCache::NodeRecord* a, Get(from));
  ASSIGN_OR_RETURN(const RecordCache::NodeRecord* b, Get(to));
  if (reader_ == nullptr) return absl::InternalError("answer builder: no topology reader");
  const AdjEntry& e = *step.entry;
  const EdgeAttrs attrs = reader_->attrs(e);
  Edge edge;
  edge.id = EdgeId(e.edge);
  edge.type = TypeId(e.type);
  edge.from = NodeId(from);
  edge.to = NodeId(to);
  edge.valid = Interval{Date{attrs.from}, Date{attrs.to}};
  edge.weight = attrs.weight;
  ToProto(edge, records_.schema(), a->key, b->key, out);
  return absl::OkStatus();
}

absl::Status AnswerBuilder::AddStep(const Step& step, v1::Step* out) {
  out->set_forward(step.forward);
  return AddEdge(step, out->mutable_edge());
}

absl::StatusOr<bool> AnswerBuilder::AppendNeighbor(uint64_t edge, uint32_t node, bool outgoing,
                                                   std::string* out) {
  ASSIGN_OR_RETURN(RecordCache::EdgePtr e, records_.GetEdge(edge));
  if (e == nullptr) return false;
  ASSIGN_OR_RETURN(const RecordCache::NodeRecord* n, Get(node));
  std::string gone;  // A node deleted since: its id only.
  if (!n->live) {
    v1::Node id_only;
    id_only.set_id(node);
    id_only.SerializeToString(&gone);
  }
  // v1::Neighbor: edge = 1, node = 2, direction = 3.
  const absl::string_view node_bytes = n->live ? absl::string_view(n->message) : gone;
  out->reserve(out->size() + e->size() + node_bytes.size() + 16);
  PutBytesField(1, *e, out);
  PutBytesField(2, node_bytes, out);
  PutVarint(3 << 3 | 0, out);
  PutVarint(outgoing ? v1::DIRECTION_OUT : v1::DIRECTION_IN, out);
  return true;
}

}  // namespace innograph::server
