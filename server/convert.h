#pragma once

// Conversions between API messages (innograph.v1) and domain types (graph/model), and between
// absl::Status and grpc::Status. The only place the two vocabularies meet.

#include <string>

#include "absl/status/status.h"
#include "graph/model/entity.h"
#include "graph/model/schema.h"
#include "graph/store/store.h"
#include "grpcpp/support/status.h"
#include "innograph/v1/graph.pb.h"

namespace innograph::server {

// The codes are the same numbers in both; the message is kept.
grpc::Status ToGrpc(const absl::Status& s);

// Prefixes a status message with "field: " context, keeping the code.
absl::Status WithContext(const absl::Status& s, absl::string_view context);

absl::Status FromProto(const v1::Node& in, const Schema& schema, Node* out);
// Endpoints by id or key go to out->edge.from/to or out->from_key/to_key.
absl::Status FromProto(const v1::Edge& in, const Schema& schema, EdgeWrite* out);
absl::Status FromProto(const v1::NodeRef& in, NodeRef* out);

void ToProto(const Node& in, const Schema& schema, v1::Node* out);
// Endpoint keys are given by the caller (the edge stores ids only).
void ToProto(const Edge& in, const Schema& schema, const std::string& from_key,
             const std::string& to_key, v1::Edge* out);
void ToProto(const Schema& in, v1::Schema* out);

}  // namespace innograph::server
