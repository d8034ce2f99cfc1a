"""The change feed (Watch) against the real server: every change of a concurrent writer arrives
exactly once and in commit order, also across a resume and across a server restart; a resume from
before the retained history is FAILED_PRECONDITION; filters; a bulk load asks for a resync; the
`innograph watch` CLI.

Run: /usr/bin/python3 tests/integration/watch_test.py -v
"""

import atexit
import os
import shutil
import sys
import tempfile
import threading
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402

import grpc  # noqa: E402

_stubs = tempfile.mkdtemp(prefix="innograph-watch-stubs-")
atexit.register(shutil.rmtree, _stubs, True)
harness.generate_stubs(_stubs)
sys.path.insert(0, _stubs)
from innograph.v1 import graph_pb2 as pb  # noqa: E402
from innograph.v1 import graph_pb2_grpc as pb_grpc  # noqa: E402

TIMEOUT_S = 30


def person(key):
    return pb.Node(key=key, kind="Person", name=key)


class Feed:
    """Reads a Watch stream on a thread into a list until told to stop."""

    def __init__(self, stub, request):
        self.events = []
        self.error = None
        self._cond = threading.Condition()
        self._call = stub.Watch(request, timeout=120)
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self):
        try:
            for event in self._call:
                with self._cond:
                    self.events.append(event)
                    self._cond.notify_all()
        except grpc.RpcError as e:
            with self._cond:
                self.error = e
                self._cond.notify_all()

    def wait_for(self, predicate, timeout=TIMEOUT_S):
        with self._cond:
            ok = self._cond.wait_for(lambda: predicate(self.events) or self.error, timeout)
        return ok and not self.error

    def cancel(self):
        self._call.cancel()
        self._thread.join(10)


def upserted_keys(events):
    return [e.node_upserted.key for e in events if e.HasField("node_upserted")]


class WatchTest(unittest.TestCase):
    def setUp(self):
        self.server = harness.Server()
        self.addCleanup(self.server.close)
        self.connect()

    def connect(self):
        self.channel = grpc.insecure_channel(self.server.address)
        self.stub = pb_grpc.GraphServiceStub(self.channel)

    def write_nodes(self, keys):
        for k in keys:
            self.stub.UpsertNodes(pb.UpsertNodesRequest(nodes=[person(k)]), timeout=TIMEOUT_S)

    def test_a_concurrent_writer_is_seen_exactly_once_in_order(self):
        feed = Feed(self.stub, pb.WatchRequest())
        self.assertTrue(feed.wait_for(lambda ev: len(ev) >= 1), feed.error)
        self.assertEqual(feed.events[0].WhichOneof("event"), "started")
        keys = ["p/%03d" % i for i in range(200)]
        writer = threading.Thread(target=self.write_nodes, args=(keys,))
        writer.start()
        writer.join(60)
        self.assertTrue(feed.wait_for(lambda ev: len(upserted_keys(ev)) >= len(keys)), feed.error)
        feed.cancel()
        self.assertEqual(upserted_keys(feed.events), keys)  # Once each, in commit order.
        seqs = [e.sequence for e in feed.events[1:]]
        self.assertEqual(seqs, sorted(seqs))
        self.assertEqual(len(set(seqs)), len(seqs))  # One node per commit here.

    def test_resume_after_a_disconnect_and_after_a_restart_misses_nothing(self):
        feed = Feed(self.stub, pb.WatchRequest())
        self.assertTrue(feed.wait_for(lambda ev: len(ev) >= 1))
        self.write_nodes(["a/%02d" % i for i in range(30)])
        self.assertTrue(feed.wait_for(lambda ev: len(upserted_keys(ev)) >= 10))
        feed.cancel()
        seen = [e for e in feed.events if e.HasField("node_upserted")]
        last = max(e.sequence for e in seen if e.last_in_change)
        # Writes while nobody watches, then a restart of the server.
        self.write_nodes(["b/%02d" % i for i in range(20)])
        self.server.stop()
        self.server.restart()
        self.connect()
        self.write_nodes(["c/%02d" % i for i in range(10)])
        resumed = Feed(self.stub, pb.WatchRequest(start_after=last))
        want = ["a/%02d" % i for i in range(30)] + ["b/%02d" % i for i in range(20)] + [
            "c/%02d" % i for i in range(10)]
        before = upserted_keys([e for e in seen if e.sequence <= last])
        missing = len(want) - len(before)
        self.assertTrue(resumed.wait_for(lambda ev: len(upserted_keys(ev)) >= missing),
                        resumed.error)
        resumed.cancel()
        self.assertEqual(before + upserted_keys(resumed.events), want)

    def test_edges_and_deletes_are_reported_with_their_endpoints(self):
        self.stub.UpsertNodes(pb.UpsertNodesRequest(nodes=[
            person("p/x"), pb.Node(key="u/csu", kind="University", name="CSU")]))
        feed = Feed(self.stub, pb.WatchRequest())
        self.assertTrue(feed.wait_for(lambda ev: len(ev) >= 1))
        self.stub.UpsertEdges(pb.UpsertEdgesRequest(edges=[
            pb.Edge(type="EMPLOYED_BY", from_key="p/x", to_key="u/csu", valid_from="2001")]))
        self.stub.DeleteNodes(pb.DeleteNodesRequest(nodes=[pb.NodeRef(key="p/x")]))
        self.assertTrue(feed.wait_for(lambda ev: any(e.HasField("node_deleted") for e in ev)))
        feed.cancel()
        kinds = [e.WhichOneof("event") for e in feed.events[1:]]
        self.assertEqual(kinds, ["edge_upserted", "edge_deleted", "node_deleted"])
        up = feed.events[1]
        self.assertTrue(up.created)
        self.assertEqual((up.edge_upserted.from_key, up.edge_upserted.to_key), ("p/x", "u/csu"))
        self.assertEqual(up.edge_upserted.valid_from, "2001-01-01")
        self.assertEqual(feed.events[3].node_deleted.key, "p/x")
        self.assertTrue(feed.events[3].last_in_change)
        self.assertEqual(feed.events[2].sequence, feed.events[3].sequence)  # One commit.
        # Read again now that p/x is gone from the store: the events still name it.
        replay = Feed(self.stub, pb.WatchRequest(start_after=feed.events[0].sequence))
        self.assertTrue(replay.wait_for(lambda ev: len(ev) >= 4), replay.error)
        replay.cancel()
        for e in (replay.events[1].edge_upserted, replay.events[2].edge_deleted):
            self.assertEqual((e.from_key, e.to_key), ("p/x", "u/csu"))
        self.assertEqual(replay.events[3].node_deleted.key, "p/x")

    def test_filters_by_kind_and_type(self):
        feed = Feed(self.stub, pb.WatchRequest(node_kinds=["University"], edge_types=["HEADS"]))
        self.assertTrue(feed.wait_for(lambda ev: len(ev) >= 1))
        self.stub.UpsertNodes(pb.UpsertNodesRequest(nodes=[
            person("p/y"), pb.Node(key="u/hnu", kind="University", name="HNU")]))
        self.stub.UpsertEdges(pb.UpsertEdgesRequest(edges=[
            pb.Edge(type="EMPLOYED_BY", from_key="p/y", to_key="u/hnu"),
            pb.Edge(type="HEADS", from_key="p/y", to_key="u/hnu")]))
        self.assertTrue(feed.wait_for(lambda ev: any(e.HasField("edge_upserted") for e in ev)))
        feed.cancel()
        self.assertEqual(upserted_keys(feed.events), ["u/hnu"])
        types = [e.edge_upserted.type for e in feed.events if e.HasField("edge_upserted")]
        self.assertEqual(types, ["HEADS"])

    def test_bad_requests(self):
        with self.assertRaises(grpc.RpcError) as cm:
            list(self.stub.Watch(pb.WatchRequest(node_kinds=["Alien"]), timeout=10))
        self.assertEqual(cm.exception.code(), grpc.StatusCode.INVALID_ARGUMENT)
        self.assertIn("Alien", cm.exception.details())
        with self.assertRaises(grpc.RpcError) as cm:
            list(self.stub.Watch(pb.WatchRequest(start_after=10**9), timeout=10))
        self.assertEqual(cm.exception.code(), grpc.StatusCode.INVALID_ARGUMENT)

    def test_the_cli_follows_the_feed(self):
        self.write_nodes(["cli/1", "cli/2"])
        rc, out, err = self.server.cli("watch", "--from-oldest", "--limit", "2", "--for", "20")
        self.assertEqual(rc, 0, err)
        self.assertIn("cli/1", out)
        self.assertIn("cli/2", out)


