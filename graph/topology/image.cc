#include "graph/topology/image.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstddef>
#include <cstring>
#include <filesystem>
#include <limits>
#include <tuple>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "graph/model/status.h"

namespace innograph {
namespace {

constexpr char kMagic[8] = {'I', 'G', 'T', 'O', 'P', 'O', 'I', 'M'};
constexpr uint32_t kImageFormat = 1;
constexpr uint32_t kEndianCheck = 0x01020304;
constexpr size_t kMaxIdentity = 64;

// The fixed header at offset 0. Integers are in the host's byte order (kEndianCheck tells a
// reader with another order that the file is not for it).
struct Header {
  char magic[8];
  uint32_t format;
  uint32_t endian;
  uint64_t change_sequence;
  uint64_t slots;  // Vertex slots n: kinds has n values, offsets n + 1.
  uint64_t nodes;
  uint64_t edges;      // Out entries.
  uint64_t attr_rows;  // Side-table rows: max_edge + 1 (0 without edges).
  uint64_t max_edge;   // Largest edge id of any entry (0 when there is none).
  uint32_t identity_size;
  char identity[kMaxIdentity];
  uint32_t reserved;
  // kinds, offsets, entries, side table (a checksum of the checksums of its kChunk-row pieces).
  uint64_t section_checksum[4];
  uint64_t header_checksum;  // Of every byte before this field.
};
static_assert(sizeof(Header) == 176);

constexpr uint64_t kMul1 = 0x9E3779B97F4A7C15ull;
constexpr uint64_t kMul2 = 0xC2B2AE3D27D4EB4Full;

uint64_t Rotl(uint64_t x, int r) { return (x << r) | (x >> (64 - r)); }

// A 64-bit checksum over 8-byte words (two independent lanes, then a final mix), of `size`
// bytes given in pieces of any length. It catches flipped, zeroed or truncated data; it is not
// meant to resist deliberate forgery.
class Checksummer {
 public:
  explicit Checksummer(uint64_t size) : a_(kMul1 ^ size), b_(kMul2) {}
  void Update(const void* data, size_t size) {
    if (size == 0) return;  // `data` may then be null.
    const auto* p = static_cast<const uint8_t*>(data);
    if (pending_ > 0) {
      const size_t take = std::min(size, sizeof carry_ - pending_);
      std::memcpy(carry_ + pending_, p, take);
      pending_ += take;
      p += take;
      size -= take;
      if (pending_ < sizeof carry_) return;
      Mix(carry_);
      pending_ = 0;
    }
    for (; size >= 16; p += 16, size -= 16) Mix(p);
    if (size > 0) std::memcpy(carry_, p, size);
    pending_ = size;
  }
  uint64_t Finish() const {
    uint64_t tail = 0;
    for (size_t k = 0; k < pending_; ++k) tail |= static_cast<uint64_t>(carry_[k]) << (8 * (k & 7));
    uint64_t h = Rotl(a_, 17) ^ b_ ^ (tail * kMul1);
    h ^= h >> 33;
    h *= kMul2;
    h ^= h >> 29;
    h *= kMul1;
    h ^= h >> 32;
    return h;
  }

