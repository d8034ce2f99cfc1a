#include "server/rpc_interceptor.h"

#include <atomic>
#include <mutex>

#include "google/protobuf/descriptor.h"
#include "google/protobuf/message.h"
#include "google/protobuf/util/json_util.h"
#include "grpcpp/server_context.h"
#include "grpcpp/support/byte_buffer.h"
#include "innograph/v1/graph.pb.h"
#include "server/light_rpcs.h"
#include "server/limits.h"
#include "server/log.h"

namespace innograph::server {
namespace {

using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using google::protobuf::Reflection;
using grpc::experimental::InterceptionHookPoints;

// Bounds of CopyForLog: enough to recognise a request in 2 KB of JSON.
constexpr int kMaxRepeated = 16;
constexpr size_t kMaxString = 512;
constexpr int kMaxFields = 400;
// Requests up to this size are kept encoded until a slow call needs them.
constexpr size_t kEncodedRequestBytes = 16384;

class Copier {
 public:
  bool trimmed = false;

  void Copy(const Message& from, Message* to) {
    const Reflection* in = from.GetReflection();
    const Reflection* out = to->GetReflection();
    std::vector<const FieldDescriptor*> fields;
    in->ListFields(from, &fields);
    for (const FieldDescriptor* f : fields) {
      if (!Spend()) return;
      if (f->is_repeated()) {
        const int n = in->FieldSize(from, f);
        if (n > kMaxRepeated) trimmed = true;
        for (int i = 0; i < std::min(n, kMaxRepeated) && Spend(); ++i) {
          CopyElement(from, f, i, to, in, out);
        }
      } else {
        CopyElement(from, f, -1, to, in, out);
      }
    }
  }

 private:
  int budget_ = kMaxFields;

  bool Spend() {
    if (budget_ <= 0) {
      trimmed = true;
      return false;
    }
    --budget_;
    return true;
  }

  std::string Cut(std::string s) {
    if (s.size() > kMaxString) {
      trimmed = true;
      s.resize(kMaxString);
    }
    return s;
  }

  // One singular field (i < 0) or element i of a repeated one.
  void CopyElement(const Message& from, const FieldDescriptor* f, int i, Message* to,
                   const Reflection* in, const Reflection* out) {
    const bool rep = i >= 0;
    switch (f->cpp_type()) {
#define INNOGRAPH_COPY(CPPTYPE, Name)                           \
  case FieldDescriptor::CPPTYPE:                                \
    if (rep) {                                                  \
      out->Add##Name(to, f, in->GetRepeated##Name(from, f, i)); \
    } else {                                                    \
      out->Set##Name(to, f, in->Get##Name(from, f));            \
    }                                                           \
    break;
      INNOGRAPH_COPY(CPPTYPE_INT32, Int32)
      INNOGRAPH_COPY(CPPTYPE_INT64, Int64)
      INNOGRAPH_COPY(CPPTYPE_UINT32, UInt32)
      INNOGRAPH_COPY(CPPTYPE_UINT64, UInt64)
      INNOGRAPH_COPY(CPPTYPE_FLOAT, Float)
      INNOGRAPH_COPY(CPPTYPE_DOUBLE, Double)
      INNOGRAPH_COPY(CPPTYPE_BOOL, Bool)
      INNOGRAPH_COPY(CPPTYPE_ENUM, EnumValue)
#undef INNOGRAPH_COPY
      case FieldDescriptor::CPPTYPE_STRING:
        if (rep) {
          out->AddString(to, f, Cut(in->GetRepeatedString(from, f, i)));
        } else {
          out->SetString(to, f, Cut(in->GetString(from, f)));
        }
        break;
      case FieldDescriptor::CPPTYPE_MESSAGE:
        if (rep) {
          Copy(in->GetRepeatedMessage(from, f, i), out->AddMessage(to, f));
        } else {
          Copy(in->GetMessage(from, f), out->MutableMessage(to, f));
        }
        break;
    }
  }
};

class RpcInterceptor : public grpc::experimental::Interceptor {
 public:
  RpcInterceptor(grpc::experimental::ServerRpcInfo* info, Metrics::Rpc* rpc,
                 std::chrono::milliseconds slow_query, const TokenTable* tokens)
      : info_(info),
        rpc_(rpc),
        slow_query_(slow_query),
        tokens_(tokens),
        write_(IsWriteMethod(rpc->method())),
        light_(IsLightMethod(rpc->method())) {}

