// The import's bulk path (BulkLoad into an empty store: SST files, parallel parse) against the
// ordinary path (UpsertBatch): the same files must leave byte-identical column families (the
// change log aside, where a bulk load is one marker entry) and the same report.

#include "graph/io/importer.h"

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <random>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "gmock/gmock.h"
#include "graph/model/schema.h"
#include "graph/store/store.h"
#include "graph/store/store_internal.h"
#include "gtest/gtest.h"
#include "rocksdb/db.h"

namespace innograph::io {
namespace {

using ::testing::HasSubstr;

// Every column family's (key, value) pairs, the change log and its counter excepted.
using Dump = std::map<std::string, std::vector<std::pair<std::string, std::string>>>;

Dump DumpStore(const std::string& dir) {
  std::vector<rocksdb::ColumnFamilyDescriptor> cfs;
  for (const char* name : store_internal::kCfNames) {
    cfs.emplace_back(name, rocksdb::ColumnFamilyOptions());
  }
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* raw = nullptr;
  rocksdb::Status s = rocksdb::DB::OpenForReadOnly(rocksdb::DBOptions(), dir, cfs, &handles, &raw);
  EXPECT_TRUE(s.ok()) << s.ToString();
  if (!s.ok()) return {};
  std::unique_ptr<rocksdb::DB> db(raw);
  Dump out;
  for (size_t cf = 0; cf < handles.size(); ++cf) {
    const std::string name = store_internal::kCfNames[cf];
    if (name != "changes") {
      std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(rocksdb::ReadOptions(), handles[cf]));
      for (it->SeekToFirst(); it->Valid(); it->Next()) {
        if (name == "meta" && it->key().ToString() == store_internal::kMetaNextChange) continue;
        out[name].emplace_back(it->key().ToString(), it->value().ToString());
      }
    }
    db->DestroyColumnFamilyHandle(handles[cf]);
  }
  return out;
}

class ImporterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    base_ = absl::StrCat(::testing::TempDir(), "/importer_test_", getpid(), "_",
                         ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::remove_all(base_);
    std::filesystem::create_directories(base_);
  }
  void TearDown() override { std::filesystem::remove_all(base_); }

  std::string Write(const std::string& name, const std::string& text) {
    const std::string path = base_ + "/" + name;
    std::ofstream(path, std::ios::binary) << text;
    return path;
  }

  // Imports `files` into a new store `name` on the bulk path or the ordinary one.
  ImportReport Import(const std::string& name, const std::vector<std::string>& files, bool bulk,
                      uint32_t max_errors = 0) {
    GraphStore::Options o;
    o.sync_writes = false;
    auto store = GraphStore::Open(base_ + "/" + name, o);
    EXPECT_TRUE(store.ok()) << store.status();
    ImportOptions options;
    options.bulk_if_empty = bulk;
    options.max_errors = max_errors;
    options.chunk_rows = 1000;
    auto report = ImportFiles(**store, files, options, nullptr);
    EXPECT_TRUE(report.ok()) << report.status();
    if (bulk) {
      auto check = (*store)->Check();
      EXPECT_TRUE(check.ok()) << check.status();
      if (check.ok()) {
        EXPECT_EQ(check->problem_count, 0u) << ::testing::PrintToString(check->problems);
      }
    }
    return report.ok() ? *report : ImportReport();
  }

  // Imports on both paths and expects the same stores and the same reports.
  void ExpectSameOnBothPaths(const std::vector<std::string>& files, uint32_t max_errors = 0) {
    ImportReport bulk = Import("bulk", files, true, max_errors);
    ImportReport plain = Import("plain", files, false, max_errors);
    EXPECT_EQ(bulk.rows_read, plain.rows_read);
    EXPECT_EQ(bulk.nodes_written, plain.nodes_written);
    EXPECT_EQ(bulk.edges_written, plain.edges_written);
    EXPECT_EQ(bulk.rows_rejected, plain.rows_rejected);
    EXPECT_EQ(bulk.aborted, plain.aborted);
    ASSERT_EQ(bulk.errors.size(), plain.errors.size());
    for (size_t i = 0; i < bulk.errors.size(); ++i) {
      EXPECT_EQ(bulk.errors[i].file, plain.errors[i].file);
      EXPECT_EQ(bulk.errors[i].line, plain.errors[i].line);
      EXPECT_EQ(bulk.errors[i].message, plain.errors[i].message);
      EXPECT_EQ(bulk.errors[i].raw, plain.errors[i].raw);
    }
    const Dump a = DumpStore(base_ + "/bulk"), b = DumpStore(base_ + "/plain");
    for (const char* cf : store_internal::kCfNames) {
      auto x = a.find(cf), y = b.find(cf);
      const size_t nx = x == a.end() ? 0 : x->second.size();
      const size_t ny = y == b.end() ? 0 : y->second.size();
      EXPECT_EQ(nx, ny) << cf;
      if (nx == ny && nx > 0) {
        EXPECT_TRUE(x->second == y->second) << "column family " << cf;
      }
    }
    bulk_ = bulk;
  }

