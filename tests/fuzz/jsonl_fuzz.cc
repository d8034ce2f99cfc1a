// Fuzz target: the JSON Lines parser (graph/io/jsonl.cc). Every line of the input is parsed
// against the default schema; arbitrary bytes must give a record or an INVALID_ARGUMENT, never
// a crash, and a parsed record must round-trip through the record codec.

#include <cstdint>

#include "absl/strings/str_split.h"
#include "graph/io/jsonl.h"
#include "tests/fuzz/fuzz_input.h"
#include "tests/fuzz/roundtrip.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace innograph;
  static const std::shared_ptr<const Schema> schema = Schema::Default();
  const absl::string_view text(reinterpret_cast<const char*>(data), size);
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    const absl::StatusOr<io::JsonlRecord> record = io::ParseJsonlLine(line, *schema);
    if (record.ok()) {
      fuzz::CheckRecordRoundTrip(*record);
    } else {
      FUZZ_CHECK(record.status().code() == absl::StatusCode::kInvalidArgument,
                 record.status().ToString());
      FUZZ_CHECK(!record.status().message().empty(), "an error without a message");
    }
  }
  return 0;
}
