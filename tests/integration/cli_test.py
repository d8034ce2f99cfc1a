"""Integration tests: the real `innograph` CLI against the real innograph-server.

Run by hand: /usr/bin/python3 tests/integration/cli_test.py -v
(CTest runs it with INNOGRAPH_SERVER_BIN, INNOGRAPH_CLI_BIN and INNOGRAPH_SOURCE_DIR set.)
"""

import calendar
import collections
import os
import shutil
import signal
import sys
import tempfile
import unittest

sys.dont_write_bytecode = True  # No __pycache__ in the source tree.
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402

ZOU = "person/zou-xuexiao"

# CLI exit codes (client/cli/main.cc).
EXIT_OK, EXIT_REFUSED, EXIT_USAGE, EXIT_UNREACHABLE = 0, 1, 2, 3
# Server exit codes (server/main.cc).
SERVER_EXIT_USAGE, SERVER_EXIT_STORE, SERVER_EXIT_LISTEN = 2, 3, 4


# --- An independent reading of the demo data ----------------------------------------------------


def _as_start(text):
    """A YYYY / YYYY-MM / YYYY-MM-DD start date as the first day of its period."""
    parts = text.split("-")
    if len(parts) == 1:
        return "%s-01-01" % parts[0]
    if len(parts) == 2:
        return "%s-%s-01" % (parts[0], parts[1])
    return text


def _as_end(text):
    """A YYYY / YYYY-MM / YYYY-MM-DD end date as the last day of its period."""
    parts = text.split("-")
    if len(parts) == 1:
        return "%s-12-31" % parts[0]
    if len(parts) == 2:
        last = calendar.monthrange(int(parts[0]), int(parts[1]))[1]
        return "%s-%s-%02d" % (parts[0], parts[1], last)
    return text


def expected_neighbours(records, key, as_of=None, edge_type=None):
    """{(type, neighbour key)} of `key`'s edges in the data file, valid at `as_of`."""
    out = set()
    day = _as_start(as_of) if as_of else None
    for r in records:
        if "type" not in r or key not in (r["from"], r["to"]):
            continue
        if edge_type and r["type"] != edge_type:
            continue
        if day:
            if r.get("valid_from") and _as_start(r["valid_from"]) > day:
                continue
            if r.get("valid_to") and day > _as_end(r["valid_to"]):
                continue
        out.add((r["type"], r["to"] if r["from"] == key else r["from"]))
    return out


def stats_snapshot(server):
    """The counts and the last sequence number: anything written changes one of them."""
    rc, out, err, stats = server.cli("stats", json=True)
    assert rc == 0, err
    return {
        "nodes": stats["nodes"],
        "edges": stats["edges"],
        "nodes_by_kind": stats["nodesByKind"],
        "edges_by_type": stats["edgesByType"],
        "last_sequence": stats["lastSequence"],
    }


def neighbour_pairs(server, key, *flags):
    """{(edge type, neighbour key)} from `innograph --json neighbors KEY --all FLAGS...`."""
    rc, out, err, resp = server.cli("neighbors", key, "--all", *flags, json=True)
    if rc != 0:
        raise AssertionError("neighbors %s %s: exit %d: %s" % (key, flags, rc, err))
    return {(n["edge"]["type"], n["node"]["key"]) for n in resp["neighbors"]}


class CliTestCase(unittest.TestCase):
    def assertCli(self, result, code, *needles):
        """The CLI exited with `code` and its output (stdout + stderr) contains every needle."""
        rc, out, err = result[:3]
        self.assertEqual(rc, code, "exit %d, want %d\nstdout:\n%s\nstderr:\n%s"
                         % (rc, code, out, err))
        for needle in needles:
            self.assertIn(needle, out + err, "%r not in output\nstdout:\n%s\nstderr:\n%s"
                          % (needle, out, err))


# --- Reads of the seeded demo data -------------------------------------------------------------