  std::string base_;
  ImportReport bulk_;
};

constexpr char kNodesHeader[] = "key,kind,name,aliases,sources,birth_year:int,founded\n";
constexpr char kEdgesHeader[] = "from,type,to,valid_from,valid_to,weight,role,rank:int\n";

TEST_F(ImporterTest, DuplicatesAndUpdatesGiveTheSameStoreOnBothPaths) {
  const std::string nodes = Write(
      "nodes.csv", absl::StrCat(kNodesHeader,
                                "person/a,Person,张三丰,Zhang Sanfeng|Sanfeng,source/x#p 2,1950,\n"
                                "person/b,Person,李四,,,1961,\n"
                                "univ/u,University,中南大学,CSU,,,1903\n"
                                "person/a,Person,张三,,,1951,\n"  // Updates person/a.
                                "person/c,Person,Wang Wu,,,,\n"));
  const std::string edges =
      Write("edges.csv", absl::StrCat(kEdgesHeader,
                                      "person/a,EMPLOYED_BY,univ/u,2001,2008,,lecturer,\n"
                                      "person/a,EMPLOYED_BY,univ/u,2018,,,president,\n"
                                      "person/b,COLLABORATES_WITH,person/a,2015,,3,,\n"
                                      "\n"
                                      "person/a,EMPLOYED_BY,univ/u,2001,2009,,professor,2\n"
                                      "person/c,COLLABORATES_WITH,person/b,,,,,\n"
                                      "person/b,COLLABORATES_WITH,person/a,2015,,4,,\n"));
  ExpectSameOnBothPaths({nodes, edges});
  EXPECT_EQ(bulk_.nodes_written, 5u);  // Rows, updates included.
  EXPECT_EQ(bulk_.edges_written, 6u);
}

TEST_F(ImporterTest, EdgeKeysGiveTheSameStoreOnBothPaths) {
  const std::string nodes =
      Write("nodes.csv", absl::StrCat(kNodesHeader, "person/a,Person,A,,,,\n",
                                      "person/b,Person,B,,,,\n", "univ/u,University,U,,,,\n"));
  const std::string edges =
      Write("edges.csv",
            "from,type,to,valid_from,key,role\n"
            "person/a,EMPLOYED_BY,univ/u,2001,job/1,lecturer\n"
            "person/b,EMPLOYED_BY,univ/u,2002,job/2,\n"
            "person/a,EMPLOYED_BY,univ/u,2003,job/1,professor\n"  // By key: a new start date.
            "person/a,EMPLOYED_BY,univ/u,2001,,dean\n"            // The first identity is stale.
            "person/a,COLLABORATES_WITH,person/b,,,\n");
  ExpectSameOnBothPaths({nodes, edges});
}

