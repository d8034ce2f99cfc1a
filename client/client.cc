#include "client/client.h"

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>

#include "absl/strings/str_cat.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"

namespace innograph::client {

std::string Client::DefaultTarget() {
  const char* env = std::getenv("INNOGRAPH_SERVER");
  return env && *env ? env : "127.0.0.1:50051";
}

std::unique_ptr<Client> Client::Create(Options options) {
  if (options.target.empty()) options.target = DefaultTarget();
  return std::unique_ptr<Client>(new Client(std::move(options)));
}

Client::Client(Options options) : options_(std::move(options)) {
  grpc::ChannelArguments args;
  args.SetMaxReceiveMessageSize(64 << 20);
  std::shared_ptr<grpc::ChannelCredentials> credentials = grpc::InsecureChannelCredentials();
  if (!options_.tls_ca_pem.empty()) {
    grpc::SslCredentialsOptions ssl;
    ssl.pem_root_certs = options_.tls_ca_pem;
    credentials = grpc::SslCredentials(ssl);
  }
  stub_ = v1::GraphService::NewStub(grpc::CreateCustomChannel(options_.target, credentials, args));
}

void Client::Prepare(grpc::ClientContext& ctx) const {
  if (!options_.token.empty()) ctx.AddMetadata("authorization", "Bearer " + options_.token);
}

template <typename Req, typename Resp, typename Method>
absl::StatusOr<Resp> Client::Call(Method method, const Req& req) {
  grpc::ClientContext ctx;
  Prepare(ctx);
  ctx.set_deadline(std::chrono::system_clock::now() + options_.timeout);
  Resp resp;
  grpc::Status s = (stub_.get()->*method)(&ctx, req, &resp);
  if (!s.ok()) {
    return absl::Status(static_cast<absl::StatusCode>(s.error_code()), s.error_message());
  }
  return resp;
}

#define INNOGRAPH_CLIENT_METHOD(Name)                                                       \
  absl::StatusOr<v1::Name##Response> Client::Name(const v1::Name##Request& req) {           \
    return Call<v1::Name##Request, v1::Name##Response>(&v1::GraphService::Stub::Name, req); \
  }

INNOGRAPH_CLIENT_METHOD(GetSchema)
INNOGRAPH_CLIENT_METHOD(UpsertNodes)
INNOGRAPH_CLIENT_METHOD(UpsertEdges)
INNOGRAPH_CLIENT_METHOD(DeleteNodes)
INNOGRAPH_CLIENT_METHOD(DeleteEdges)
INNOGRAPH_CLIENT_METHOD(GetNodes)
INNOGRAPH_CLIENT_METHOD(GetEdges)
INNOGRAPH_CLIENT_METHOD(SearchNodes)
INNOGRAPH_CLIENT_METHOD(Neighbors)
INNOGRAPH_CLIENT_METHOD(Stats)
INNOGRAPH_CLIENT_METHOD(Expand)
INNOGRAPH_CLIENT_METHOD(CommonNeighbors)
INNOGRAPH_CLIENT_METHOD(Similar)
INNOGRAPH_CLIENT_METHOD(Rank)
INNOGRAPH_CLIENT_METHOD(Components)
INNOGRAPH_CLIENT_METHOD(Communities)
INNOGRAPH_CLIENT_METHOD(Backup)

absl::StatusOr<v1::PathsResponse> Client::ShortestPath(const v1::ShortestPathRequest& req) {
  return Call<v1::ShortestPathRequest, v1::PathsResponse>(&v1::GraphService::Stub::ShortestPath,
                                                          req);
}

absl::StatusOr<v1::PathsResponse> Client::Paths(const v1::PathsRequest& req) {
  return Call<v1::PathsRequest, v1::PathsResponse>(&v1::GraphService::Stub::Paths, req);
}

absl::StatusOr<v1::SubgraphChunk> Client::Subgraph(const v1::SubgraphRequest& req) {
  grpc::ClientContext ctx;
  Prepare(ctx);
  ctx.set_deadline(std::chrono::system_clock::now() + options_.timeout);
  std::unique_ptr<grpc::ClientReader<v1::SubgraphChunk>> reader = stub_->Subgraph(&ctx, req);
  v1::SubgraphChunk all, chunk;
  while (reader->Read(&chunk)) {
    all.mutable_nodes()->MergeFrom(chunk.nodes());
    all.mutable_edges()->MergeFrom(chunk.edges());
    if (chunk.last()) {
      all.set_last(true);
      all.set_truncated(chunk.truncated());
      all.mutable_limits_hit()->CopyFrom(chunk.limits_hit());
    }
  }
  grpc::Status s = reader->Finish();
  if (!s.ok()) {
    return absl::Status(static_cast<absl::StatusCode>(s.error_code()), s.error_message());
  }
  return all;
}

#undef INNOGRAPH_CLIENT_METHOD