class SeededReadTest(CliTestCase):
    """Read-only commands against a server seeded with data/hunan/hunan.jsonl."""

    @classmethod
    def setUpClass(cls):
        cls.records = harness.read_jsonl_records()
        cls.server = harness.Server(seed=harness.HUNAN_JSONL)

    @classmethod
    def tearDownClass(cls):
        cls.server.close()

    def test_nodes_get_shows_the_name(self):
        result = self.server.cli("nodes", "get", ZOU)
        self.assertCli(result, EXIT_OK, "邹学校", ZOU, "Person", "Zou Xuexiao")

    def test_nodes_get_by_id(self):
        rc, _, err, resp = self.server.cli("nodes", "get", ZOU, json=True)
        self.assertEqual(rc, 0, err)
        node_id = resp["nodes"][0]["id"]
        self.assertCli(self.server.cli("nodes", "get", "@%s" % node_id), EXIT_OK, "邹学校", ZOU)

    def test_nodes_get_json_parses(self):
        rc, out, err, resp = self.server.cli("nodes", "get", ZOU, json=True)
        self.assertEqual(rc, 0, err)
        self.assertEqual(len(resp["nodes"]), 1)
        node = resp["nodes"][0]
        self.assertEqual(node["key"], ZOU)
        self.assertEqual(node["name"], "邹学校")
        self.assertEqual(node["kind"], "Person")
        self.assertIn("Zou Xuexiao", node["aliases"])
        self.assertEqual(node["properties"]["field"], {"stringValue": "pepper breeding"})

    def test_nodes_get_missing(self):
        self.assertCli(self.server.cli("nodes", "get", "person/nobody"), EXIT_REFUSED,
                       "NOT_FOUND", "person/nobody")
        result = self.server.cli("nodes", "get", ZOU, "person/nobody", "--allow-missing")
        self.assertCli(result, EXIT_OK, "邹学校", "missing: person/nobody")

    def test_neighbors_by_type(self):
        result = self.server.cli("neighbors", ZOU, "--type", "HEADS")
        self.assertCli(result, EXIT_OK, "lab/yuelu-mountain", "univ/hunan-agricultural",
                       "inst/haas")
        self.assertEqual(neighbour_pairs(self.server, ZOU, "--type", "HEADS"),
                         expected_neighbours(self.records, ZOU, edge_type="HEADS"))

    def test_neighbors_all_edges_match_the_data_file(self):
        self.assertEqual(neighbour_pairs(self.server, ZOU), expected_neighbours(self.records, ZOU))
        self.assertEqual(neighbour_pairs(self.server, "lab/xiangjiang"),
                         expected_neighbours(self.records, "lab/xiangjiang"))

    def test_neighbors_as_of(self):
        # The data: HEADS inst/haas until 2018, HEADS univ/hunan-agricultural from 2018,
        # MEMBER_OF academy/cae from 2017, RECEIVED the award on 2023-02-24, the rest undated.
        in_2010 = neighbour_pairs(self.server, ZOU, "--as-of", "2010")
        in_2020 = neighbour_pairs(self.server, ZOU, "--as-of", "2020")
        self.assertIn(("HEADS", "inst/haas"), in_2010)
        self.assertNotIn(("HEADS", "univ/hunan-agricultural"), in_2010)
        self.assertNotIn(("MEMBER_OF", "academy/cae"), in_2010)
        self.assertNotIn(("HEADS", "inst/haas"), in_2020)
        self.assertIn(("HEADS", "univ/hunan-agricultural"), in_2020)
        self.assertIn(("MEMBER_OF", "academy/cae"), in_2020)
        for pairs in (in_2010, in_2020):
            self.assertIn(("HEADS", "lab/yuelu-mountain"), pairs)  # Undated: always valid.
            self.assertNotIn(("RECEIVED", "award/hunan-outstanding-contribution-2021"), pairs)
        for as_of in ("2010", "2020", "2018-12-31", "2019-01-01", "2023-02-23", "2023-02-24",
                      "2017", "2016-12"):
            with self.subTest(as_of=as_of):
                self.assertEqual(neighbour_pairs(self.server, ZOU, "--as-of", as_of),
                                 expected_neighbours(self.records, ZOU, as_of=as_of))

    def test_neighbors_text_lists_the_interval(self):
        result = self.server.cli("neighbors", ZOU, "--type", "HEADS", "--as-of", "2010")
        self.assertCli(result, EXIT_OK, "inst/haas", "2018-12-31")
        self.assertNotIn("univ/hunan-agricultural", result[1])

    def test_neighbors_paging(self):
        rc, _, err, first = self.server.cli("neighbors", ZOU, "--limit", "2", json=True)
        self.assertEqual(rc, 0, err)
        self.assertEqual(len(first["neighbors"]), 2)
        self.assertTrue(first["nextPageToken"])
        result = self.server.cli("neighbors", ZOU, "--limit", "2")
        self.assertCli(result, EXIT_OK, "--page-token")
        # --all follows the tokens and finds every edge once.
        rc, _, err, paged = self.server.cli("neighbors", ZOU, "--limit", "2", "--all", json=True)
        self.assertEqual(rc, 0, err)
        ids = [n["edge"]["id"] for n in paged["neighbors"]]
        self.assertEqual(len(ids), len(set(ids)))
        self.assertEqual(len(ids), len(expected_neighbours(self.records, ZOU)))

    def test_search_chinese_substring(self):
        rc, out, err, resp = self.server.cli("search", "实验室", "--limit", "100", json=True)
        self.assertEqual(rc, 0, err)
        want = {r["key"] for r in self.records
                if "kind" in r and any("实验室" in n for n in [r["name"]] + r.get("aliases", []))}
        self.assertIn("lab/yuelu-mountain", want)
        self.assertEqual({n["key"] for n in resp["nodes"]}, want)
        self.assertCli(self.server.cli("search", "实验室"), EXIT_OK, "岳麓山实验室", "湘江实验室")

    def test_search_english_alias_word(self):
        self.assertCli(self.server.cli("search", "xiangjiang"), EXIT_OK, "lab/xiangjiang",
                       "湘江实验室")
        rc, _, err, resp = self.server.cli("search", "xiangjiang", json=True)
        self.assertEqual(rc, 0, err)
        self.assertEqual([n["key"] for n in resp["nodes"]], ["lab/xiangjiang"])
        # Case-insensitive, and the kind filter applies.
        rc, _, err, resp = self.server.cli("search", "XIANGJIANG", "--kind", "Person", json=True)
        self.assertEqual(rc, 0, err)
        self.assertEqual(resp.get("nodes", []), [])

    def test_stats_match_the_data_file(self):
        nodes, edges = harness.read_jsonl_counts()
        result = self.server.cli("stats")
        self.assertCli(result, EXIT_OK, "%d nodes, %d edges" % (nodes, edges))
        rc, _, err, stats = self.server.cli("stats", json=True)
        self.assertEqual(rc, 0, err)
        self.assertEqual(int(stats["nodes"]), nodes)
        self.assertEqual(int(stats["edges"]), edges)
        kinds = collections.Counter(r["kind"] for r in self.records if "kind" in r)
        types = collections.Counter(r["type"] for r in self.records if "type" in r)
        got_kinds = {c["name"]: int(c["count"]) for c in stats["nodesByKind"] if int(c["count"])}
        got_types = {c["name"]: int(c["count"]) for c in stats["edgesByType"] if int(c["count"])}
        self.assertEqual(got_kinds, dict(kinds))
        self.assertEqual(got_types, dict(types))

    def test_schema(self):
        self.assertCli(self.server.cli("schema"), EXIT_OK, "Person", "EMPLOYED_BY", "RECEIVED")
        rc, _, err, resp = self.server.cli("schema", json=True)
        self.assertEqual(rc, 0, err)
        kinds = {k["name"] for k in resp["schema"]["nodeKinds"]}
        types = {t["name"]: t for t in resp["schema"]["edgeTypes"]}
        self.assertIn("Person", kinds)
        self.assertIn("University", kinds)
        self.assertIn("EMPLOYED_BY", types)
        self.assertEqual(types["EMPLOYED_BY"]["fromKinds"], ["Person"])
        self.assertIn("University", types["EMPLOYED_BY"]["toKinds"])
        self.assertEqual(types["RECEIVED"]["temporal"], "TEMPORAL_POINT")

    def test_edges_get(self):
        rc, _, err, resp = self.server.cli("neighbors", ZOU, "--type", "RECEIVED", json=True)
        self.assertEqual(rc, 0, err)
        edge_id = resp["neighbors"][0]["edge"]["id"]
        result = self.server.cli("edges", "get", edge_id)
        self.assertCli(result, EXIT_OK, ZOU, "RECEIVED",
                       "award/hunan-outstanding-contribution-2021", "2023-02-24")