  ~RpcInterceptor() override {
    // A call that ended without a status passing through here (it should not happen) still
    // counts, as cancelled.
    if (started_ && !finished_) rpc_->Finished(grpc::StatusCode::CANCELLED, Seconds());
  }

  void Intercept(grpc::experimental::InterceptorBatchMethods* methods) override {
    if (methods->QueryInterceptionHookPoint(InterceptionHookPoints::POST_RECV_INITIAL_METADATA)) {
      start_ = std::chrono::steady_clock::now();
      started_ = true;
    }
    if (write_ && methods->QueryInterceptionHookPoint(InterceptionHookPoints::POST_RECV_MESSAGE)) {
      if (const auto* message = static_cast<const Message*>(methods->GetRecvMessage())) {
        items_.fetch_add(AuditItems(*message), std::memory_order_relaxed);
      }
    }
    if (slow_query_.count() > 0 &&
        methods->QueryInterceptionHookPoint(InterceptionHookPoints::POST_RECV_MESSAGE)) {
      // The handler frees the request before the status is sent: keep a small copy of it.
      // Null when the message could not be received or parsed.
      // Most requests are small: their encoding is the cheapest copy, decoded only when the
      // call turns out slow. Large ones (imports, batches) are cut down right away. The light
      // rpcs receive their requests still encoded: a reference to the bytes is kept.
      if (light_) {
        if (const auto* raw = static_cast<const grpc::ByteBuffer*>(methods->GetRecvMessage())) {
          std::lock_guard lock(mu_);
          request_raw_ = *raw;
        }
      } else if (const auto* message = static_cast<const Message*>(methods->GetRecvMessage())) {
        std::lock_guard lock(mu_);
        if (!request_ && request_type_ == nullptr) {
          if (message->ByteSizeLong() <= kEncodedRequestBytes) {
            request_type_ = message->GetDescriptor();
            message->SerializeToString(&request_bytes_);
          } else {
            request_ = CopyForLog(*message, &request_trimmed_);
          }
        }
      }
    }
    if (methods->QueryInterceptionHookPoint(InterceptionHookPoints::PRE_SEND_STATUS) &&
        !finished_) {
      finished_ = true;
      const double seconds = Seconds();
      int code = methods->GetSendStatus().error_code();
      // A request that did not parse: a clear INVALID_ARGUMENT instead of gRPC's bare INTERNAL.
      if (auto fixed = ParseFailureStatus(methods->GetSendStatus(), rpc_->method())) {
        methods->ModifySendStatus(*fixed);
        code = fixed->error_code();
      }
      rpc_->Finished(code, seconds);
      if (slow_query_.count() > 0 && seconds * 1000 >= slow_query_.count()) {
        LogSlow(code, seconds);
      }
      if (write_ || code == grpc::StatusCode::UNAUTHENTICATED ||
          code == grpc::StatusCode::PERMISSION_DENIED) {
        LogAudit(code);
      }
    }
    methods->Proceed();
  }

 private:
  double Seconds() const {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
  }

  void LogSlow(int code, double seconds) {
    if (!LogEnabled(LogLevel::kWarn)) return;
    std::string json;
    bool truncated = false;
    {
      std::lock_guard lock(mu_);
      if (!request_ && request_raw_.Valid()) {
        std::vector<grpc::Slice> slices;
        if (request_raw_.Dump(&slices).ok()) {
          for (const grpc::Slice& slice : slices) {
            request_bytes_.append(reinterpret_cast<const char*>(slice.begin()), slice.size());
          }
          const google::protobuf::MethodDescriptor* m =
              google::protobuf::DescriptorPool::generated_pool()->FindMethodByName(
                  std::string("innograph.v1.GraphService.") + rpc_->method());
          request_type_ = m != nullptr ? m->input_type() : nullptr;
        }
      }
      if (!request_ && request_type_ != nullptr) {
        const Message* prototype =
            google::protobuf::MessageFactory::generated_factory()->GetPrototype(request_type_);
        std::unique_ptr<Message> decoded(prototype ? prototype->New() : nullptr);
        if (decoded && decoded->ParseFromString(request_bytes_)) {
          request_ = CopyForLog(*decoded, &request_trimmed_);
        }
      }
      if (request_) {
        google::protobuf::util::JsonPrintOptions options;
        (void)google::protobuf::util::MessageToJsonString(*request_, &json, options);
        truncated = request_trimmed_;
      }
    }
    if (json.size() > RpcInterceptorFactory::kSlowQueryRequestBytes) {
      json = std::string(TruncateUtf8(json, RpcInterceptorFactory::kSlowQueryRequestBytes));
      truncated = true;
    }
    std::string peer;
    if (grpc::ServerContextBase* ctx = info_->server_context()) peer = ctx->peer();
    LogWarn("slow query", {{"method", rpc_->method()},
                           {"code", StatusCodeName(code)},
                           {"ms", seconds * 1000},
                           {"peer", peer},
                           {"request", json},
                           {"request_truncated", truncated}});
  }