 private:
  void Mix(const uint8_t* p) {
    uint64_t w0, w1;
    std::memcpy(&w0, p, 8);
    std::memcpy(&w1, p + 8, 8);
    a_ = Rotl(a_ ^ (w0 * kMul2), 31) * kMul1;
    b_ = Rotl(b_ ^ (w1 * kMul1), 29) * kMul2;
  }
  uint64_t a_, b_;
  uint8_t carry_[16];
  size_t pending_ = 0;
};

uint64_t Checksum(const void* data, size_t size) {
  Checksummer sum(size);
  sum.Update(data, size);
  return sum.Finish();
}

absl::Status Errno(absl::string_view what, const std::string& path) {
  return absl::InternalError(absl::StrCat(what, " '", path, "': ", std::strerror(errno)));
}

absl::Status WriteAll(int fd, const void* data, size_t size, const std::string& path) {
  const auto* p = static_cast<const char*>(data);
  while (size > 0) {
    const ssize_t n = ::write(fd, p, std::min<size_t>(size, size_t{1} << 26));
    if (n < 0) {
      if (errno == EINTR) continue;
      return Errno("writing", path);
    }
    p += n;
    size -= static_cast<size_t>(n);
  }
  return absl::OkStatus();
}

absl::Status ReadAll(int fd, void* data, size_t size, const std::string& path) {
  auto* p = static_cast<char*>(data);
  while (size > 0) {
    const ssize_t n = ::read(fd, p, std::min<size_t>(size, size_t{1} << 26));
    if (n < 0) {
      if (errno == EINTR) continue;
      return Errno("reading", path);
    }
    if (n == 0) return absl::DataLossError(absl::StrCat("'", path, "' is truncated"));
    p += n;
    size -= static_cast<size_t>(n);
  }
  return absl::OkStatus();
}

struct Fd {
  int fd = -1;
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
};

// A header naming the store and the change it reflects; the caller fills in the counts and
// checksums, then Seal.
absl::StatusOr<Header> StartHeader(const GraphStore& store) {
  const std::string identity = store.db_identity();
  if (identity.empty() || identity.size() > kMaxIdentity) {
    return absl::FailedPreconditionError("the store's RocksDB identity is unavailable");
  }
  Header h{};
  std::memcpy(h.magic, kMagic, sizeof kMagic);
  h.format = kImageFormat;
  h.endian = kEndianCheck;
  h.change_sequence = store.last_change();
  h.identity_size = static_cast<uint32_t>(identity.size());
  std::memcpy(h.identity, identity.data(), identity.size());
  return h;
}

void Seal(Header* h) { h->header_checksum = Checksum(h, offsetof(Header, header_checksum)); }

// Syncs the finished temporary image `f` (removed on error), renames it to `path` and syncs
// its directory.
absl::Status PutInPlace(Fd& f, const std::string& tmp, const std::string& path) {
  absl::Status s;
  if (::fsync(f.fd) != 0) s = Errno("syncing", tmp);
  ::close(f.fd);
  f.fd = -1;
  if (s.ok() && ::rename(tmp.c_str(), path.c_str()) != 0) s = Errno("renaming to", path);
  if (!s.ok()) {
    ::unlink(tmp.c_str());
    return s;
  }
  const std::string dir = std::filesystem::path(path).parent_path().string();
  Fd d{::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC)};
  if (d.fd < 0) return Errno("opening", dir);
  if (::fsync(d.fd) != 0) return Errno("syncing", dir);
  return absl::OkStatus();
}

template <typename T>
uint64_t Bytes(const std::vector<T>& v) {
  return v.size() * sizeof(T);
}

bool KeyOrder(const AdjEntry& x, const AdjEntry& y) {
  return std::tie(x.type, x.nbr, x.edge) < std::tie(y.type, y.nbr, y.edge);
}

}  // namespace

// Friend of Topology: reads and writes its state.
struct TopologyImage {
  static absl::Status Save(const Topology& t, const GraphStore& store);
  static absl::StatusOr<std::unique_ptr<Topology>> Read(const std::string& path,
                                                        const std::string& identity,
                                                        TopologyImageInfo* info);
  static absl::Status Compare(const Topology& a, const Topology& b);
};

