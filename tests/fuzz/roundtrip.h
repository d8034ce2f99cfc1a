#pragma once

// Round-trip checks shared by the import fuzz targets: a parsed node or edge must survive the
// record codec unchanged (what the store would write is what it reads back).

#include <variant>

#include "graph/io/jsonl.h"
#include "graph/store/record_codec.h"
#include "tests/fuzz/fuzz_input.h"

namespace innograph::fuzz {

inline void CheckRecordRoundTrip(const io::JsonlRecord& record) {
  if (const Node* node = std::get_if<Node>(&record)) {
    const std::string bytes = records::EncodeNode(*node);
    Node back;
    const absl::Status s = records::DecodeNode(bytes, &back);
    FUZZ_CHECK(s.ok(), s.ToString());
    back.id = node->id;
    FUZZ_CHECK(back == *node, "node changed in the record codec: " + node->key);
  } else if (const EdgeWrite* edge = std::get_if<EdgeWrite>(&record)) {
    const std::string bytes = records::EncodeEdge(edge->edge);
    Edge back;
    const absl::Status s = records::DecodeEdge(bytes, &back);
    FUZZ_CHECK(s.ok(), s.ToString());
    FUZZ_CHECK(records::EncodeEdge(back) == bytes, "edge changed in the record codec");
  }
}

}  // namespace innograph::fuzz
