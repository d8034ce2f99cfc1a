"""Latency of common queries through gRPC on loopback against a running server (a first look;
the full suite against peers is future work). Medians and p99 of repeated calls.

Usage (with /usr/bin/python3):
  build/release/bench/innograph-generate --seed 1 --edges 1000000 --out /tmp/g
  build/release/server/innograph-server import --data-dir /tmp/d /tmp/g/nodes.csv /tmp/g/edges.csv
  build/release/server/innograph-server --data-dir /tmp/d --listen 127.0.0.1:50990 --http= &
  /usr/bin/python3 bench/query_latency.py 127.0.0.1:50990
"""

import os
import random
import statistics
import subprocess
import sys
import tempfile
import time

import grpc

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
STUBS = tempfile.mkdtemp(prefix="innograph-bench-stubs-")
subprocess.run(["/usr/bin/protoc", "-I", os.path.join(ROOT, "proto"), "--python_out=" + STUBS,
                "--grpc_python_out=" + STUBS,
                "--plugin=protoc-gen-grpc_python=/usr/bin/grpc_python_plugin",
                "innograph/v1/graph.proto"], check=True)
sys.path.insert(0, STUBS)
from innograph.v1 import graph_pb2 as pb  # noqa: E402
from innograph.v1 import graph_pb2_grpc as pb_grpc  # noqa: E402


def timed(call, n):
    times = []
    for i in range(n):
        t = time.perf_counter()
        call(i)
        times.append(time.perf_counter() - t)
    times.sort()
    return statistics.median(times) * 1e3, times[max(0, int(len(times) * 0.99) - 1)] * 1e3


def main():
    stub = pb_grpc.GraphServiceStub(grpc.insecure_channel(sys.argv[1] if len(sys.argv) > 1
                                                          else "127.0.0.1:50990"))
    rnd = random.Random(1)
    keys = ["person/%06d" % rnd.randrange(80000) for _ in range(200)]
    collab = pb.Filter(edge_types=["COLLABORATES_WITH"])

    def ref(i):
        return pb.NodeRef(key=keys[i % len(keys)])

    rows = [
        ("neighbors, 1 hop, limit 100 (full records)", 200,
         lambda i: stub.Neighbors(pb.NeighborsRequest(node=ref(i), limit=100, filter=collab))),
        ("expand, 2 hops, distinct count", 100,
         lambda i: stub.Expand(pb.ExpandRequest(seeds=[ref(i)], depth=2, count_only=True,
                                                filter=collab))),
        ("expand, 3 hops, distinct count", 50,
         lambda i: stub.Expand(pb.ExpandRequest(seeds=[ref(i)], depth=3, count_only=True,
                                                filter=collab))),
        ("shortest path, random pair", 100,
         lambda i: stub.ShortestPath(pb.ShortestPathRequest(
             **{"from": ref(i), "to": ref(i * 7 + 3)}, filter=collab))),
        ("PageRank, whole graph (call)", 5,
         lambda i: stub.Rank(pb.RankRequest(measure=pb.MEASURE_PAGERANK, top_k=5))),
    ]
    print("| query | calls | p50 ms | p99 ms |")
    print("|---|---:|---:|---:|")
    for name, n, call in rows:
        p50, p99 = timed(call, n)
        print("| %s | %d | %.3f | %.3f |" % (name, n, p50, p99))
    rank = stub.Rank(pb.RankRequest(measure=pb.MEASURE_PAGERANK, top_k=5))
    stats = stub.Stats(pb.StatsRequest())
    print("\nPageRank compute alone: %.3f s on %d nodes / %d merged edges; topology %.1f bytes/edge"
          % (rank.seconds, rank.graph_nodes, rank.graph_edges, stats.topology_bytes / stats.edges))


if __name__ == "__main__":
    main()