absl::Status TopologyImage::Save(const Topology& t, const GraphStore& store) {
  ASSIGN_OR_RETURN(Header h, StartHeader(store));
  std::vector<uint16_t> kinds;
  std::vector<uint32_t> offsets;
  std::vector<AdjEntry> entries;
  std::vector<std::pair<const EdgeAttrs*, uint64_t>> attr_chunks;  // Rows of each chunk.
  std::vector<uint64_t> attr_sums;
  {
    absl::ReaderMutexLock lock(&t.mu_);
    const Topology::State& s = *t.s_;
    // Trailing slots with no node and no edge are left out (a scan would not create them).
    auto n = static_cast<uint32_t>(s.kind.size());
    while (n > 0 && s.kind[n - 1] == 0 && s.list(0, n - 1).empty() && s.list(1, n - 1).empty()) {
      --n;
    }
    kinds.assign(s.kind.begin(), s.kind.begin() + n);
    offsets.reserve(n + 1);
    entries.reserve(s.num_edges);
    for (uint32_t v = 0; v < n; ++v) {
      offsets.push_back(static_cast<uint32_t>(entries.size()));
      std::span<const AdjEntry> row = s.list(0, v);
      const size_t start = entries.size();
      entries.insert(entries.end(), row.begin(), row.end());
      // The store's key order (type, destination, id), as a scan gives it.
      if (!std::is_sorted(entries.begin() + start, entries.end(), KeyOrder)) {
        std::sort(entries.begin() + start, entries.end(), KeyOrder);
      }
    }
    offsets.push_back(static_cast<uint32_t>(entries.size()));
    h.nodes = s.num_nodes;
    for (const AdjEntry& e : entries) h.max_edge = std::max<uint64_t>(h.max_edge, e.edge);
    // The side table by edge id, 0 .. max_edge, straight from its chunks (every edge of a list
    // has its row; rows of deleted edges are kept, never read). The topology is not changing
    // (no writer), so the chunks can be written after the lock is released.
    h.attr_rows = entries.empty() ? 0 : h.max_edge + 1;
    for (uint64_t done = 0, i = 0; done < h.attr_rows; done += EdgeAttrTable::kChunk, ++i) {
      const uint64_t rows = std::min<uint64_t>(EdgeAttrTable::kChunk, h.attr_rows - done);
      attr_chunks.push_back({s.attrs.chunk(i), rows});
      attr_sums.push_back(Checksum(s.attrs.chunk(i), rows * sizeof(EdgeAttrs)));
    }
  }
  h.slots = kinds.size();
  h.edges = entries.size();
  h.section_checksum[0] = Checksum(kinds.data(), Bytes(kinds));
  h.section_checksum[1] = Checksum(offsets.data(), Bytes(offsets));
  h.section_checksum[2] = Checksum(entries.data(), Bytes(entries));
  h.section_checksum[3] = Checksum(attr_sums.data(), Bytes(attr_sums));
  Seal(&h);

  const std::string path = (std::filesystem::path(store.dir()) / kTopologyImageFile).string();
  const std::string tmp = path + ".tmp";
  Fd f{::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644)};
  if (f.fd < 0) return Errno("creating", tmp);
  absl::Status s = WriteAll(f.fd, &h, sizeof h, tmp);
  if (s.ok()) s = WriteAll(f.fd, kinds.data(), Bytes(kinds), tmp);
  if (s.ok()) s = WriteAll(f.fd, offsets.data(), Bytes(offsets), tmp);
  if (s.ok()) s = WriteAll(f.fd, entries.data(), Bytes(entries), tmp);
  for (const auto& [rows, n] : attr_chunks) {
    if (s.ok()) s = WriteAll(f.fd, rows, n * sizeof(EdgeAttrs), tmp);
  }
  if (!s.ok()) {
    ::unlink(tmp.c_str());
    return s;
  }
  return PutInPlace(f, tmp, path);
}

