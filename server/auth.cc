#include "server/auth.h"

#include <fstream>
#include <random>
#include <set>
#include <sstream>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"

namespace innograph::server {
namespace {

constexpr absl::string_view kWriteMethods[] = {"UpsertNodes", "UpsertEdges", "DeleteNodes",
                                               "DeleteEdges", "Import"};
constexpr absl::string_view kAdminMethods[] = {"Backup"};

bool IsAdminMethod(absl::string_view method) {
  for (absl::string_view m : kAdminMethods) {
    if (m == method) return true;
  }
  return false;
}

// Equal in time that depends only on the lengths, not on where the bytes differ.
bool ConstantTimeEquals(absl::string_view a, absl::string_view b) {
  unsigned char diff = a.size() == b.size() ? 0 : 1;
  const size_t n = std::max(a.size(), b.size());
  for (size_t i = 0; i < n; ++i) {
    const unsigned char x = i < a.size() ? a[i] : 0;
    const unsigned char y = i < b.size() ? b[i] : 0;
    diff |= x ^ y;
  }
  return diff == 0;
}

}  // namespace

bool ParseRole(absl::string_view s, Access* out) {
  if (s == "reader") {
    *out = Access::kRead;
  } else if (s == "writer") {
    *out = Access::kWrite;
  } else if (s == "admin") {
    *out = Access::kAdmin;
  } else {
    return false;
  }
  return true;
}

const char* RoleName(Access role) {
  switch (role) {
    case Access::kRead:
      return "reader";
    case Access::kWrite:
      return "writer";
    case Access::kAdmin:
      return "admin";
  }
  return "reader";
}

bool IsWriteMethod(absl::string_view method) {
  for (absl::string_view m : kWriteMethods) {
    if (m == method) return true;
  }
  return IsAdminMethod(method);
}

Access AccessFor(absl::string_view method) {
  if (IsAdminMethod(method)) return Access::kAdmin;
  return IsWriteMethod(method) ? Access::kWrite : Access::kRead;
}

absl::StatusOr<std::unique_ptr<TokenTable>> TokenTable::Load(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return absl::InvalidArgumentError(absl::StrCat("tokens file '", path, "': cannot read it"));
  }
  std::stringstream text;
  text << in.rdbuf();
  return Parse(text.str(), path);
}

absl::StatusOr<std::unique_ptr<TokenTable>> TokenTable::Parse(absl::string_view text,
                                                              const std::string& path) {
  auto table = std::make_unique<TokenTable>();
  std::set<std::string> names, secrets;
  int line_no = 0;
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    ++line_no;
    auto fail = [&](absl::string_view why) {
      return absl::InvalidArgumentError(
          absl::StrCat("tokens file '", path, "' line ", line_no, ": ", why));
    };
    if (const size_t hash = line.find('#'); hash != absl::string_view::npos) {
      line = line.substr(0, hash);
    }
    std::vector<absl::string_view> words =
        absl::StrSplit(line, absl::ByAnyChar(" \t\r"), absl::SkipEmpty());
    if (words.empty()) continue;
    if (words.size() != 3) {
      return fail(absl::StrCat("want `name role secret`, got ", words.size(), " words"));
    }
    Token token;
    token.name = std::string(words[0]);
    if (!ParseRole(words[1], &token.role)) {
      return fail(absl::StrCat("role '", words[1], "': want reader, writer or admin"));
    }
    token.secret = std::string(words[2]);
    if (token.secret.size() < kMinSecretBytes) {
      return fail(absl::StrCat("the secret of '", token.name, "' has ", token.secret.size(),
                               " characters; want at least ", kMinSecretBytes));
    }
    if (!names.insert(token.name).second) {
      return fail(absl::StrCat("name '", token.name, "' appears twice"));
    }
    if (!secrets.insert(token.secret).second) {
      return fail(absl::StrCat("the secret of '", token.name, "' is another token's too"));
    }
    table->Add(std::move(token));
  }
  if (table->size() == 0) {
    return absl::InvalidArgumentError(absl::StrCat("tokens file '", path, "' has no tokens"));
  }
  return table;
}

const TokenTable::Token* TokenTable::Find(absl::string_view secret) const {
  const Token* found = nullptr;
  for (const Token& t : tokens_) {
    // No early exit: every entry is compared.
    if (ConstantTimeEquals(t.secret, secret)) found = &t;
  }
  return found;
}

const TokenTable::Token* TokenTable::FromAuthorization(absl::string_view header) const {
  header = absl::StripAsciiWhitespace(header);
  if (header.size() < 7 || !absl::EqualsIgnoreCase(header.substr(0, 7), "bearer ")) {
    return nullptr;
  }
  absl::string_view secret = absl::StripAsciiWhitespace(header.substr(7));
  if (secret.empty()) return nullptr;
  return Find(secret);
}

grpc::Status TokenTable::Check(absl::string_view header, Access need, std::string* who) const {
  const Token* token = FromAuthorization(header);
  if (who) *who = token ? token->name : "anonymous";
  if (!token) {
    return grpc::Status(
        grpc::StatusCode::UNAUTHENTICATED,
        header.empty() ? "no credentials: send `authorization: Bearer <token>`" : "invalid token");
  }
  if (token->role < need) {
    return grpc::Status(grpc::StatusCode::PERMISSION_DENIED,
                        absl::StrCat("token '", token->name, "' has role ", RoleName(token->role),
                                     "; this call needs ", RoleName(need)));
  }
  return grpc::Status::OK;
}

std::string AuthorizationOf(const grpc::ServerContextBase& ctx) {
  const auto& md = ctx.client_metadata();
  auto it = md.find("authorization");
  if (it == md.end()) return "";
  return std::string(it->second.data(), it->second.size());
}

grpc::Status TokenTable::Authorize(const grpc::ServerContextBase& ctx, Access need,
                                   std::string* who) const {
  return Check(AuthorizationOf(ctx), need, who);
}

std::string RandomSecret() {
  std::random_device rd;
  std::string out;
  for (int i = 0; i < 4; ++i) absl::StrAppend(&out, absl::StrFormat("%08x", rd()));
  return out;
}

bool IsLoopbackHost(absl::string_view host) {
  if (absl::StartsWith(host, "[") && absl::EndsWith(host, "]")) {
    host = host.substr(1, host.size() - 2);
  }
  return host == "localhost" || host == "::1" || absl::StartsWith(host, "127.");
}

}  // namespace innograph::server