class RetentionTest(unittest.TestCase):
    def test_a_resume_from_before_the_retained_history_must_resync(self):
        with harness.Server(extra_args=["--watch-retention", "5"]) as server:
            stub = pb_grpc.GraphServiceStub(grpc.insecure_channel(server.address))
            for i in range(1100):  # Trimming happens in steps of 1024 past the retention.
                stub.UpsertNodes(pb.UpsertNodesRequest(nodes=[person("r/%04d" % i)]))
            with self.assertRaises(grpc.RpcError) as cm:
                list(stub.Watch(pb.WatchRequest(start_after=1), timeout=10))
            self.assertEqual(cm.exception.code(), grpc.StatusCode.FAILED_PRECONDITION)
            self.assertIn("resync", cm.exception.details())
            # The retained tail is still readable.
            call = stub.Watch(pb.WatchRequest(start_after=1099), timeout=10)
            events = []
            for e in call:
                events.append(e)
                if e.HasField("node_upserted"):
                    break
            call.cancel()
            self.assertEqual(events[-1].node_upserted.key, "r/1099")


class BulkLoadTest(unittest.TestCase):
    def test_an_import_into_an_empty_server_asks_watchers_to_resync(self):
        with harness.Server() as server:
            stub = pb_grpc.GraphServiceStub(grpc.insecure_channel(server.address))
            feed = Feed(stub, pb.WatchRequest())
            self.assertTrue(feed.wait_for(lambda ev: len(ev) >= 1))
            rc, out, err = server.cli("import", harness.HUNAN_JSONL)
            self.assertEqual(rc, 0, err)
            self.assertTrue(feed.wait_for(lambda ev: any(e.HasField("resync") for e in ev)))
            feed.cancel()
            resync = [e.resync for e in feed.events if e.HasField("resync")][0]
            self.assertEqual((resync.nodes, resync.edges), harness.read_jsonl_counts())


if __name__ == "__main__":
    unittest.main()