# --- Writes --------------------------------------------------------------------------------------


class CliWriteTest(CliTestCase):
    """nodes put / edges put / nodes delete / edges delete, each on a fresh seeded server."""

    def setUp(self):
        self.server = harness.Server(seed=harness.HUNAN_JSONL)
        self.addCleanup(self.server.close)

    def put_node(self, key, kind, name, *extra):
        rc, out, err, resp = self.server.cli("nodes", "put", "--key", key, "--kind", kind,
                                             "--name", name, *extra, json=True)
        self.assertEqual(rc, 0, err)
        return int(resp["ids"][0]), int(resp["created"])

    def put_edge(self, *args):
        rc, out, err, resp = self.server.cli("edges", "put", *args, json=True)
        self.assertEqual(rc, 0, err)
        return resp["ids"][0], int(resp["created"])

    def test_nodes_put_creates_then_updates(self):
        before = stats_snapshot(self.server)
        result = self.server.cli("nodes", "put", "--key", "person/test-wang", "--kind", "Person",
                                 "--name", "王测试", "--alias", "Wang Ceshi",
                                 "--prop", "birth_year=1970", "--prop", "field=testing",
                                 "--source", "source/innograph-domain-hunan-facts#test row")
        self.assertCli(result, EXIT_OK, "created node person/test-wang")
        rc, _, err, resp = self.server.cli("nodes", "get", "person/test-wang", json=True)
        self.assertEqual(rc, 0, err)
        node = resp["nodes"][0]
        self.assertEqual(node["name"], "王测试")
        self.assertEqual(node["aliases"], ["Wang Ceshi"])
        self.assertEqual(node["properties"]["birth_year"], {"intValue": "1970"})
        self.assertEqual(node["properties"]["field"], {"stringValue": "testing"})
        self.assertEqual(node["sources"], [{"source": "source/innograph-domain-hunan-facts",
                                            "locator": "test row"}])
        self.assertEqual(int(stats_snapshot(self.server)["nodes"]), int(before["nodes"]) + 1)

        # Same key again: an update that replaces name, aliases and properties; same id.
        result = self.server.cli("nodes", "put", "--key", "person/test-wang", "--kind", "Person",
                                 "--name", "王测试二")
        self.assertCli(result, EXIT_OK, "updated node person/test-wang", "(id %s)" % node["id"])
        rc, _, err, resp = self.server.cli("nodes", "get", "person/test-wang", json=True)
        self.assertEqual(rc, 0, err)
        self.assertEqual(resp["nodes"][0]["name"], "王测试二")
        self.assertEqual(resp["nodes"][0]["aliases"], [])
        self.assertEqual(resp["nodes"][0]["properties"], {})
        self.assertEqual(int(stats_snapshot(self.server)["nodes"]), int(before["nodes"]) + 1)
        # The new name is searchable, the old alias no longer.
        self.assertCli(self.server.cli("search", "王测试二"), EXIT_OK, "person/test-wang")
        rc, _, err, resp = self.server.cli("search", "Ceshi", json=True)
        self.assertEqual(rc, 0, err)
        self.assertNotIn("person/test-wang", [n["key"] for n in resp["nodes"]])

    def test_edges_put_and_update_by_natural_identity(self):
        self.put_node("person/test-li", "Person", "李测试")
        edge_id, created = self.put_edge("--from", "person/test-li", "--type", "EMPLOYED_BY",
                                         "--to", "univ/csu", "--valid-from", "2020-03",
                                         "--prop", "role=professor")
        self.assertEqual(created, 1)
        self.assertIn(("EMPLOYED_BY", "person/test-li"),
                      neighbour_pairs(self.server, "univ/csu", "--direction", "in"))
        result = self.server.cli("edges", "get", edge_id)
        self.assertCli(result, EXIT_OK, "person/test-li", "EMPLOYED_BY", "univ/csu", "2020-03-01")
        # (from, type, to, valid_from) names the same edge: an update, not a second edge.
        again, created = self.put_edge("--from", "person/test-li", "--type", "EMPLOYED_BY",
                                       "--to", "univ/csu", "--valid-from", "2020-03-01",
                                       "--valid-to", "2022", "--prop", "role=dean")
        self.assertEqual(created, 0)
        self.assertEqual(again, edge_id)
        rc, _, err, resp = self.server.cli("edges", "get", edge_id, json=True)
        self.assertEqual(rc, 0, err)
        edge = resp["edges"][0]
        self.assertEqual(edge["validTo"], "2022-12-31")
        self.assertEqual(edge["properties"]["role"], {"stringValue": "dean"})
        # By @ID endpoints too.
        rc, _, err, resp = self.server.cli("nodes", "get", "person/test-li", "univ/csu", json=True)
        self.assertEqual(rc, 0, err)
        li, csu = (n["id"] for n in resp["nodes"])
        other, created = self.put_edge("--from", "@" + li, "--type", "AFFILIATED_WITH",
                                       "--to", "@" + csu)
        self.assertEqual(created, 1)
        self.assertNotEqual(other, edge_id)

    def test_nodes_delete_cascades_to_edges(self):
        self.put_node("person/test-zhao", "Person", "赵测试")
        edge_id, _ = self.put_edge("--from", "person/test-zhao", "--type", "HEADS",
                                   "--to", "lab/yuelu-mountain", "--prop", "post=deputy")
        self.assertIn(("HEADS", "person/test-zhao"),
                      neighbour_pairs(self.server, "lab/yuelu-mountain"))
        before = stats_snapshot(self.server)
        result = self.server.cli("nodes", "delete", "person/test-zhao")
        self.assertCli(result, EXIT_OK, "deleted 1 node(s) and 1 edge(s)")
        self.assertNotIn(("HEADS", "person/test-zhao"),
                         neighbour_pairs(self.server, "lab/yuelu-mountain"))
        self.assertIn(("HEADS", ZOU), neighbour_pairs(self.server, "lab/yuelu-mountain"))
        self.assertCli(self.server.cli("nodes", "get", "person/test-zhao"), EXIT_REFUSED,
                       "NOT_FOUND")
        self.assertCli(self.server.cli("edges", "get", edge_id), EXIT_REFUSED, "NOT_FOUND")
        after = stats_snapshot(self.server)
        self.assertEqual(int(after["nodes"]), int(before["nodes"]) - 1)
        self.assertEqual(int(after["edges"]), int(before["edges"]) - 1)
        # Deleting it again: NOT_FOUND, unless --allow-missing.
        self.assertCli(self.server.cli("nodes", "delete", "person/test-zhao"), EXIT_REFUSED,
                       "NOT_FOUND", "person/test-zhao")
        self.assertCli(self.server.cli("nodes", "delete", "person/test-zhao", "--allow-missing"),
                       EXIT_OK, "deleted 0 node(s)")

    def test_nodes_delete_seeded_node_removes_all_its_edges(self):
        records = harness.read_jsonl_records()
        zou_edges = len(expected_neighbours(records, ZOU))
        before = stats_snapshot(self.server)
        self.assertCli(self.server.cli("nodes", "delete", ZOU), EXIT_OK,
                       "deleted 1 node(s) and %d edge(s)" % zou_edges)
        self.assertNotIn(("HEADS", ZOU), neighbour_pairs(self.server, "lab/yuelu-mountain"))
        self.assertNotIn(("MEMBER_OF", ZOU), neighbour_pairs(self.server, "academy/cae"))
        after = stats_snapshot(self.server)
        self.assertEqual(int(after["edges"]), int(before["edges"]) - zou_edges)
        rc, _, err, resp = self.server.cli("search", "邹学校", json=True)
        self.assertEqual(rc, 0, err)
        self.assertEqual(resp.get("nodes", []), [])

    def test_edges_delete_by_id(self):
        edge_id, _ = self.put_edge("--from", "person/jiang-tao", "--type", "AFFILIATED_WITH",
                                   "--to", "lab/xiangjiang")
        self.assertIn(("AFFILIATED_WITH", "lab/xiangjiang"),
                      neighbour_pairs(self.server, "person/jiang-tao"))
        before = stats_snapshot(self.server)
        self.assertCli(self.server.cli("edges", "delete", edge_id), EXIT_OK, "deleted 1 edge(s)")
        self.assertNotIn(("AFFILIATED_WITH", "lab/xiangjiang"),
                         neighbour_pairs(self.server, "person/jiang-tao"))
        self.assertCli(self.server.cli("edges", "get", edge_id), EXIT_REFUSED, "NOT_FOUND")
        self.assertEqual(int(stats_snapshot(self.server)["edges"]), int(before["edges"]) - 1)
        # Both endpoints are still there.
        self.assertCli(self.server.cli("nodes", "get", "person/jiang-tao", "lab/xiangjiang"),
                       EXIT_OK)
        self.assertCli(self.server.cli("edges", "delete", edge_id), EXIT_REFUSED, "NOT_FOUND")
        self.assertCli(self.server.cli("edges", "delete", edge_id, "--allow-missing"), EXIT_OK,
                       "deleted 0 edge(s)")

    def test_edges_delete_by_key(self):
        edge_id, _ = self.put_edge("--from", "person/jiang-tao", "--type", "EDUCATED_AT",
                                   "--to", "univ/csu", "--key", "edu/jiang-tao-csu")
        self.assertCli(self.server.cli("edges", "delete", "--key", "edu/jiang-tao-csu"), EXIT_OK,
                       "deleted 1 edge(s)")
        self.assertCli(self.server.cli("edges", "get", edge_id), EXIT_REFUSED, "NOT_FOUND")