TEST_F(ImporterTest, EdgeKeyConflictsAreReportedAlikeOnBothPaths) {
  // Two edges files, the second with a key column: only its rows can be refused once every row
  // is read, and they are named by their own file and line.
  const std::string nodes =
      Write("nodes.csv", absl::StrCat(kNodesHeader, "person/a,Person,A,,,,\n",
                                      "person/b,Person,B,,,,\n", "univ/u,University,U,,,,\n"));
  const std::string plain = Write(
      "plain.csv", absl::StrCat(kEdgesHeader, "person/a,COLLABORATES_WITH,person/b,2001,,,,\n",
                                "person/b,COLLABORATES_WITH,person/a,2002,,,,\n"));
  const std::string keyed =
      Write("keyed.csv",
            "from,type,to,valid_from,key,role\n"
            "person/a,EMPLOYED_BY,univ/u,2001,job/1,lecturer\n"
            "person/b,EMPLOYED_BY,univ/u,2002,job/1,\n"  // Another source under job/1.
            "person/b,EMPLOYED_BY,univ/u,2003,job/2,\n"
            "person/a,EMPLOYED_BY,univ/u,2001,job/2,dean\n");  // job/2 is b's: refused too.
  ExpectSameOnBothPaths({nodes, plain, keyed}, /*max_errors=*/5);
  ASSERT_EQ(bulk_.errors.size(), 2u);
  EXPECT_EQ(bulk_.errors[0].file, keyed);
  EXPECT_EQ(bulk_.errors[0].line, 3u);
  EXPECT_THAT(bulk_.errors[0].message, HasSubstr("another type or endpoints"));
  EXPECT_EQ(bulk_.errors[1].line, 5u);
  EXPECT_THAT(bulk_.errors[1].message, HasSubstr("another type or endpoints"));
  EXPECT_EQ(bulk_.edges_written, 4u);
}

TEST_F(ImporterTest, ManyRandomRowsGiveTheSameStoreOnBothPaths) {
  // Enough rows for the two-thread paths (parse, validation, identification, files).
  std::mt19937 rng(7);
  std::string nodes = kNodesHeader, edges = kEdgesHeader;
  const int people = 400;
  for (int i = 0; i < people; ++i) {
    absl::StrAppend(&nodes, "person/", i, ",Person,人物", i % 37, ",P", i, ",,", 1900 + i % 90,
                    ",\n");
  }
  for (int i = 0; i < 20; ++i) absl::StrAppend(&nodes, "univ/", i, ",University,大学", i, ",,,,\n");
  for (int i = 0; i < 30000; ++i) {
    const int a = static_cast<int>(rng() % people);
    if (rng() % 3 == 0) {
      // A few start years only, so that many rows repeat an identity (an update).
      absl::StrAppend(&edges, "person/", a, ",EMPLOYED_BY,univ/", rng() % 20, ",", 2000 + rng() % 3,
                      ",,,role", rng() % 5, ",", rng() % 9, "\n");
    } else {
      absl::StrAppend(&edges, "person/", a, ",COLLABORATES_WITH,person/", rng() % people, ",",
                      2010 + rng() % 4, ",,", 1 + rng() % 5, ",,\n");
    }
  }
  ExpectSameOnBothPaths({Write("nodes.csv", nodes), Write("edges.csv", edges)});
  EXPECT_EQ(bulk_.edges_written, 30000u);
}

// Distinct edges only, among them parallel ones (one source, type and target, different
// starts): the bulk path takes them as they come (slot = row) and must still store each
// direction in key order.
std::string DistinctEdges(int people, int count, std::mt19937& rng) {
  std::string edges = kEdgesHeader;
  std::set<std::tuple<int, int, int>> seen;
  while (static_cast<int>(seen.size()) < count) {
    const int a = static_cast<int>(rng() % people), b = static_cast<int>(rng() % people);
    const int year = static_cast<int>(2000 + rng() % 3);
    if (!seen.insert({a, b, year}).second) continue;
    absl::StrAppend(&edges, "person/", a, ",COLLABORATES_WITH,person/", b, ",", year, ",,",
                    1 + rng() % 5, ",,\n");
  }
  return edges;
}

std::string People(int people) {
  std::string nodes = kNodesHeader;
  for (int i = 0; i < people; ++i) absl::StrAppend(&nodes, "person/", i, ",Person,P", i, ",,,,\n");
  return nodes;
}

TEST_F(ImporterTest, ManyDistinctRowsGiveTheSameStoreOnBothPaths) {
  std::mt19937 rng(11);
  ExpectSameOnBothPaths(
      {Write("nodes.csv", People(60)), Write("edges.csv", DistinctEdges(60, 9000, rng))});
  EXPECT_EQ(bulk_.edges_written, 9000u);
  EXPECT_EQ(DumpStore(base_ + "/bulk")["edge_ids"].size(), 9000u);
}

