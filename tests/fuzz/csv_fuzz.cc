// Fuzz target: the CSV import parser (graph/io/csv.cc). The first line is a header, tried as a
// nodes file and as an edges file; every further line is split and parsed by each parser the
// header was valid for. Arbitrary bytes must give records or INVALID_ARGUMENT, never a crash;
// parsed records must round-trip through the record codec.

#include <cstdint>
#include <memory>
#include <vector>

#include "absl/strings/str_split.h"
#include "graph/io/csv.h"
#include "tests/fuzz/fuzz_input.h"
#include "tests/fuzz/roundtrip.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace innograph;
  static const std::shared_ptr<const Schema> schema = Schema::Default();
  const absl::string_view text(reinterpret_cast<const char*>(data), size);
  std::vector<absl::string_view> lines = absl::StrSplit(text, '\n');
  std::vector<std::unique_ptr<io::CsvParser>> parsers;
  for (auto table : {io::CsvParser::Table::kNodes, io::CsvParser::Table::kEdges}) {
    auto parser = io::CsvParser::Create(table, *schema, lines[0]);
    if (parser.ok()) {
      FUZZ_CHECK(!(*parser)->columns().empty(), "a header without columns");
      parsers.push_back(std::move(*parser));
    } else {
      FUZZ_CHECK(parser.status().code() == absl::StatusCode::kInvalidArgument,
                 parser.status().ToString());
    }
  }
  for (size_t i = 0; i < lines.size(); ++i) {
    absl::Status split_status;
    const std::vector<std::string> fields = io::SplitCsvLine(lines[i], &split_status);
    FUZZ_CHECK(split_status.ok() || split_status.code() == absl::StatusCode::kInvalidArgument,
               split_status.ToString());
    if (split_status.ok()) FUZZ_CHECK(!fields.empty(), "a line without fields");
    if (i == 0) continue;
    for (const auto& parser : parsers) {
      const absl::StatusOr<io::JsonlRecord> record = parser->Parse(lines[i]);
      if (record.ok()) {
        fuzz::CheckRecordRoundTrip(*record);
      } else {
        FUZZ_CHECK(record.status().code() == absl::StatusCode::kInvalidArgument,
                   record.status().ToString());
      }
    }
  }
  return 0;
}