# --- Bad input -----------------------------------------------------------------------------------


class CliBadInputTest(CliTestCase):
    """Refused writes: exit 1 with a message naming the field and the value, nothing written."""

    @classmethod
    def setUpClass(cls):
        cls.server = harness.Server(seed=harness.HUNAN_JSONL)

    @classmethod
    def tearDownClass(cls):
        cls.server.close()

    def setUp(self):
        self.before = stats_snapshot(self.server)

    def tearDown(self):
        self.assertEqual(stats_snapshot(self.server), self.before,
                         "a refused write changed the store")

    def edge(self, frm, edge_type, to, *extra):
        return self.server.cli("edges", "put", "--from", frm, "--type", edge_type, "--to", to,
                               *extra)

    def test_unknown_node_kind(self):
        result = self.server.cli("nodes", "put", "--key", "planet/mars", "--kind", "Planet",
                                 "--name", "火星")
        self.assertCli(result, EXIT_REFUSED, "INVALID_ARGUMENT", "kind", "'Planet'")
        self.assertCli(self.server.cli("nodes", "get", "planet/mars"), EXIT_REFUSED, "NOT_FOUND")

    def test_unknown_edge_type(self):
        result = self.edge(ZOU, "LIKES", "univ/csu")
        self.assertCli(result, EXIT_REFUSED, "INVALID_ARGUMENT", "type", "'LIKES'")

    def test_endpoint_kind_breaks_the_schema(self):
        result = self.edge(ZOU, "RECEIVED", "univ/csu", "--valid-from", "2023-02-24")
        self.assertCli(result, EXIT_REFUSED, "FAILED_PRECONDITION", "RECEIVED", "'University'")
        result = self.edge("univ/csu", "EMPLOYED_BY", "univ/hnu")
        self.assertCli(result, EXIT_REFUSED, "FAILED_PRECONDITION", "EMPLOYED_BY", "'University'")

    def test_missing_endpoint(self):
        result = self.edge("person/nobody", "HEADS", "univ/csu")
        self.assertCli(result, EXIT_REFUSED, "NOT_FOUND", "from", "person/nobody")
        result = self.edge(ZOU, "HEADS", "univ/nowhere")
        self.assertCli(result, EXIT_REFUSED, "NOT_FOUND", "to", "univ/nowhere")

    def test_empty_key(self):
        # The CLI treats an empty required flag as missing and refuses locally (usage, exit 2).
        result = self.server.cli("nodes", "put", "--key", "", "--kind", "Person", "--name", "X")
        self.assertCli(result, EXIT_USAGE, "--key")

    def test_malformed_key(self):
        result = self.server.cli("nodes", "put", "--key", "person/bad key!", "--kind", "Person",
                                 "--name", "X")
        self.assertCli(result, EXIT_REFUSED, "INVALID_ARGUMENT", "key", "person/bad key!")

    def test_malformed_date(self):
        result = self.edge(ZOU, "HEADS", "univ/csu", "--valid-from", "2021-13-01")
        self.assertCli(result, EXIT_REFUSED, "INVALID_ARGUMENT", "valid_from", "2021-13-01")
        result = self.edge(ZOU, "HEADS", "univ/csu", "--valid-to", "2021-02-30")
        self.assertCli(result, EXIT_REFUSED, "INVALID_ARGUMENT", "valid_to", "2021-02-30")

    def test_valid_from_after_valid_to(self):
        result = self.edge(ZOU, "HEADS", "univ/csu", "--valid-from", "2021-06-01",
                           "--valid-to", "2020-06-01")
        self.assertCli(result, EXIT_REFUSED, "INVALID_ARGUMENT", "valid_from", "2021-06-01",
                       "2020-06-01")

    def test_wrong_property_type_date(self):
        # University.founded is a date; the CLI sends the text as a date and the server refuses.
        result = self.server.cli("nodes", "put", "--key", "univ/test-bad", "--kind", "University",
                                 "--name", "X", "--prop", "founded=notadate")
        self.assertCli(result, EXIT_REFUSED, "INVALID_ARGUMENT", "founded", "notadate")

    def test_wrong_property_type_int_refused_locally(self):
        # Person.birth_year is an int: the CLI types declared properties and refuses it itself.
        result = self.server.cli("nodes", "put", "--key", "person/test-bad", "--kind", "Person",
                                 "--name", "X", "--prop", "birth_year=abc")
        self.assertCli(result, EXIT_USAGE, "birth_year", "abc")

    def test_valid_to_on_a_point_type(self):
        result = self.edge(ZOU, "RECEIVED", "award/hunan-natural-science-2021",
                           "--valid-from", "2023-02-24", "--valid-to", "2023-12-31")
        self.assertCli(result, EXIT_REFUSED, "FAILED_PRECONDITION", "valid_to", "2023-12-31",
                       "RECEIVED")

    def test_bad_weight(self):
        result = self.edge(ZOU, "HEADS", "univ/csu", "--weight", "-1")
        self.assertCli(result, EXIT_REFUSED, "INVALID_ARGUMENT", "weight")

    def test_zero_weight(self):
        # The API: weight "must be finite and > 0"; the CLI sends an explicit 0.
        result = self.edge(ZOU, "HEADS", "univ/csu", "--weight", "0")
        self.assertCli(result, EXIT_REFUSED, "INVALID_ARGUMENT", "weight")

    def test_kind_cannot_change(self):
        result = self.server.cli("nodes", "put", "--key", ZOU, "--kind", "Topic", "--name", "邹学校")
        self.assertCli(result, EXIT_REFUSED, "FAILED_PRECONDITION", "kind")

    def test_bad_read_arguments(self):
        self.assertCli(self.server.cli("neighbors", ZOU, "--as-of", "2021-13"), EXIT_REFUSED,
                       "INVALID_ARGUMENT", "2021-13")
        self.assertCli(self.server.cli("neighbors", ZOU, "--type", "LIKES"), EXIT_REFUSED,
                       "INVALID_ARGUMENT", "LIKES")
        self.assertCli(self.server.cli("neighbors", "person/nobody"), EXIT_REFUSED, "NOT_FOUND")
        self.assertCli(self.server.cli("search", "x", "--kind", "Planet"), EXIT_REFUSED,
                       "INVALID_ARGUMENT", "Planet")
        self.assertCli(self.server.cli("search", "x", "--page-token", "garbage"), EXIT_REFUSED,
                       "INVALID_ARGUMENT")

    def test_usage_errors(self):
        self.assertCli(self.server.cli("frobnicate"), EXIT_USAGE, "unknown command")
        self.assertCli(self.server.cli("nodes", "get", ZOU, "--bogus"), EXIT_USAGE, "--bogus")
        self.assertCli(self.server.cli("edges", "put", "--type", "HEADS", "--to", "univ/csu"),
                       EXIT_USAGE, "--from")
        self.assertCli(self.server.cli("neighbors", ZOU, "--direction", "up"), EXIT_USAGE, "up")
        rc, _, _ = harness.run_cli([], env=harness.cli_env())
        self.assertEqual(rc, EXIT_USAGE)


