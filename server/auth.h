#pragma once

// Access control of the GraphService: bearer tokens with roles.
//
// The tokens file (--tokens) holds one token per line, `name role secret`, separated by blanks:
//
//   # name   role    secret (at least 16 characters)
//   alice    admin   3f1c0d5e8a9b4c7d2e6f
//   etl      writer  9a8b7c6d5e4f3a2b1c0d
//   grafana  reader  0123456789abcdef0123
//
// '#' starts a comment; blank lines are ignored. Roles, each including the one before:
//   reader  every read rpc (lookups, traversals, analytics, Export, Watch) and GET /metrics;
//   writer  also the write rpcs: UpsertNodes, UpsertEdges, DeleteNodes, DeleteEdges, Import;
//   admin   also the admin rpcs: Backup.
//
// A caller presents `authorization: Bearer <secret>` as gRPC metadata, or the same HTTP header
// (the HTTP gateway forwards it as metadata on its in-process call, so one check serves both).
// Secrets are compared in constant time. Names and secrets must be unique.
//
// Thread safety: a TokenTable is immutable after Load; every method may be called concurrently.

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "grpcpp/server_context.h"
#include "grpcpp/support/status.h"

namespace innograph::server {

// What a call needs. Persisted nowhere; order matters (a role grants its level and below).
enum class Access { kRead = 0, kWrite = 1, kAdmin = 2 };

// "reader", "writer", "admin"; false for anything else.
bool ParseRole(absl::string_view s, Access* out);
const char* RoleName(Access role);

// The access a GraphService method needs ("UpsertNodes" -> kWrite, "Backup" -> kAdmin); kRead
// for the rest.
Access AccessFor(absl::string_view method);
// True for the write and admin rpcs, the ones the audit log records.
bool IsWriteMethod(absl::string_view method);

class TokenTable {
 public:
  struct Token {
    std::string name;
    Access role = Access::kRead;
    std::string secret;
  };
  static constexpr size_t kMinSecretBytes = 16;

  // Parses a tokens file. INVALID_ARGUMENT naming the file and the line for a line that is not
  // `name role secret`, an unknown role, a secret shorter than kMinSecretBytes or a duplicate
  // name or secret; for an unreadable file, naming the file.
  static absl::StatusOr<std::unique_ptr<TokenTable>> Load(const std::string& path);
  static absl::StatusOr<std::unique_ptr<TokenTable>> Parse(absl::string_view text,
                                                           const std::string& path);

  // Adds a token (used for the server's own internal calls). Not thread-safe: before serving.
  void Add(Token token) { tokens_.push_back(std::move(token)); }

  // The token whose secret is `secret`, or null. Takes the same time for every token table
  // entry whatever matches (no early exit, constant-time comparison).
  const Token* Find(absl::string_view secret) const;

  // The token named by an `authorization` value "Bearer <secret>"; null when absent or wrong.
  const Token* FromAuthorization(absl::string_view header) const;

  // OK when `header` (an authorization value, maybe empty) grants `need`; else
  // UNAUTHENTICATED (missing or unknown token) or PERMISSION_DENIED (role too low). `*who`
  // (may be null) gets the token's name, or "anonymous".
  grpc::Status Check(absl::string_view header, Access need, std::string* who) const;

  // Check() with the `authorization` metadata of a call.
  grpc::Status Authorize(const grpc::ServerContextBase& ctx, Access need,
                         std::string* who = nullptr) const;

  size_t size() const { return tokens_.size(); }

 private:
  std::vector<Token> tokens_;
};

// The `authorization` metadata value of a call; empty when there is none.
std::string AuthorizationOf(const grpc::ServerContextBase& ctx);

// A random secret of 32 hex characters (for internal tokens).
std::string RandomSecret();

// True when `host` (of HOST:PORT) can only be reached from this machine: localhost,
// 127.0.0.0/8, ::1.
bool IsLoopbackHost(absl::string_view host);

}  // namespace innograph::server