TEST_F(ImporterTest, EdgesOfSeveralReadBlocksGiveTheSameStoreOnBothPaths) {
  // More edge lines than one block of the reader (65,536): later blocks are appended to the
  // load on two threads.
  std::mt19937 rng(17);
  ExpectSameOnBothPaths(
      {Write("nodes.csv", People(400)), Write("edges.csv", DistinctEdges(400, 100000, rng))});
  EXPECT_EQ(bulk_.edges_written, 100000u);
  EXPECT_EQ(DumpStore(base_ + "/bulk")["edge_ids"].size(), 100000u);
}

TEST_F(ImporterTest, OneRepeatedIdentityAmongManyDistinctRowsIsOneEdge) {
  std::mt19937 rng(12);
  std::string edges = DistinctEdges(60, 9000, rng);
  // The 4000th row again, at the end, with another weight: an update of that edge.
  const std::vector<std::string> lines = absl::StrSplit(edges, '\n');
  const std::vector<std::string> fields = absl::StrSplit(lines[4000], ',');
  absl::StrAppend(&edges, fields[0], ",", fields[1], ",", fields[2], ",", fields[3], ",,9,,\n");
  ExpectSameOnBothPaths({Write("nodes.csv", People(60)), Write("edges.csv", edges)});
  EXPECT_EQ(bulk_.edges_written, 9001u);  // Rows.
  EXPECT_EQ(DumpStore(base_ + "/bulk")["edge_ids"].size(), 9000u);
}

// Enough node rows for the bulk path's two parsing threads, with blank lines and repeated keys
// in both halves of a block, and (`bad`) bad rows: an unknown kind, a bad number.
std::string ManyNodeRows(bool bad) {
  std::string nodes = kNodesHeader;
  for (int i = 0; i < 9000; ++i) {
    if (bad && i % 1500 == 700) {
      absl::StrAppend(&nodes, "person/", i, ",Nobody,X,,,,\n");
    } else if (bad && i % 2000 == 1999) {
      absl::StrAppend(&nodes, "person/", i, ",Person,P,,,nineteen,\n");
    } else if (i % 997 == 5) {
      nodes += "\n";
    } else {
      absl::StrAppend(&nodes, "person/", i % 8800, ",Person,人物", i, ",P", i, ",,", 1900 + i % 90,
                      ",\n");
    }
  }
  return nodes;
}

TEST_F(ImporterTest, ManyNodeRowsWithBlankOnesAndUpdatesGiveTheSameStoreOnBothPaths) {
  std::mt19937 rng(13);
  ExpectSameOnBothPaths(
      {Write("nodes.csv", ManyNodeRows(false)), Write("edges.csv", DistinctEdges(500, 5000, rng))});
  EXPECT_EQ(bulk_.rows_rejected, 0u);
  EXPECT_EQ(bulk_.nodes_written, 9000u - 10u);  // Rows, updates included; blank lines not.
  // Keys 0 .. 8799 but the eight a blank line took (person/5 comes again later).
  EXPECT_EQ(DumpStore(base_ + "/bulk")["nodes"].size(), 8800u - 8u);
}

TEST_F(ImporterTest, ManyNodeRowsWithBadOnesAreReportedAlike) {
  std::mt19937 rng(13);
  ExpectSameOnBothPaths(
      {Write("nodes.csv", ManyNodeRows(true)), Write("edges.csv", DistinctEdges(500, 5000, rng))});
  EXPECT_TRUE(bulk_.aborted);
  EXPECT_EQ(bulk_.rows_rejected, 10u);
  ASSERT_EQ(bulk_.errors.size(), 10u);
  EXPECT_EQ(bulk_.errors[0].line, 702u);  // Line 1 is the header.
  EXPECT_THAT(bulk_.errors[0].message, HasSubstr("Nobody"));
  EXPECT_EQ(bulk_.errors[0].raw, "person/700,Nobody,X,,,,");
  EXPECT_TRUE(DumpStore(base_ + "/bulk")["nodes"].empty());
}