# --- Durability ----------------------------------------------------------------------------------


class DurabilityTest(CliTestCase):
    """Every acknowledged write survives kill -9."""

    N = 50

    def write_and_crash(self, extra_args):
        server = harness.Server(extra_args=extra_args)
        self.addCleanup(server.close)
        node_ids = {}
        for i in range(self.N):
            key = "person/durable-%03d" % i
            rc, out, err, resp = server.cli("nodes", "put", "--key", key, "--kind", "Person",
                                            "--name", "持久%d" % i,
                                            "--prop", "birth_year=%d" % (1950 + i), json=True)
            self.assertEqual(rc, 0, "node %d not acknowledged: %s" % (i, err))
            node_ids[key] = resp["ids"][0]
        edge_ids = {}
        for i in range(self.N):
            frm, to = "person/durable-%03d" % i, "person/durable-%03d" % ((i + 1) % self.N)
            rc, out, err, resp = server.cli("edges", "put", "--from", frm, "--type", "ADVISED",
                                            "--to", to,
                                            "--valid-from", "2000-01-%02d" % (i % 28 + 1),
                                            json=True)
            self.assertEqual(rc, 0, "edge %d not acknowledged: %s" % (i, err))
            edge_ids[resp["ids"][0]] = (frm, to)
        self.assertEqual(server.kill9(), -signal.SIGKILL)
        server.restart()

        keys = sorted(node_ids)
        rc, _, err, resp = server.cli("nodes", "get", *keys, json=True)
        self.assertEqual(rc, 0, "after kill -9, nodes get: %s" % err)
        self.assertEqual([n["key"] for n in resp["nodes"]], keys)
        for n in resp["nodes"]:
            self.assertEqual(n["id"], node_ids[n["key"]])
            i = int(n["key"].rsplit("-", 1)[1])
            self.assertEqual(n["name"], "持久%d" % i)
            self.assertEqual(n["properties"]["birth_year"], {"intValue": str(1950 + i)})
        ids = sorted(edge_ids, key=int)
        rc, _, err, resp = server.cli("edges", "get", *ids, json=True)
        self.assertEqual(rc, 0, "after kill -9, edges get: %s" % err)
        self.assertEqual([e["id"] for e in resp["edges"]], ids)
        for e in resp["edges"]:
            self.assertEqual((e["fromKey"], e["toKey"]), edge_ids[e["id"]])
            self.assertEqual(e["type"], "ADVISED")
        stats = stats_snapshot(server)
        self.assertEqual((int(stats["nodes"]), int(stats["edges"])), (self.N, self.N))
        # The restarted store takes new writes, with fresh ids.
        rc, _, err, resp = server.cli("nodes", "put", "--key", "person/after", "--kind", "Person",
                                      "--name", "后", json=True)
        self.assertEqual(rc, 0, err)
        self.assertNotIn(resp["ids"][0], node_ids.values())
        rc, _, err, resp = server.cli("edges", "put", "--from", "person/after", "--type", "ADVISED",
                                      "--to", keys[0], json=True)
        self.assertEqual(rc, 0, err)
        self.assertNotIn(resp["ids"][0], edge_ids)

    def test_acknowledged_writes_survive_kill9(self):
        self.write_and_crash([])

    def test_acknowledged_writes_survive_kill9_without_sync(self):
        # --sync-writes=false: still durable against a crash of the process (not of the machine).
        self.write_and_crash(["--sync-writes=false"])