absl::StatusOr<std::unique_ptr<Topology>> TopologyImage::Read(const std::string& path,
                                                              const std::string& identity,
                                                              TopologyImageInfo* info) {
  Fd f{::open(path.c_str(), O_RDONLY | O_CLOEXEC)};
  if (f.fd < 0) return Errno("opening", path);
  struct stat st;
  if (::fstat(f.fd, &st) != 0) return Errno("reading", path);
  Header h;
  if (static_cast<uint64_t>(st.st_size) < sizeof h) {
    return absl::DataLossError("the image is shorter than its header");
  }
  RETURN_IF_ERROR(ReadAll(f.fd, &h, sizeof h, path));
  if (std::memcmp(h.magic, kMagic, sizeof kMagic) != 0) {
    return absl::DataLossError("the image has a wrong magic number");
  }
  if (h.format != kImageFormat || h.endian != kEndianCheck) {
    return absl::FailedPreconditionError(
        absl::StrCat("the image has format ", h.format, ", this build reads ", kImageFormat));
  }
  if (Checksum(&h, offsetof(Header, header_checksum)) != h.header_checksum) {
    return absl::DataLossError("the image header's checksum does not match");
  }
  if (h.identity_size > kMaxIdentity ||
      absl::string_view(h.identity, h.identity_size) != identity || identity.empty()) {
    return absl::FailedPreconditionError(
        absl::StrCat("the image belongs to another store (RocksDB identity '",
                     absl::string_view(h.identity, std::min<size_t>(h.identity_size, kMaxIdentity)),
                     "', this store's is '", identity, "')"));
  }
  if (h.slots > GraphStore::kMaxId + 1 || h.edges > std::numeric_limits<uint32_t>::max() ||
      h.attr_rows != (h.edges == 0 ? 0 : h.max_edge + 1) || h.nodes > h.slots ||
      h.max_edge > GraphStore::kMaxId) {
    return absl::DataLossError("the image header holds impossible counts");
  }
  const uint64_t expected = sizeof h + h.slots * sizeof(uint16_t) +
                            (h.slots + 1) * sizeof(uint32_t) + h.edges * sizeof(AdjEntry) +
                            h.attr_rows * sizeof(EdgeAttrs);
  if (static_cast<uint64_t>(st.st_size) != expected) {
    return absl::DataLossError(
        absl::StrCat("the image has ", st.st_size, " bytes, its header says ", expected));
  }
  std::unique_ptr<Topology> t(new Topology());
  Topology::State& s = *t->s_;
  CsrLists& out = s.base[0];
  s.kind.resize(h.slots);
  out.offsets.resize(h.slots + 1);
  out.entries.resize(h.edges);
  RETURN_IF_ERROR(ReadAll(f.fd, s.kind.data(), Bytes(s.kind), path));
  RETURN_IF_ERROR(ReadAll(f.fd, out.offsets.data(), Bytes(out.offsets), path));
  RETURN_IF_ERROR(ReadAll(f.fd, out.entries.data(), Bytes(out.entries), path));
  // The side table straight into its chunks.
  std::vector<uint64_t> attr_sums;
  if (h.attr_rows > 0) s.attrs.set(static_cast<uint32_t>(h.attr_rows - 1), EdgeAttrs{});
  for (uint64_t done = 0, i = 0; done < h.attr_rows; done += EdgeAttrTable::kChunk, ++i) {
    const uint64_t rows = std::min<uint64_t>(EdgeAttrTable::kChunk, h.attr_rows - done);
    RETURN_IF_ERROR(ReadAll(f.fd, s.attrs.chunk(i), rows * sizeof(EdgeAttrs), path));
    attr_sums.push_back(Checksum(s.attrs.chunk(i), rows * sizeof(EdgeAttrs)));
  }
  const char* names[4] = {"kinds", "out-lists offsets", "out-lists", "side table"};
  const uint64_t sums[4] = {Checksum(s.kind.data(), Bytes(s.kind)),
                            Checksum(out.offsets.data(), Bytes(out.offsets)),
                            Checksum(out.entries.data(), Bytes(out.entries)),
                            Checksum(attr_sums.data(), Bytes(attr_sums))};
  for (int i = 0; i < 4; ++i) {
    if (sums[i] != h.section_checksum[i]) {
      return absl::DataLossError(
          absl::StrCat("the image's ", names[i], " section fails its checksum"));
    }
  }
  // The checksums passed; these checks guard against a writer bug rather than damage.
  uint64_t nodes = 0;
  for (uint16_t k : s.kind) nodes += k != 0;
  if (nodes != h.nodes) return absl::DataLossError("the image's node count does not match");
  if (out.offsets[0] != 0 || out.offsets[h.slots] != h.edges) {
    return absl::DataLossError("the image's offsets do not cover its lists");
  }
  for (uint64_t v = 0; v < h.slots; ++v) {
    if (out.offsets[v] > out.offsets[v + 1]) {
      return absl::DataLossError("the image's offsets are not ordered");
    }
  }
  for (const AdjEntry& e : out.entries) {
    if (e.nbr >= h.slots || e.edge > h.max_edge) {
      return absl::DataLossError("the image holds an edge outside its bounds");
    }
  }
  s.num_nodes = nodes;
  s.num_edges = h.edges;
  Topology::DeriveInLists(s);
  info->change_sequence = h.change_sequence;
  info->nodes = h.nodes;
  info->edges = h.edges;
  return t;
}

