#pragma once

// ArenaAllocator: request and response of a callback-API unary call on one protobuf arena, so
// that building an answer of many nodes and edges is a few pointer bumps instead of a malloc
// and a free per string, map entry and sub-message. The first 8 KB live inside the holder.
//
// Thread safety: AllocateMessages may be called concurrently; each holder is used by one call.

#include "google/protobuf/arena.h"
#include "grpcpp/support/message_allocator.h"

namespace innograph::server {

template <typename Req, typename Resp>
class ArenaAllocator final : public grpc::MessageAllocator<Req, Resp> {
 public:
  grpc::MessageHolder<Req, Resp>* AllocateMessages() override { return new Holder(); }

 private:
  class Holder final : public grpc::MessageHolder<Req, Resp> {
   public:
    Holder() : arena_(Options(initial_)) {
      this->set_request(google::protobuf::Arena::CreateMessage<Req>(&arena_));
      this->set_response(google::protobuf::Arena::CreateMessage<Resp>(&arena_));
    }
    void Release() override { delete this; }

   private:
    static google::protobuf::ArenaOptions Options(char* block) {
      google::protobuf::ArenaOptions o;
      o.initial_block = block;
      o.initial_block_size = sizeof(initial_);
      return o;
    }
    alignas(8) char initial_[8192];
    google::protobuf::Arena arena_;  // After initial_, which it uses.
  };
};

}  // namespace innograph::server
