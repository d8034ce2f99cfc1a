#pragma once

// Builds answer messages from topology results. Nodes come from the RecordCache (record_cache.h:
// in memory after the first read, then from the store), each met once per answer; edges of
// traversal answers are built from the adjacency entries (id, type, endpoints, validity,
// weight) with their endpoints' keys.

#include <string>

#include "absl/container/flat_hash_map.h"
#include "graph/query/traversal.h"
#include "innograph/v1/graph.pb.h"
#include "server/record_cache.h"

namespace innograph::server {

class AnswerBuilder {
 public:
  // `reader` supplies edge validity and weight (kept off the adjacency entries); edges can only
  // be added with one, and under it.
  explicit AnswerBuilder(RecordCache& records, const Topology::Reader* reader = nullptr)
      : records_(records), reader_(reader) {}

  // The node as an API message. A node deleted since the traversal read the topology comes out
  // with its id and an empty key.
  absl::Status AddNode(uint32_t id, v1::Node* out);
  absl::Status AddEdge(const Step& step, v1::Edge* out);
  absl::Status AddStep(const Step& step, v1::Step* out);
  // Appends one encoded v1::Neighbor to `out`: the stored edge with its properties and
  // sources, the node at the other end, the direction. False when the edge was deleted since
  // the topology was read (then nothing is appended).
  absl::StatusOr<bool> AppendNeighbor(uint64_t edge, uint32_t node, bool outgoing,
                                      std::string* out);

 private:
  absl::StatusOr<const RecordCache::NodeRecord*> Get(uint32_t id);

  RecordCache& records_;
  const Topology::Reader* reader_;
  // Per answer: a node met several times (endpoints, path nodes) is looked up once.
  absl::flat_hash_map<uint32_t, RecordCache::NodePtr> seen_;
};

}  // namespace innograph::server
