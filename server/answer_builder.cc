#include "server/answer_builder.h"

#include "graph/model/status.h"
#include "server/convert.h"

namespace innograph::server {

absl::StatusOr<const Node*> AnswerBuilder::Get(uint32_t id) {
  auto it = cache_.find(id);
  if (it == cache_.end()) {
    ASSIGN_OR_RETURN(std::optional<Node> node, store_.GetNode(NodeId(id)));
    it = cache_.emplace(id, std::move(node)).first;
  }
  return it->second ? &*it->second : nullptr;
}

absl::Status AnswerBuilder::AddNode(uint32_t id, v1::Node* out) {
  ASSIGN_OR_RETURN(const Node* node, Get(id));
  if (node) {
    ToProto(*node, *store_.schema(), out);
  } else {
    out->set_id(id);
  }
  return absl::OkStatus();
}

absl::Status AnswerBuilder::AddEdge(const Step& step, v1::Edge* out) {
  const uint32_t from = step.forward ? step.from : step.to;
  const uint32_t to = step.forward ? step.to : step.from;
  ASSIGN_OR_RETURN(const Node* a, Get(from));
  ASSIGN_OR_RETURN(const Node* b, Get(to));
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
  ToProto(edge, *store_.schema(), a ? a->key : "", b ? b->key : "", out);
  return absl::OkStatus();
}

absl::Status AnswerBuilder::AddStep(const Step& step, v1::Step* out) {
  out->set_forward(step.forward);
  return AddEdge(step, out->mutable_edge());
}

}  // namespace innograph::server