TEST_F(ImporterTest, NodesFileAfterTheEdgesFileGivesTheSameStoreOnBothPaths) {
  // Edges checked as they are read need every node first; with the files the other way round
  // the bulk path buffers the edges instead, and still finds the nodes.
  const std::string nodes =
      Write("nodes.csv", absl::StrCat(kNodesHeader, "person/a,Person,A,,,,\n",
                                      "person/b,Person,B,,,,\n", "univ/u,University,U,,,,\n"));
  const std::string edges =
      Write("edges.csv", absl::StrCat(kEdgesHeader, "person/a,EMPLOYED_BY,univ/u,2001,,,,\n",
                                      "person/b,COLLABORATES_WITH,person/a,,,2,,\n"));
  ExpectSameOnBothPaths({edges, nodes});
  EXPECT_EQ(bulk_.edges_written, 2u);
  EXPECT_EQ(bulk_.rows_rejected, 0u);
}

TEST_F(ImporterTest, BadRowsAreReportedAlikeAndNothingIsWritten) {
  const std::string nodes =
      Write("nodes.csv",
            absl::StrCat(kNodesHeader, "person/a,Person,A,,,,\n", "univ/u,University,U,,,,\n",
                         "person/x,Nobody,X,,,,\n"));  // Unknown kind.
  const std::string edges =
      Write("edges.csv", absl::StrCat(kEdgesHeader, "person/a,EMPLOYED_BY,univ/u,2001-13,,,,\n",
                                      "person/a,EMPLOYED_BY,univ/missing,2001,,,,\n",
                                      "univ/u,EMPLOYED_BY,person/a,,,,,\n",
                                      "person/a,EMPLOYED_BY,univ/u,2001,,,,\n"));
  ExpectSameOnBothPaths({nodes, edges});
  EXPECT_TRUE(bulk_.aborted);
  EXPECT_EQ(bulk_.rows_rejected, 4u);
  ASSERT_EQ(bulk_.errors.size(), 4u);
  EXPECT_EQ(bulk_.errors[0].line, 4u);
  EXPECT_EQ(bulk_.errors[1].line, 2u);
  EXPECT_THAT(bulk_.errors[1].message, HasSubstr("is not a date"));
  EXPECT_THAT(bulk_.errors[2].message, HasSubstr("no node with key 'univ/missing'"));
  EXPECT_THAT(bulk_.errors[3].message, HasSubstr("cannot start at kind 'University'"));
  EXPECT_TRUE(DumpStore(base_ + "/bulk")["nodes"].empty());
}

TEST_F(ImporterTest, LongLinesAcrossReadChunks) {
  // 9 MiB of long lines cross the reader's 8 MiB chunks; CRLF line ends, one value over the
  // limit (rejected alike), and no newline after the last line.
  const std::string nodes =
      Write("nodes.csv",
            absl::StrCat(kNodesHeader, "person/a,Person,A,,,,\r\n", "univ/u,University,U,,,,\r\n"));
  std::string edges = kEdgesHeader;
  for (int i = 0; i < 150; ++i) {
    const size_t size = i == 70 ? kMaxStringValueBytes + 1 : 60000 + i;
    absl::StrAppend(&edges, "person/a,EMPLOYED_BY,univ/u,", 1850 + i, ",,,",
                    std::string(size, static_cast<char>('a' + i % 26)), ",", i, "\r\n");
  }
  absl::StrAppend(&edges, "person/a,EMPLOYED_BY,univ/u,1849,,,short,");
  ExpectSameOnBothPaths({nodes, Write("edges.csv", edges)}, /*max_errors=*/1);
  EXPECT_EQ(bulk_.edges_written, 150u);
  EXPECT_EQ(bulk_.rows_rejected, 1u);
  ASSERT_EQ(bulk_.errors.size(), 1u);
  EXPECT_EQ(bulk_.errors[0].line, 72u);
}