absl::Status TopologyImage::Compare(const Topology& a, const Topology& b) {
  Topology::Reader ra = a.Read();
  Topology::Reader rb = b.Read();
  if (ra.num_nodes() != rb.num_nodes() || ra.num_edges() != rb.num_edges()) {
    return absl::DataLossError(absl::StrCat("counts differ: ", ra.num_nodes(), " nodes and ",
                                            ra.num_edges(), " edges against ", rb.num_nodes(),
                                            " nodes and ", rb.num_edges(), " edges"));
  }
  const uint32_t n = std::max(ra.num_slots(), rb.num_slots());
  using Full = std::tuple<uint16_t, uint32_t, uint32_t, uint16_t, int32_t, int32_t, double>;
  std::vector<Full> la, lb;
  auto fill = [](const Topology::Reader& r, std::span<const AdjEntry> row, std::vector<Full>& l) {
    l.clear();
    for (const AdjEntry& e : row) {
      const EdgeAttrs at = r.attrs(e);
      l.emplace_back(e.type, e.nbr, e.edge, e.flags, at.from, at.to, at.weight);
    }
    std::sort(l.begin(), l.end());
  };
  for (uint32_t v = 0; v < n; ++v) {
    if (ra.kind(v) != rb.kind(v)) {
      return absl::DataLossError(
          absl::StrCat("node ", v, " has kind ", ra.kind(v), " against ", rb.kind(v)));
    }
    for (int d = 0; d < 2; ++d) {
      fill(ra, d == 0 ? ra.out(v) : ra.in(v), la);
      fill(rb, d == 0 ? rb.out(v) : rb.in(v), lb);
      if (la != lb) {
        return absl::DataLossError(absl::StrCat("the ", d == 0 ? "out" : "in", "-edges of node ", v,
                                                " differ (", la.size(), " against ", lb.size(),
                                                ")"));
      }
    }
  }
  return absl::OkStatus();
}

namespace {

absl::Status PwriteAll(int fd, const void* data, size_t size, uint64_t at,
                       const std::string& path) {
  const auto* p = static_cast<const char*>(data);
  while (size > 0) {
    const ssize_t n =
        ::pwrite(fd, p, std::min<size_t>(size, size_t{1} << 26), static_cast<off_t>(at));
    if (n < 0) {
      if (errno == EINTR) continue;
      return Errno("writing", path);
    }
    p += n;
    at += static_cast<uint64_t>(n);
    size -= static_cast<size_t>(n);
  }
  return absl::OkStatus();
}

constexpr size_t kEntriesPerWrite = 1 << 16;

}  // namespace

struct TopologyImageWriter::Sum : Checksummer {
  using Checksummer::Checksummer;
};

TopologyImageWriter::TopologyImageWriter(std::string dir)
    : dir_(std::move(dir)),
      tmp_((std::filesystem::path(dir_) / kTopologyImageFile).string() + ".tmp") {}

