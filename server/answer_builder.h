#pragma once

// Builds answer messages from topology results: nodes come from the store (cached per answer,
// so a node met many times is read once); edges of traversal answers are built from the
// adjacency entries (id, type, endpoints, validity, weight).

#include <string>

#include "absl/container/node_hash_map.h"
#include "graph/query/traversal.h"
#include "graph/store/store.h"
#include "innograph/v1/graph.pb.h"

namespace innograph::server {

class AnswerBuilder {
 public:
  // `reader` supplies edge validity and weight (kept off the adjacency entries); edges can only
  // be added with one, and under it.
  explicit AnswerBuilder(const GraphStore& store, const Topology::Reader* reader = nullptr)
      : store_(store), reader_(reader) {}

  // The node as an API message. A node deleted since the traversal read the topology comes out
  // with its id and an empty key.
  absl::Status AddNode(uint32_t id, v1::Node* out);
  absl::Status AddEdge(const Step& step, v1::Edge* out);
  absl::Status AddStep(const Step& step, v1::Step* out);

 private:
  absl::StatusOr<const Node*> Get(uint32_t id);

  const GraphStore& store_;
  const Topology::Reader* reader_;
  // Node-based: pointers returned by Get stay valid while more nodes are added.
  absl::node_hash_map<uint32_t, std::optional<Node>> cache_;
};

}  // namespace innograph::server