absl::StatusOr<v1::ImportResponse> Client::Import(
    const std::vector<std::string>& paths, const v1::ImportOptions& options,
    const std::function<void(const ImportProgress&)>& progress) {
  // Messages of up to 1 MiB of rows (or 32768 rows): big enough for the server to parse one
  // on two threads and to keep the per-message cost small, well under its 4 MiB limit.
  constexpr size_t kBytesPerMessage = 1 << 20;
  constexpr size_t kLinesPerMessage = 32768;
  constexpr size_t kChunk = 4 << 20;  // Read size.
  ImportProgress state;
  for (const std::string& path : paths) {
    std::error_code ec;
    const auto size = std::filesystem::file_size(path, ec);
    if (ec) return absl::NotFoundError(absl::StrCat("cannot read '", path, "': ", ec.message()));
    state.bytes_total += size;
  }
  grpc::ClientContext ctx;
  Prepare(ctx);
  v1::ImportResponse resp;
  std::unique_ptr<grpc::ClientWriter<v1::ImportRequest>> writer = stub_->Import(&ctx, &resp);
  auto finish = [&]() -> absl::StatusOr<v1::ImportResponse> {
    writer->WritesDone();
    grpc::Status s = writer->Finish();
    if (!s.ok()) {
      return absl::Status(static_cast<absl::StatusCode>(s.error_code()), s.error_message());
    }
    return resp;
  };
  v1::ImportRequest req;
  *req.mutable_options() = options;
  if (!writer->Write(req)) return finish();
  for (const std::string& path : paths) {
    std::unique_ptr<std::FILE, int (*)(std::FILE*)> in(std::fopen(path.c_str(), "rb"),
                                                       &std::fclose);
    if (!in) return absl::NotFoundError(absl::StrCat("cannot open '", path, "'"));
    req.Clear();
    req.mutable_file()->set_name(std::filesystem::path(path).filename().string());
    if (!writer->Write(req)) return finish();
    uint64_t line_no = 0;
    size_t message_bytes = 0;
    req.Clear();
    v1::ImportLines* lines = req.mutable_lines();
    lines->set_first_line(1);
    // Sends the message being built; false when the server has ended the call.
    auto send = [&]() {
      state.lines_sent += lines->lines_size();
      if (!writer->Write(req)) return false;
      if (progress) progress(state);
      req.Clear();
      lines = req.mutable_lines();
      lines->set_first_line(line_no + 1);
      message_bytes = 0;
      return true;
    };
    auto add = [&](const char* data, size_t size, size_t consumed) {
      if (lines->lines_size() > 0 && message_bytes + size > kBytesPerMessage && !send()) {
        return false;
      }
      ++line_no;
      state.bytes_sent += consumed;
      if (size > 0 && data[size - 1] == '\r') --size;
      lines->add_lines(data, size);
      message_bytes += size + 2;
      if (static_cast<size_t>(lines->lines_size()) == kLinesPerMessage) return send();
      return true;
    };
    // Read in big chunks; each line is copied once, into the message.
    std::string buffer;
    size_t filled = 0;
    bool eof = false;
    while (!eof) {
      if (buffer.size() < filled + kChunk) buffer.resize(filled + kChunk);
      const size_t got = std::fread(buffer.data() + filled, 1, buffer.size() - filled, in.get());
      if (got < buffer.size() - filled) {
        if (std::ferror(in.get())) {
          return absl::DataLossError(absl::StrCat("reading '", path, "' failed"));
        }
        eof = true;
      }
      filled += got;
      size_t at = 0;
      while (true) {
        const char* nl =
            static_cast<const char*>(std::memchr(buffer.data() + at, '\n', filled - at));
        if (nl == nullptr) break;
        const size_t size = static_cast<size_t>(nl - (buffer.data() + at));
        if (!add(buffer.data() + at, size, size + 1)) return finish();
        at += size + 1;
      }
      if (eof && at < filled) {
        if (!add(buffer.data() + at, filled - at, filled - at)) return finish();
        at = filled;
      }
      buffer.erase(0, at);
      filled -= at;
    }
    if (lines->lines_size() > 0 && !send()) return finish();
  }
  return finish();
}

absl::Status Client::Export(
    const v1::ExportRequest& req,
    const std::function<void(const std::string&, const std::string&)>& sink) {
  grpc::ClientContext ctx;
  Prepare(ctx);
  ctx.set_deadline(std::chrono::system_clock::now() + options_.timeout);
  std::unique_ptr<grpc::ClientReader<v1::ExportChunk>> reader = stub_->Export(&ctx, req);
  v1::ExportChunk chunk;
  while (reader->Read(&chunk)) sink(chunk.file(), chunk.data());
  grpc::Status s = reader->Finish();
  if (!s.ok()) {
    return absl::Status(static_cast<absl::StatusCode>(s.error_code()), s.error_message());
  }
  return absl::OkStatus();
}

absl::Status Client::Watch(const v1::WatchRequest& req, double deadline_seconds,
                           const std::function<bool(const v1::WatchEvent&)>& on_event) {
  grpc::ClientContext ctx;
  Prepare(ctx);
  if (deadline_seconds > 0) {
    ctx.set_deadline(std::chrono::system_clock::now() +
                     std::chrono::milliseconds(static_cast<int64_t>(deadline_seconds * 1000)));
  }
  std::unique_ptr<grpc::ClientReader<v1::WatchEvent>> reader = stub_->Watch(&ctx, req);
  v1::WatchEvent event;
  bool stopped = false;
  while (reader->Read(&event)) {
    if (!on_event(event)) {
      stopped = true;
      ctx.TryCancel();
      break;
    }
  }
  grpc::Status s = reader->Finish();
  if (stopped) return absl::OkStatus();
  if (!s.ok()) {
    return absl::Status(static_cast<absl::StatusCode>(s.error_code()), s.error_message());
  }
  return absl::OkStatus();
}

}  // namespace innograph::client