# --- Process lifecycle ---------------------------------------------------------------------------


class LifecycleTest(CliTestCase):

    def test_sigterm_is_graceful_and_data_survives(self):
        with harness.Server(seed=harness.HUNAN_JSONL) as server:
            before = stats_snapshot(server)
            self.assertCli(server.cli("nodes", "put", "--key", "topic/graceful", "--kind", "Topic",
                                      "--name", "优雅"), EXIT_OK)
            server.stop(signal.SIGTERM)  # Asserts exit code 0.
            self.assertIn("stopped", server.stdout())
            server.restart()
            # Restarting with --seed on a non-empty store does not seed again.
            # (The server logs "seeded the store" on stderr when it seeds.)
            self.assertNotIn("seeded", server.stdout() + server.stderr())
            self.assertCli(server.cli("nodes", "get", "topic/graceful"), EXIT_OK, "优雅")
            after = stats_snapshot(server)
            self.assertEqual(int(after["nodes"]), int(before["nodes"]) + 1)
            self.assertEqual(after["edges"], before["edges"])
            server.stop(signal.SIGINT)
            server.restart()
            self.assertCli(server.cli("nodes", "get", "topic/graceful", ZOU), EXIT_OK, "优雅",
                           "邹学校")

    def test_second_server_on_the_same_data_dir_exits_3(self):
        with harness.Server(seed=harness.HUNAN_JSONL) as server:
            rc, out, err = harness.run_server(
                ["--data-dir", server.data_dir, "--listen", "127.0.0.1:%d" % harness.free_port()])
            self.assertEqual(rc, SERVER_EXIT_STORE, "stdout:\n%s\nstderr:\n%s" % (out, err))
            self.assertIn("in use", err)
            self.assertIn(server.data_dir, err)
            # The first server is unharmed.
            self.assertCli(server.cli("nodes", "get", ZOU), EXIT_OK, "邹学校")
            server.stop()

    def test_second_server_on_a_taken_port_exits_4(self):
        other = tempfile.mkdtemp(prefix="innograph-it-other-")
        self.addCleanup(shutil.rmtree, other, True)
        with harness.Server() as server:
            rc, out, err = harness.run_server(["--data-dir", other, "--listen", server.address])
            self.assertEqual(rc, SERVER_EXIT_LISTEN, "stdout:\n%s\nstderr:\n%s" % (out, err))
            self.assertIn("cannot listen", err)
            self.assertIn(server.address, err)
            self.assertCli(server.cli("stats"), EXIT_OK)
            server.stop()

    def safe_args(self):
        """--data-dir and --listen of our own, so that a server that does start harms nothing."""
        data = tempfile.mkdtemp(prefix="innograph-it-usage-")
        self.addCleanup(shutil.rmtree, data, True)
        return ["--data-dir", data, "--listen", "127.0.0.1:%d" % harness.free_port()]

    def test_server_unknown_command_exits_2(self):
        rc, out, err = harness.run_server(self.safe_args() + ["frobnicate"])
        self.assertEqual(rc, SERVER_EXIT_USAGE, "stdout:\n%s\nstderr:\n%s" % (out, err))
        self.assertIn("frobnicate", err)

    def test_server_bad_flag_exits_2(self):
        # --help documents "2 usage"; a flag the parser refuses is a usage error too.
        for args in (["--no-such-flag"], ["--sync-writes=maybe"], ["--listen"]):
            with self.subTest(args=args):
                rc, out, err = harness.run_server(self.safe_args() + args)
                self.assertEqual(rc, SERVER_EXIT_USAGE, "innograph-server %s\nstdout:\n%s\n"
                                 "stderr:\n%s" % (" ".join(args), out, err))

    def test_server_malformed_listen_address_exits_4(self):
        data = tempfile.mkdtemp(prefix="innograph-it-listen-")
        self.addCleanup(shutil.rmtree, data, True)
        for listen in ("nonsense", "127.0.0.1:99999", "127.0.0.1:-1"):
            with self.subTest(listen=listen):
                rc, out, err = harness.run_server(["--data-dir", data, "--listen", listen])
                self.assertEqual(rc, SERVER_EXIT_LISTEN, "--listen %s (None: it listened)\n"
                                 "stdout:\n%s\nstderr:\n%s" % (listen, out, err))
                self.assertIn("cannot listen", err)

    def test_server_unusable_data_dir_exits_3(self):
        rc, out, err = harness.run_server(["--data-dir", "/proc/innograph-cannot-exist",
                                           "--listen", "127.0.0.1:%d" % harness.free_port()])
        self.assertEqual(rc, SERVER_EXIT_STORE, "stdout:\n%s\nstderr:\n%s" % (out, err))
        self.assertIn("/proc/innograph-cannot-exist", err)

    def test_unreachable_server(self):
        dead = "127.0.0.1:%d" % harness.free_port()
        rc, out, err = harness.run_cli(["--server", dead, "stats"], env=harness.cli_env())
        self.assertEqual(rc, EXIT_UNREACHABLE, err)
        self.assertIn("UNAVAILABLE", err)
        self.assertIn(dead, err)
        # The same through INNOGRAPH_SERVER.
        rc, out, err = harness.run_cli(["nodes", "get", ZOU],
                                       env=harness.cli_env(INNOGRAPH_SERVER=dead))
        self.assertEqual(rc, EXIT_UNREACHABLE, err)
        # And a server that went away.
        with harness.Server() as server:
            self.assertCli(server.cli("stats"), EXIT_OK)
            server.stop()
            self.assertCli(server.cli("stats"), EXIT_UNREACHABLE, "UNAVAILABLE")

    def test_innograph_server_env_var(self):
        with harness.Server(seed=harness.HUNAN_JSONL) as server:
            rc, out, err = harness.run_cli(["nodes", "get", ZOU],
                                           env=harness.cli_env(INNOGRAPH_SERVER=server.address))
            self.assertEqual(rc, 0, err)
            self.assertIn("邹学校", out)


if __name__ == "__main__":
    unittest.main()