TEST_F(ImporterTest, ALineLongerThanTheReadersRoomAcrossReadChunks) {
  // A 3 MiB line (rejected: its value is over the limit) that starts 2 MiB before the end of
  // the reader's first 8 MiB chunk, so that more than the reader's 1 MiB of room in front of a
  // chunk is carried over; short lines before and after it.
  const std::string nodes = absl::StrCat(People(300), "univ/u,University,U,,,,\n");
  std::string edges = kEdgesHeader;
  int rows = 0;
  while (edges.size() < (size_t{8} << 20) - (size_t{2} << 20)) {
    absl::StrAppend(&edges, "person/", rows % 300, ",EMPLOYED_BY,univ/u,", 1900 + rows % 120, "-",
                    absl::Dec(1 + rows / 120 % 12, absl::kZeroPad2), ",,,", std::string(200, 'r'),
                    ",", rows, "\n");
    ++rows;
  }
  absl::StrAppend(&edges, "person/1,EMPLOYED_BY,univ/u,1999,,,", std::string(size_t{3} << 20, 'x'),
                  ",1\n");
  for (int i = 0; i < 100; ++i) {
    absl::StrAppend(&edges, "person/", i, ",EMPLOYED_BY,univ/u,", 1800 + i, ",,,after,", i, "\n");
  }
  ExpectSameOnBothPaths({Write("nodes.csv", nodes), Write("edges.csv", edges)},
                        /*max_errors=*/1);
  EXPECT_EQ(bulk_.edges_written, static_cast<uint64_t>(rows + 100));
  ASSERT_EQ(bulk_.errors.size(), 1u);
  EXPECT_EQ(bulk_.errors[0].line, static_cast<uint64_t>(rows + 2));
  EXPECT_THAT(bulk_.errors[0].message, HasSubstr("role"));
}

TEST_F(ImporterTest, RowsRejectedByTheStoreKeepTheirTextAfterTheFirstReadChunk) {
  // The offline import does not keep the rows' texts: a rejected row's text is read back from
  // the file at its offset. The bad rows come after the reader's first 8 MiB chunk, between
  // CRLF lines.
  const std::string nodes =
      Write("nodes.csv", absl::StrCat(kNodesHeader, "person/a,Person,A,,,,\r\n",
                                      "person/b,Person,B,,,,\r\n", "univ/u,University,U,,,,\r\n"));
  std::string edges = kEdgesHeader;
  const std::string missing = "person/a,EMPLOYED_BY,univ/missing,2001,,,Über,";
  const std::string wrong_kind = "univ/u,EMPLOYED_BY,person/a,,,,,7";
  for (int i = 0; i < 200000; ++i) {
    absl::StrAppend(&edges, "person/a,COLLABORATES_WITH,person/b,", 1900 + i % 100, ",,", 1 + i % 7,
                    ",,\r\n");
    if (i == 190000) absl::StrAppend(&edges, missing, "\r\n");
    if (i == 195000) absl::StrAppend(&edges, wrong_kind, "\r\n");
  }
  ASSERT_GT(edges.find(missing), size_t{8} << 20);
  ExpectSameOnBothPaths({nodes, Write("edges.csv", edges)}, /*max_errors=*/2);
  EXPECT_EQ(bulk_.edges_written, 200000u);
  ASSERT_EQ(bulk_.errors.size(), 2u);
  EXPECT_EQ(bulk_.errors[0].line, 190003u);
  EXPECT_EQ(bulk_.errors[0].raw, missing);
  EXPECT_THAT(bulk_.errors[0].message, HasSubstr("no node with key 'univ/missing'"));
  EXPECT_EQ(bulk_.errors[1].line, 195004u);
  EXPECT_EQ(bulk_.errors[1].raw, wrong_kind);
}

TEST_F(ImporterTest, LinesOfAFileReadBackComeThroughAddFileLinesOnly) {
  GraphStore::Options o;
  o.sync_writes = false;
  auto store = GraphStore::Open(base_ + "/store", o);
  ASSERT_TRUE(store.ok()) << store.status();
  Importer importer(**store, ImportOptions());
  importer.BeginFile(base_ + "/edges.csv", ImportFormat::kCsvEdges, "from,type,to",
                     /*read_back=*/true);
  EXPECT_EQ(importer.AddLine(2, "a,EMPLOYED_BY,b").status().code(),
            absl::StatusCode::kFailedPrecondition);
  const std::vector<absl::string_view> lines = {"a,EMPLOYED_BY,b"};
  EXPECT_EQ(importer.AddLines(2, lines).status().code(), absl::StatusCode::kFailedPrecondition);
}

}  // namespace
}  // namespace innograph::io