  void LogAudit(int code) {
    if (!LogEnabled(LogLevel::kInfo)) return;
    std::string who = "anonymous";
    std::string peer;
    if (grpc::ServerContextBase* ctx = info_->server_context()) {
      peer = ctx->peer();
      if (tokens_) {
        if (const TokenTable::Token* t = tokens_->FromAuthorization(AuthorizationOf(*ctx))) {
          who = t->name;
        }
      }
    }
    LogInfo("audit", {{"audit", true},
                      {"who", who},
                      {"method", rpc_->method()},
                      {"code", StatusCodeName(code)},
                      {"items", items_.load(std::memory_order_relaxed)},
                      {"peer", peer}});
  }

  grpc::experimental::ServerRpcInfo* const info_;
  Metrics::Rpc* const rpc_;
  const std::chrono::milliseconds slow_query_;
  const TokenTable* const tokens_;
  const bool write_;                // A write rpc: audited whatever its outcome.
  const bool light_;                // Served by LightRpcs: the received message is encoded.
  std::atomic<uint64_t> items_{0};  // Items received so far (write rpcs only).
  const std::chrono::steady_clock::time_point created_ = std::chrono::steady_clock::now();
  // Hook points of one call arrive one batch at a time, in order; only the request copy may be
  // touched by a reading and a writing thread of a bidirectional stream at once.
  std::chrono::steady_clock::time_point start_ = created_;
  bool started_ = false;
  bool finished_ = false;
  std::mutex mu_;
  // The request: encoded (small ones) or as a cut-down copy. Guarded by mu_.
  const google::protobuf::Descriptor* request_type_ = nullptr;
  std::string request_bytes_;
  grpc::ByteBuffer request_raw_;      // A light rpc's request as received.
  std::unique_ptr<Message> request_;  // Guarded by mu_.
  bool request_trimmed_ = false;      // Guarded by mu_.
};

}  // namespace

std::unique_ptr<Message> CopyForLog(const Message& from, bool* trimmed) {
  std::unique_ptr<Message> to(from.New());
  Copier copier;
  copier.Copy(from, to.get());
  *trimmed = copier.trimmed;
  return to;
}

grpc::experimental::Interceptor* RpcInterceptorFactory::CreateServerInterceptor(
    grpc::experimental::ServerRpcInfo* info) {
  Metrics::Rpc* rpc = metrics_.ForMethod(info->method());
  if (rpc == nullptr) return nullptr;  // Not a GraphService method.
  // A Watch stream lasts as long as its client wants: its duration is no query's slowness.
  const bool unbounded = rpc->method() == "Watch";
  return new RpcInterceptor(info, rpc, unbounded ? std::chrono::milliseconds(0) : slow_query_,
                            tokens_);
}

uint64_t AuditItems(const Message& request) {
  if (const auto* import = dynamic_cast<const v1::ImportRequest*>(&request)) {
    return import->has_lines() ? import->lines().lines_size() : 0;
  }
  const Reflection* r = request.GetReflection();
  std::vector<const FieldDescriptor*> fields;
  r->ListFields(request, &fields);
  uint64_t n = 0;
  for (const FieldDescriptor* f : fields) {
    if (f->is_repeated()) n += r->FieldSize(request, f);
  }
  return n;
}

}  // namespace innograph::server