TopologyImageWriter::~TopologyImageWriter() {
  if (fd_ >= 0) {
    ::close(fd_);
    ::unlink(tmp_.c_str());
  }
}

TopologySink TopologyImageWriter::Sink() {
  TopologySink sink;
  sink.begin = [this](uint64_t slots, uint64_t edges) { Begin(slots, edges); };
  sink.node = [this](uint64_t id, uint32_t kind) { Node(id, kind); };
  sink.edge_attrs = [this](uint64_t id, int32_t valid_from, int32_t valid_to, double weight) {
    Attrs(id, valid_from, valid_to, weight);
  };
  sink.edge = [this](const EdgeLink& e) { Edge(e); };
  sink.end = [this] { End(); };
  return sink;
}

void TopologyImageWriter::Fail(absl::Status s) {
  if (bad_.ok()) bad_ = std::move(s);
}

void TopologyImageWriter::Begin(uint64_t slots, uint64_t edges) {
  if (begun_) return Fail(absl::FailedPreconditionError("the image writer was given two loads"));
  begun_ = true;
  if (slots > GraphStore::kMaxId + 1 || edges > GraphStore::kMaxId) {
    return Fail(absl::OutOfRangeError(
        absl::StrCat(slots, " node slots and ", edges, " edges do not fit the topology image")));
  }
  slots_ = slots;
  expected_edges_ = edges;
  entries_at_ = sizeof(Header) + slots * sizeof(uint16_t) + (slots + 1) * sizeof(uint32_t);
  attrs_at_ = entries_at_ + edges * sizeof(AdjEntry);
  fd_ = ::open(tmp_.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd_ < 0) return Fail(Errno("creating", tmp_));
  kinds_.assign(slots, 0);
  offsets_.reserve(slots + 1);
  entry_buffer_.reserve(std::min<uint64_t>(edges, kEntriesPerWrite));
  entry_sum_ = std::make_unique<Sum>(edges * sizeof(AdjEntry));
  if (edges > 0) {
    // The side table by edge id from 0 (a row never read: no edge has id 0).
    attr_buffer_.reserve(EdgeAttrTable::kChunk);
    attr_buffer_.push_back(EdgeAttrs{});
    attr_rows_ = 1;
  }
}

void TopologyImageWriter::Node(uint64_t id, uint32_t kind) {
  if (!bad_.ok()) return;
  if (!begun_ || id >= slots_ || kind == 0 || kind > 0xFFFF || kinds_[id] != 0) {
    return Fail(absl::DataLossError(
        absl::StrCat("node ", id, " of kind ", kind, " does not fit the image being written")));
  }
  kinds_[id] = static_cast<uint16_t>(kind);
  ++nodes_;
}

void TopologyImageWriter::Attrs(uint64_t id, int32_t valid_from, int32_t valid_to, double weight) {
  if (!bad_.ok()) return;
  if (!begun_ || id != attr_rows_ || id > expected_edges_) {
    // Rows come by id, one for each edge, 1 .. edges.
    return Fail(absl::DataLossError(
        absl::StrCat("edge ", id, "'s attributes come out of order (row ", attr_rows_, ")")));
  }
  attr_buffer_.push_back(EdgeAttrs{valid_from, valid_to, weight});
  ++attr_rows_;
  if (attr_buffer_.size() == EdgeAttrTable::kChunk) FlushAttrs();
}

void TopologyImageWriter::FlushAttrs() {
  if (attr_buffer_.empty() || !bad_.ok()) return;
  const uint64_t bytes = attr_buffer_.size() * sizeof(EdgeAttrs);
  attr_sums_.push_back(Checksum(attr_buffer_.data(), bytes));
  const uint64_t at =
      attrs_at_ + (attr_sums_.size() - 1) * uint64_t{EdgeAttrTable::kChunk} * sizeof(EdgeAttrs);
  if (absl::Status s = PwriteAll(fd_, attr_buffer_.data(), bytes, at, tmp_); !s.ok()) Fail(s);
  attr_buffer_.clear();
}

