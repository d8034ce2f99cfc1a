#include "server/light_rpcs.h"

#include <unistd.h>

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/generic/generic_stub.h"
#include "grpcpp/security/credentials.h"
#include "grpcpp/security/server_credentials.h"
#include "grpcpp/server.h"
#include "grpcpp/server_builder.h"
#include "gtest/gtest.h"
#include "innograph/v1/graph.grpc.pb.h"
#include "server/health_service.h"
#include "server/limits.h"
#include "server/metrics.h"
#include "server/rpc_interceptor.h"

namespace innograph::server {
namespace {

using grpc::health::v1::HealthCheckRequest;
using grpc::health::v1::HealthCheckResponse;
using testing::HasSubstr;

// The real server stack on a loopback port: GraphServiceImpl and HealthService with their light
// rpcs on LightRpcs, the rest on the sync pool, and the metrics interceptor.
class LightRpcsTest : public testing::Test {
 protected:
  void SetUp() override {
    base_ =
        absl::StrCat(testing::TempDir(), "innograph_light_rpcs_test_",
                     testing::UnitTest::GetInstance()->current_test_info()->name(), "_", getpid());
    std::filesystem::remove_all(base_);
    GraphStore::Options options;
    options.sync_writes = false;
    auto s = GraphStore::Open(base_, options);
    ASSERT_TRUE(s.ok()) << s.status();
    store_ = std::move(*s);
    for (const char* key : {"person/a", "person/b", "person/c"}) {
      Node n;
      n.key = key;
      n.kind = store_->schema()->FindKind("Person")->id;
      n.name = std::string("Name of ") + key;
      ASSERT_TRUE(store_->UpsertNodes({n}).ok());
    }
    for (const char* to : {"person/b", "person/c"}) {
      EdgeWrite w;
      w.edge.type = store_->schema()->FindType("COLLABORATES_WITH")->id;
      w.edge.weight = 1;
      w.from_key = "person/a";
      w.to_key = to;
      auto r = store_->UpsertEdges({w});
      ASSERT_TRUE(r.ok()) << r.status();
      edges_.push_back(r->ids[0]);
    }
    auto t = Topology::Load(*store_);
    ASSERT_TRUE(t.ok()) << t.status();
    topology_ = std::move(*t);
    service_ = std::make_unique<GraphServiceImpl>(*store_, *topology_, QueryOptions());

    InstallParseErrorCapture();
    grpc::EnableDefaultHealthCheckService(false);
    grpc::ServerBuilder builder;
    int port = 0;
    builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &port);
    builder.RegisterService(service_.get());
    builder.RegisterService(&health_);
    std::vector<std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>> factories;
    factories.push_back(
        std::make_unique<RpcInterceptorFactory>(metrics_, std::chrono::milliseconds(1000)));
    builder.experimental().SetInterceptorCreators(std::move(factories));
    light_ = std::make_unique<LightRpcs>(*service_, health_, builder, 2);
    server_ = builder.BuildAndStart();
    ASSERT_NE(server_, nullptr);
    ASSERT_NE(port, 0);
    light_->Start();
    channel_ =
        grpc::CreateChannel(absl::StrCat("127.0.0.1:", port), grpc::InsecureChannelCredentials());
    stub_ = v1::GraphService::NewStub(channel_);
  }

  void TearDown() override {
    if (server_) {
      health_.Shutdown();
      server_->Shutdown();
      light_->Stop();
    }
    server_.reset();
    light_.reset();
    service_.reset();
    topology_.reset();
    store_.reset();
    std::filesystem::remove_all(base_);
  }

  // Calls `method` of GraphService with `bytes` as the request; the status.
  grpc::Status CallRaw(const std::string& method, const std::string& bytes) {
    grpc::GenericStub generic(channel_);
    grpc::Slice slice(bytes);
    grpc::ByteBuffer request(&slice, 1);
    grpc::ByteBuffer response;
    grpc::ClientContext ctx;
    grpc::CompletionQueue cq;
    auto call =
        generic.PrepareUnaryCall(&ctx, "/innograph.v1.GraphService/" + method, request, &cq);
    call->StartCall();
    grpc::Status status;
    call->Finish(&response, &status, this);
    void* tag = nullptr;
    bool ok = false;
    EXPECT_TRUE(cq.Next(&tag, &ok));
    cq.Shutdown();
    while (cq.Next(&tag, &ok)) {
    }
    return status;
  }

