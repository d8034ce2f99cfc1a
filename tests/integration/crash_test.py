"""Crash safety: a writer streams upserts and deletes while the real server is killed with SIGKILL
at random moments, many times. After every restart each acknowledged write is present, the write
that was in flight is either whole or absent (never half of a batch, never one direction of an
edge), and `innograph-server check` finds the store consistent.

Bounded: KILLS rounds of well under a second of writing each. Run:
  /usr/bin/python3 tests/integration/crash_test.py -v
"""

import atexit
import os
import random
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402

import grpc  # noqa: E402

_stubs = tempfile.mkdtemp(prefix="innograph-crash-stubs-")
atexit.register(shutil.rmtree, _stubs, True)
harness.generate_stubs(_stubs)
sys.path.insert(0, _stubs)
from innograph.v1 import graph_pb2 as pb  # noqa: E402
from innograph.v1 import graph_pb2_grpc as pb_grpc  # noqa: E402

KILLS = 12
SEED = 20261128


class Writer(threading.Thread):
    """Writes until the server dies: 3 new Person nodes in one call, 2 COLLABORATES_WITH edges
    between them in the next, and now and then the delete of an earlier node (with its edges).
    Records what was acknowledged and what was in flight when the server died."""

    def __init__(self, stub, rnd, first):
        super().__init__(daemon=True)
        self.stub, self.rnd, self.next = stub, rnd, first
        self.acked_nodes = []       # Keys of acknowledged node batches (each a list of 3).
        self.acked_edges = []       # (from, to) pairs acknowledged.
        self.acked_deletes = []     # Keys acknowledged deleted.
        self.in_flight = None       # ("nodes", keys) | ("edges", pairs) | ("delete", key).

    def run(self):
        try:
            while True:
                keys = ["c/%06d" % (self.next + i) for i in range(3)]
                self.next += 3
                self.in_flight = ("nodes", keys)
                self.stub.UpsertNodes(pb.UpsertNodesRequest(nodes=[
                    pb.Node(key=k, kind="Person", name=k) for k in keys]), timeout=5)
                self.acked_nodes.append(keys)
                pairs = [(keys[0], keys[1]), (keys[1], keys[2])]
                self.in_flight = ("edges", pairs)
                self.stub.UpsertEdges(pb.UpsertEdgesRequest(edges=[
                    pb.Edge(type="COLLABORATES_WITH", from_key=a, to_key=b, weight=2.0)
                    for a, b in pairs]), timeout=5)
                self.acked_edges.extend(pairs)
                if self.rnd.random() < 0.3 and len(self.acked_nodes) > 2:
                    victim = self.rnd.choice(self.acked_nodes[:-1])[2]
                    if victim not in self.acked_deletes:
                        self.in_flight = ("delete", victim)
                        self.stub.DeleteNodes(pb.DeleteNodesRequest(
                            nodes=[pb.NodeRef(key=victim)], allow_missing=True), timeout=5)
                        self.acked_deletes.append(victim)
                self.in_flight = None
        except grpc.RpcError:
            return  # The server was killed.


class CrashTest(unittest.TestCase):
    def test_acknowledged_writes_survive_sigkill(self):
        rnd = random.Random(SEED)
        server = harness.Server()
        self.addCleanup(server.close)
        acked_nodes, acked_edges, deleted = [], [], set()
        next_key = 0
        survived = 0
        for round_ in range(KILLS):
            stub = pb_grpc.GraphServiceStub(grpc.insecure_channel(server.address))
            writer = Writer(stub, rnd, next_key)
            writer.start()
            time.sleep(rnd.uniform(0.05, 0.6))
            server.kill9()
            writer.join(10)
            self.assertFalse(writer.is_alive(), "the writer did not notice the kill")
            next_key = writer.next
            acked_nodes += writer.acked_nodes
            acked_edges += writer.acked_edges
            deleted.update(writer.acked_deletes)

            server.restart()
            stub = pb_grpc.GraphServiceStub(grpc.insecure_channel(server.address))
            flight = writer.in_flight
            if flight and flight[0] == "delete":
                # A delete in flight may have been applied: then its node (and its edges) are
                # gone, and they must be gone entirely.
                if not self.present(stub, [flight[1]])[flight[1]]:
                    deleted.add(flight[1])
            present = self.present(stub, [k for batch in acked_nodes for k in batch])
            for batch in acked_nodes:
                for k in batch:
                    self.assertEqual(present[k], k not in deleted,
                                     "round %d: acknowledged node %s" % (round_, k))
            for a, b in acked_edges:
                if a in deleted or b in deleted:
                    continue
                self.assertTrue(self.linked(stub, a, b),
                                "round %d: acknowledged edge %s-%s lost" % (round_, a, b))
            if flight and flight[0] == "nodes":
                state = set(self.present(stub, flight[1]).values())
                self.assertEqual(len(state), 1, "round %d: half a node batch: %s" % (
                    round_, flight))
                if state == {True}:
                    acked_nodes.append(flight[1])
            elif flight and flight[0] == "edges":
                both = [self.linked(stub, a, b) for a, b in flight[1]]
                self.assertIn(both, ([True, True], [False, False]),
                              "round %d: half an edge batch" % round_)
                # Each edge is seen from both ends or from neither.
                for a, b in flight[1]:
                    self.assertEqual(self.linked(stub, a, b), self.linked(stub, b, a))
                if all(both):
                    acked_edges.extend(flight[1])
            survived += 1
        server.stop()
        proc = subprocess.run([harness.SERVER_BIN, "check", "--data-dir", server.data_dir],
                              capture_output=True, text=True, timeout=120)
        self.assertEqual(proc.returncode, 0, proc.stdout + proc.stderr)
        self.assertIn(" 0 problems", proc.stdout)
        print("\nsurvived %d SIGKILLs with %d acknowledged node batches and %d edges; check: %s"
              % (survived, len(acked_nodes), len(acked_edges), proc.stdout.strip()),
              file=sys.stderr)

    @staticmethod
    def present(stub, keys):
        resp = stub.GetNodes(pb.GetNodesRequest(nodes=[pb.NodeRef(key=k) for k in keys],
                                                allow_missing=True), timeout=10)
        found = {n.key for n in resp.nodes}
        return {k: k in found for k in keys}

    @staticmethod
    def linked(stub, a, b):
        resp = stub.Neighbors(pb.NeighborsRequest(node=pb.NodeRef(key=a), limit=1000,
                                                  filter=pb.Filter(
                                                      edge_types=["COLLABORATES_WITH"])),
                              timeout=10)
        return any(n.node.key == b for n in resp.neighbors)


if __name__ == "__main__":
    unittest.main()