void TopologyImageWriter::Edge(const EdgeLink& e) {
  if (!bad_.ok()) return;
  if (!begun_ || e.from >= slots_ || e.to >= slots_ || e.id == 0 || e.id > expected_edges_ ||
      e.type > 0xFFFF || e.from < current_ || edges_ == expected_edges_) {
    return Fail(absl::DataLossError(absl::StrCat("edge ", e.id, " (", e.from, " -> ", e.to,
                                                 ") does not fit the image being written")));
  }
  while (offsets_.size() <= e.from) offsets_.push_back(static_cast<uint32_t>(edges_));
  current_ = e.from;
  entry_buffer_.push_back(AdjEntry{static_cast<uint32_t>(e.to), static_cast<uint32_t>(e.id),
                                   static_cast<uint16_t>(e.type),
                                   AdjEntry::Flags(e.valid_from, e.valid_to, e.weight)});
  ++edges_;
  max_edge_ = std::max(max_edge_, e.id);
  if (entry_buffer_.size() == kEntriesPerWrite) FlushEntries();
}

void TopologyImageWriter::FlushEntries() {
  if (entry_buffer_.empty() || !bad_.ok()) return;
  const uint64_t bytes = entry_buffer_.size() * sizeof(AdjEntry);
  entry_sum_->Update(entry_buffer_.data(), bytes);
  const uint64_t at = entries_at_ + (edges_ - entry_buffer_.size()) * sizeof(AdjEntry);
  if (absl::Status s = PwriteAll(fd_, entry_buffer_.data(), bytes, at, tmp_); !s.ok()) Fail(s);
  entry_buffer_.clear();
}

void TopologyImageWriter::End() {
  if (!bad_.ok()) return;
  if (!begun_ || ended_) {
    return Fail(absl::FailedPreconditionError("the image writer's load did not begin once"));
  }
  ended_ = true;
  FlushEntries();
  FlushAttrs();
  if (!bad_.ok()) return;
  // What SaveTopologyImage would write of this graph: every edge once with ids 1 .. edges (so
  // that the side table is dense), and no trailing slot without a node (it would be left out).
  if (edges_ != expected_edges_ || max_edge_ != expected_edges_ ||
      attr_rows_ != (expected_edges_ == 0 ? 0 : expected_edges_ + 1)) {
    return Fail(absl::DataLossError(
        absl::StrCat("the load announced ", expected_edges_, " edges and gave ", edges_,
                     " (largest id ", max_edge_, ", ", attr_rows_, " side-table rows)")));
  }
  if (slots_ > 0 && kinds_[slots_ - 1] == 0) {
    return Fail(absl::DataLossError(absl::StrCat("node slot ", slots_ - 1, " holds no node")));
  }
  while (offsets_.size() <= slots_) offsets_.push_back(static_cast<uint32_t>(edges_));
  section_sums_[0] = Checksum(kinds_.data(), Bytes(kinds_));
  section_sums_[1] = Checksum(offsets_.data(), Bytes(offsets_));
  section_sums_[2] = entry_sum_->Finish();
  section_sums_[3] = Checksum(attr_sums_.data(), Bytes(attr_sums_));
  absl::Status s = PwriteAll(fd_, kinds_.data(), Bytes(kinds_), sizeof(Header), tmp_);
  if (s.ok()) {
    s = PwriteAll(fd_, offsets_.data(), Bytes(offsets_), sizeof(Header) + Bytes(kinds_), tmp_);
  }
  if (!s.ok()) Fail(s);
  kinds_ = {};
  offsets_ = {};
  entry_buffer_ = {};
  attr_buffer_ = {};
}