  std::string base_;
  std::unique_ptr<GraphStore> store_;
  std::unique_ptr<Topology> topology_;
  std::vector<uint64_t> edges_;
  Metrics metrics_;
  std::unique_ptr<GraphServiceImpl> service_;
  HealthService health_;
  std::unique_ptr<LightRpcs> light_;
  std::unique_ptr<grpc::Server> server_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<v1::GraphService::Stub> stub_;
};

TEST_F(LightRpcsTest, AnswersNeighborsGetNodesAndGetEdges) {
  {
    v1::NeighborsRequest req;
    req.mutable_node()->set_key("person/a");
    v1::NeighborsResponse resp;
    grpc::ClientContext ctx;
    ASSERT_TRUE(stub_->Neighbors(&ctx, req, &resp).ok());
    ASSERT_EQ(resp.neighbors_size(), 2);
    std::vector<std::string> keys;
    for (const v1::Neighbor& n : resp.neighbors()) {
      EXPECT_EQ(n.edge().from_key(), "person/a");
      EXPECT_EQ(n.direction(), v1::DIRECTION_OUT);
      keys.push_back(n.node().key());
    }
    EXPECT_THAT(keys, testing::UnorderedElementsAre("person/b", "person/c"));
  }
  {
    v1::GetNodesRequest req;
    req.add_nodes()->set_key("person/b");
    req.add_nodes()->set_key("person/none");
    req.set_allow_missing(true);
    v1::GetNodesResponse resp;
    grpc::ClientContext ctx;
    ASSERT_TRUE(stub_->GetNodes(&ctx, req, &resp).ok());
    ASSERT_EQ(resp.nodes_size(), 1);
    EXPECT_EQ(resp.nodes(0).name(), "Name of person/b");
    ASSERT_EQ(resp.missing_size(), 1);
    EXPECT_EQ(resp.missing(0).key(), "person/none");
  }
  {
    v1::GetEdgesRequest req;
    req.add_ids(edges_[1]);
    req.add_ids(999);
    v1::GetEdgesResponse resp;
    grpc::ClientContext ctx;
    const grpc::Status s = stub_->GetEdges(&ctx, req, &resp);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::NOT_FOUND);
    EXPECT_THAT(s.error_message(), HasSubstr("ids[1]"));
    req.set_allow_missing(true);
    grpc::ClientContext again;
    ASSERT_TRUE(stub_->GetEdges(&again, req, &resp).ok());
    ASSERT_EQ(resp.edges_size(), 1);
    EXPECT_EQ(resp.edges(0).to_key(), "person/c");
    EXPECT_THAT(resp.missing_ids(), testing::ElementsAre(999u));
  }
  // The interceptor saw every call, with its status.
  const std::string metrics = metrics_.Render();
  EXPECT_THAT(metrics,
              HasSubstr("innograph_rpc_requests_total{method=\"Neighbors\",code=\"OK\"} 1\n"));
  EXPECT_THAT(metrics,
              HasSubstr("innograph_rpc_requests_total{method=\"GetNodes\",code=\"OK\"} 1\n"));
  EXPECT_THAT(metrics,
              HasSubstr("innograph_rpc_requests_total{method=\"GetEdges\",code=\"OK\"} 1\n"));
  EXPECT_THAT(metrics, HasSubstr("innograph_rpc_requests_total{method=\"GetEdges\",code="
                                 "\"NOT_FOUND\"} 1\n"));
}

TEST_F(LightRpcsTest, ErrorsAreTheHandlersStatus) {
  v1::NeighborsRequest req;
  req.mutable_node()->set_key("person/none");
  v1::NeighborsResponse resp;
  grpc::ClientContext ctx;
  const grpc::Status s = stub_->Neighbors(&ctx, req, &resp);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_THAT(s.error_message(), HasSubstr("person/none"));
  // An empty request (no bytes at all) is a message with every field at its default.
  const grpc::Status empty = CallRaw("GetNodes", "");
  EXPECT_EQ(empty.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << empty.error_message();
  EXPECT_THAT(empty.error_message(), HasSubstr("nodes: empty"));
}

TEST_F(LightRpcsTest, UnparsableRequestsAreInvalidArgumentNamingTheField) {
  // NeighborsRequest{node: NodeRef{key: <invalid UTF-8>}}: field 1 holding field 1.
  const std::string bad_key = std::string("\x0a\x05\x0a\x03") + "a\xff" + "b";
  grpc::Status s = CallRaw("Neighbors", bad_key);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << s.error_message();
  EXPECT_THAT(s.error_message(), HasSubstr("innograph.v1.NodeRef.key"));
  EXPECT_THAT(s.error_message(), HasSubstr("UTF-8"));
  s = CallRaw("GetNodes", "\xff\xff\xff");
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << s.error_message();
  EXPECT_THAT(s.error_message(), HasSubstr("GetNodes"));
  EXPECT_THAT(metrics_.Render(), HasSubstr("innograph_rpc_requests_total{method=\"GetNodes\","
                                           "code=\"INVALID_ARGUMENT\"} 1\n"));
}

TEST_F(LightRpcsTest, HealthCheckServesUntilShutdown) {
  auto health = grpc::health::v1::Health::NewStub(channel_);
  HealthCheckRequest req;
  HealthCheckResponse resp;
  for (const char* service : {"", "innograph.v1.GraphService"}) {
    req.set_service(service);
    grpc::ClientContext ctx;
    ASSERT_TRUE(health->Check(&ctx, req, &resp).ok()) << service;
    EXPECT_EQ(resp.status(), HealthCheckResponse::SERVING) << service;
  }
  req.set_service("no.such.Service");
  {
    grpc::ClientContext ctx;
    EXPECT_EQ(health->Check(&ctx, req, &resp).error_code(), grpc::StatusCode::NOT_FOUND);
  }
  // A Watch sees SERVING, then NOT_SERVING when the server begins to shut down, and ends.
  req.set_service("");
  grpc::ClientContext watch_ctx;
  auto watch = health->Watch(&watch_ctx, req);
  ASSERT_TRUE(watch->Read(&resp));
  EXPECT_EQ(resp.status(), HealthCheckResponse::SERVING);
  health_.Shutdown();
  ASSERT_TRUE(watch->Read(&resp));
  EXPECT_EQ(resp.status(), HealthCheckResponse::NOT_SERVING);
  EXPECT_FALSE(watch->Read(&resp));
  EXPECT_TRUE(watch->Finish().ok());
  grpc::ClientContext ctx;
  ASSERT_TRUE(health->Check(&ctx, req, &resp).ok());
  EXPECT_EQ(resp.status(), HealthCheckResponse::NOT_SERVING);
}

}  // namespace
}  // namespace innograph::server