absl::Status TopologyImageWriter::Commit(const GraphStore& store) {
  RETURN_IF_ERROR(bad_);
  if (!ended_ || fd_ < 0) {
    return absl::FailedPreconditionError("the image writer did not receive a whole load");
  }
  ASSIGN_OR_RETURN(Header h, StartHeader(store));
  h.slots = slots_;
  h.nodes = nodes_;
  h.edges = edges_;
  h.max_edge = max_edge_;
  h.attr_rows = attr_rows_;
  std::memcpy(h.section_checksum, section_sums_, sizeof section_sums_);
  Seal(&h);
  RETURN_IF_ERROR(PwriteAll(fd_, &h, sizeof h, 0, tmp_));
  Fd f{fd_};
  fd_ = -1;
  return PutInPlace(f, tmp_, (std::filesystem::path(dir_) / kTopologyImageFile).string());
}

absl::Status SaveTopologyImage(const Topology& topology, const GraphStore& store) {
  return TopologyImage::Save(topology, store);
}

absl::StatusOr<std::unique_ptr<Topology>> ReadTopologyImage(const std::string& path,
                                                            const std::string& identity,
                                                            TopologyImageInfo* info) {
  return TopologyImage::Read(path, identity, info);
}

absl::Status CompareTopologies(const Topology& a, const Topology& b) {
  return TopologyImage::Compare(a, b);
}

namespace {

// The image plus the replayed change log, or an error saying why it cannot be used.
absl::StatusOr<std::unique_ptr<Topology>> FromImage(const GraphStore& store,
                                                    const std::string& path,
                                                    TopologyLoadReport* report) {
  TopologyImageInfo info;
  ASSIGN_OR_RETURN(std::unique_ptr<Topology> t,
                   ReadTopologyImage(path, store.db_identity(), &info));
  const uint64_t last = store.last_change();
  const uint64_t first = store.first_change();
  if (info.change_sequence > last) {
    return absl::FailedPreconditionError(absl::StrCat("the image reflects change ",
                                                      info.change_sequence,
                                                      ", newer than the store's last ", last));
  }
  if (first > info.change_sequence + 1) {
    return absl::FailedPreconditionError(absl::StrCat("the change log no longer holds change ",
                                                      info.change_sequence + 1, " (the oldest is ",
                                                      first, ")"));
  }
  uint64_t next = info.change_sequence + 1;
  absl::Status bad;
  RETURN_IF_ERROR(store.ReadChanges(
      info.change_sequence, std::numeric_limits<size_t>::max(), [&](const ChangeSet& c) {
        if (c.sequence != next) {
          bad = absl::FailedPreconditionError(
              absl::StrCat("the change log skips from ", next, " to ", c.sequence));
          return false;
        }
        if (c.bulk_load) {
          bad = absl::FailedPreconditionError(absl::StrCat(
              "change ", c.sequence, " is a bulk load, which the log does not detail"));
          return false;
        }
        t->Apply(c);
        ++next;
        return true;
      }));
  RETURN_IF_ERROR(bad);
  if (next != last + 1) {
    return absl::FailedPreconditionError(
        absl::StrCat("the change log ended at ", next - 1, ", before the last change ", last));
  }
  report->from_image = true;
  report->image_sequence = info.change_sequence;
  report->replayed_changes = last - info.change_sequence;
  return t;
}

}  // namespace

absl::StatusOr<std::unique_ptr<Topology>> LoadTopology(const GraphStore& store,
                                                       TopologyLoadReport* report) {
  *report = TopologyLoadReport();
  const std::string path = (std::filesystem::path(store.dir()) / kTopologyImageFile).string();
  std::error_code ec;
  if (std::filesystem::exists(path, ec)) {
    absl::StatusOr<std::unique_ptr<Topology>> t = FromImage(store, path, report);
    if (t.ok()) return t;
    *report = TopologyLoadReport();
    report->fallback_reason = std::string(t.status().message());
  }
  return Topology::Load(store);
}

}  // namespace innograph
