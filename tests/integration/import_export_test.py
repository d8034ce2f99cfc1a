"""Integration tests: bulk import and export through the real binaries.

`innograph import` (the client-streaming Import rpc into a running server), `innograph-server
import` (the offline path into a stopped store) and `innograph export` (every format), on the
demo data, on a real co-authorship network (netscience, from scripts/datasets.py) and on a
synthetic 10,000-edge set from innograph-generate. Exports are compared as multisets of lines
or rows: the order of an export is not part of its contract.

Run by hand: /usr/bin/python3 tests/integration/import_export_test.py -v
(CTest runs it with INNOGRAPH_SERVER_BIN, INNOGRAPH_CLI_BIN and INNOGRAPH_SOURCE_DIR set;
innograph-generate is taken from INNOGRAPH_GENERATE_BIN, else from the server's build tree.)
"""

import collections
import csv
import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import unittest
import xml.etree.ElementTree as ET

sys.dont_write_bytecode = True  # No __pycache__ in the source tree.
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402

GENERATE_BIN = os.environ.get(
    "INNOGRAPH_GENERATE_BIN",
    os.path.join(os.path.dirname(os.path.dirname(harness.SERVER_BIN)), "bench",
                 "innograph-generate"),
)
DATASETS_SCRIPT = os.path.join(harness.SOURCE_DIR, "scripts", "datasets.py")
ZOU = "person/zou-xuexiao"

# Exit codes: CLI (client/cli/main.cc) and offline import (server/main.cc).
EXIT_OK, EXIT_REJECTED = 0, 1

GRAPHML_NS = "{http://graphml.graphdrawing.org/xmlns}"
GEXF_NS = "{http://www.gexf.net/1.2draft}"

_workdir = None


def setUpModule():
    global _workdir
    _workdir = tempfile.mkdtemp(prefix="innograph-import-it-")


def tearDownModule():
    shutil.rmtree(_workdir, ignore_errors=True)


def workdir(*parts):
    """A path under this run's temporary directory (parent folders created)."""
    path = os.path.join(_workdir, *parts)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    return path


# --- Inputs ---------------------------------------------------------------------------------------

_synthetic = None


def synthetic_10k():
    """[nodes.csv, edges.csv] of `innograph-generate --seed 1 --edges 10000`, made once."""
    global _synthetic
    if _synthetic is None:
        if not os.path.exists(GENERATE_BIN):
            raise unittest.SkipTest("innograph-generate not built (%s); build the "
                                    "innograph-generate target" % GENERATE_BIN)
        out = workdir("synthetic-10k")
        os.makedirs(out, exist_ok=True)
        subprocess.run([GENERATE_BIN, "--seed", "1", "--edges", "10000", "--out", out],
                       check=True, capture_output=True, timeout=60)
        _synthetic = [os.path.join(out, "nodes.csv"), os.path.join(out, "edges.csv")]
    return _synthetic


_netscience = None


def netscience():
    """[nodes.csv, edges.csv] of M. Newman's netscience co-authorship network, written by
    scripts/datasets.py from python3-graph-tool; skips the test when graph_tool is missing."""
    global _netscience
    if _netscience is None:
        if importlib.util.find_spec("graph_tool") is None:
            raise unittest.SkipTest("graph_tool is not installed (apt install python3-graph-tool "
                                    "and run with /usr/bin/python3): no netscience network")
        out = workdir("datasets")
        subprocess.run([sys.executable, DATASETS_SCRIPT, "--out", out, "--networks",
                        "netscience"], check=True, capture_output=True, timeout=120)
        _netscience = [os.path.join(out, "netscience", "nodes.csv"),
                       os.path.join(out, "netscience", "edges.csv")]
    return _netscience


def csv_data_rows(path):
    """The data rows of a CSV import file (header and blank lines excluded)."""
    with open(path, encoding="utf-8", newline="") as f:
        return sum(1 for row in csv.reader(f) if row) - 1


def expected_counts(files):
    """(nodes, edges) read independently from import files (every row distinct)."""
    nodes = edges = 0
    for path in files:
        if path.endswith(".jsonl"):
            n, e = harness.read_jsonl_counts(path)
            nodes, edges = nodes + n, edges + e
        elif os.path.basename(path).startswith("edges"):
            edges += csv_data_rows(path)
        else:
            nodes += csv_data_rows(path)
    return nodes, edges


# --- The CLI and what it exports --------------------------------------------------------------


def cli(server, *args, timeout=harness.CLI_TIMEOUT_S):
    """`innograph --server ADDR ARGS...`: (returncode, stdout, stderr); output decoded with
    replacement, as a row with invalid UTF-8 may be echoed."""
    argv = [harness.CLI_BIN, "--server", server.address] + [str(a) for a in args]
    proc = subprocess.run(argv, stdin=subprocess.DEVNULL, capture_output=True, text=True,
                          errors="replace", env=harness.cli_env(), timeout=timeout)
    return proc.returncode, proc.stdout, proc.stderr


def cli_import(server, files, *flags):
    """`innograph import --json FILES... FLAGS...`: (returncode, ImportResponse as a dict,
    stderr). The response is printed even when rows were rejected (exit 1)."""
    rc, out, err = cli(server, "--json", "import", *files, *flags)
    report = json.loads(out) if out.strip() else None
    return rc, report, err


def import_ok(test, server, files):
    rc, report, err = cli_import(server, files)
    test.assertEqual(rc, EXIT_OK, "import %s: %s" % (files, err))
    test.assertEqual(int(report["rowsRejected"]), 0, report)
    return report


def stats(server):
    rc, out, err = cli(server, "--json", "stats")
    assert rc == 0, err
    return json.loads(out)


def counts(server):
    s = stats(server)
    return int(s["nodes"]), int(s["edges"])


_exports = 0


def export_file(test, server, fmt, *args):
    """Exports to a new file (a folder for csv) and returns its path."""
    global _exports
    _exports += 1
    out = workdir("exports", "%03d.%s" % (_exports, fmt))
    rc, _, err = cli(server, "export", "--format", fmt, "--out", out, "--timeout", "120", *args)
    test.assertEqual(rc, EXIT_OK, "export --format %s %s: %s" % (fmt, " ".join(args), err))
    return out


def jsonl_lines(path):
    """The records of a JSON Lines export as a multiset of canonical JSON texts."""
    out = collections.Counter()
    with open(path, encoding="utf-8") as f:
        for line in f:
            if line.strip():
                out[json.dumps(json.loads(line), sort_keys=True, ensure_ascii=False)] += 1
    return out


def csv_rows(path):
    """(header as a set, rows as a multiset of {column: value} items) of a CSV export."""
    with open(path, encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f)
        rows = collections.Counter(tuple(sorted(row.items())) for row in reader)
        return frozenset(reader.fieldnames or ()), rows


def csv_export(test, server):
    """An export as CSV: {"nodes": (header, rows), "edges": (header, rows)} and its folder."""
    folder = export_file(test, server, "csv")
    return {name: csv_rows(os.path.join(folder, name + ".csv"))
            for name in ("nodes", "edges")}, folder


def node_keys_of_jsonl_export(path):
    keys, edges = set(), []
    for text in jsonl_lines(path):
        record = json.loads(text)
        if "kind" in record:
            keys.add(record["key"])
        else:
            edges.append(record)
    return keys, edges


# --- Tests --------------------------------------------------------------------------------------


class ImportDemoDataTest(unittest.TestCase):
    """data/hunan/hunan.jsonl through `innograph import` into an empty server."""

    def test_counts_equal_the_file(self):
        nodes, edges = harness.read_jsonl_counts()
        with harness.Server() as server:
            self.assertEqual(counts(server), (0, 0))
            report = import_ok(self, server, [harness.HUNAN_JSONL])
            self.assertEqual(int(report["rowsRead"]), nodes + edges)
            self.assertEqual((int(report["nodesWritten"]), int(report["edgesWritten"])),
                             (nodes, edges))
            self.assertEqual(counts(server), (nodes, edges))

    def test_importing_again_changes_nothing(self):
        keys = [r["key"] for r in harness.read_jsonl_records() if "kind" in r]
        with harness.Server() as server:
            import_ok(self, server, [harness.HUNAN_JSONL])
            before = self._snapshot(server, keys)
            import_ok(self, server, [harness.HUNAN_JSONL])
            after = self._snapshot(server, keys)
        # Everything but the sequence number (an upsert of the same values may bump it).
        for name in before:
            self.assertEqual(before[name], after[name], "%s changed on re-import" % name)

    def _snapshot(self, server, keys):
        s = stats(server)
        rc, out, err = cli(server, "--json", "nodes", "get", *keys)
        self.assertEqual(rc, 0, err)
        node_ids = {n["key"]: n["id"] for n in json.loads(out)["nodes"]}
        self.assertEqual(len(node_ids), len(keys))
        # Expanding one hop from every node reads every edge once, with its id.
        rc, out, err = cli(server, "--json", "expand", *keys, "--depth", "1")
        self.assertEqual(rc, 0, err)
        edge_ids = {e["id"]: (e["type"], e["fromKey"], e["toKey"], e.get("validFrom", ""))
                    for e in json.loads(out)["edges"]}
        self.assertEqual(len(edge_ids), int(s["edges"]))
        return {
            "counts": (s["nodes"], s["edges"], s["nodesByKind"], s["edgesByType"]),
            "node ids": node_ids,
            "edge ids": edge_ids,
            "jsonl export": jsonl_lines(export_file(self, server, "jsonl")),
        }


class RoundTripTest(unittest.TestCase):
    """Export as JSON Lines and as CSV, import each into a fresh server, export again: the same
    node and edge records (and each path's export equals the other's)."""

    def round_trip(self, files):
        nodes, edges = expected_counts(files)
        with harness.Server() as first:
            import_ok(self, first, files)
            self.assertEqual(counts(first), (nodes, edges))
            jsonl1 = export_file(self, first, "jsonl")
            csv1, csv1_dir = csv_export(self, first)
        records1 = jsonl_lines(jsonl1)
        self.assertEqual(sum(records1.values()), nodes + edges)
        for name, count in (("nodes", nodes), ("edges", edges)):
            self.assertEqual(sum(csv1[name][1].values()), count, name)

        with harness.Server() as from_jsonl:
            import_ok(self, from_jsonl, [jsonl1])
            self.assertEqual(counts(from_jsonl), (nodes, edges))
            self.assertEqual(jsonl_lines(export_file(self, from_jsonl, "jsonl")), records1)
            self.assertEqual(csv_export(self, from_jsonl)[0], csv1)

        with harness.Server() as from_csv:
            import_ok(self, from_csv, [os.path.join(csv1_dir, "nodes.csv"),
                                       os.path.join(csv1_dir, "edges.csv")])
            self.assertEqual(counts(from_csv), (nodes, edges))
            self.assertEqual(csv_export(self, from_csv)[0], csv1)
            self.assertEqual(jsonl_lines(export_file(self, from_csv, "jsonl")), records1)

    def test_demo_data(self):
        self.round_trip([harness.HUNAN_JSONL])

    def test_netscience_coauthorship(self):
        self.round_trip(netscience())

    def test_synthetic_10000_edges(self):
        self.round_trip(synthetic_10k())


class OfflineEqualsOnlineTest(unittest.TestCase):
    """`innograph-server import` into a stopped store and `innograph import` into a running
    server leave the same graph."""

    def assert_same_graph(self, *imports):
        """Each of `imports` (a list of files) is one import, in order, on each path."""
        with harness.Server() as online:
            for files in imports:
                import_ok(self, online, files)
            want_jsonl = jsonl_lines(export_file(self, online, "jsonl"))
            want_csv = csv_export(self, online)[0]
            want_stats = stats(online)
        with harness.Server(start=False) as offline:
            for files in imports:
                rc, out, err = harness.run_offline_import(offline.data_dir, files)
                self.assertEqual(rc, EXIT_OK, out + err)
                self.assertIn(" 0 rejected", out)
            offline.start()
            got = stats(offline)
            for field in ("nodes", "edges", "nodesByKind", "edgesByType"):
                self.assertEqual(got[field], want_stats[field], field)
            self.assertEqual(jsonl_lines(export_file(self, offline, "jsonl")), want_jsonl)
            self.assertEqual(csv_export(self, offline)[0], want_csv)

    def test_synthetic_10000_edges(self):
        self.assert_same_graph(synthetic_10k())

    def test_demo_data(self):
        self.assert_same_graph([harness.HUNAN_JSONL])

    def test_into_a_store_that_has_data(self):
        # The second import meets a non-empty store (no bulk load offline).
        self.assert_same_graph([harness.HUNAN_JSONL], synthetic_10k())


class BulkEqualsOrdinaryTest(unittest.TestCase):
    """Into an empty server an import is bulk loaded (SST files); into one with data it goes
    through ordinary batches. With repeated rows (later ones update earlier ones) both leave the
    same graph."""

    def test_repeated_rows_update_alike_on_both_paths(self):
        nodes_csv, edges_csv = synthetic_10k()
        with open(edges_csv, encoding="utf-8", newline="") as f:
            rows = list(csv.reader(f))
        header, data = rows[0], rows[1:]
        weight = header.index("weight")
        # The first 3,000 rows again with another weight (an update of the same identity),
        # the first 500 a third time unchanged.
        again = [row[:weight] + [str(7)] + row[weight + 1:] for row in data[:3000]]
        edges = workdir("bulk-vs-ordinary", "edges.csv")
        with open(edges, "w", encoding="utf-8", newline="") as f:
            w = csv.writer(f, lineterminator="\n")
            w.writerow(header)
            w.writerows(data + again + data[:500])
        files = [nodes_csv, edges]
        extra = "topic/bulk-vs-ordinary"
        exports = []
        for seeded in (False, True):
            with harness.Server() as server:
                if seeded:
                    rc, _, err = cli(server, "nodes", "put", "--key", extra, "--kind", "Topic",
                                     "--name", "extra")
                    self.assertEqual(rc, EXIT_OK, err)
                report = import_ok(self, server, files)
                self.assertEqual(int(report["edgesWritten"]), len(data) + 3500)
                got, _ = csv_export(self, server)
                self.assertEqual(counts(server)[1], len(data))
            header_set, node_rows = got["nodes"]
            node_rows = collections.Counter(
                {row: n for row, n in node_rows.items() if ("key", extra) not in row})
            exports.append({"nodes": (header_set, node_rows), "edges": got["edges"]})
        self.assertEqual(exports[0]["edges"], exports[1]["edges"])
        self.assertEqual(exports[0]["nodes"][1], exports[1]["nodes"][1])
        # The updates took: rows 500 to 2,999 carry weight 7; the first 500 were loaded a third
        # time with their own weight, and the last row of an identity wins.
        _, edge_rows = exports[0]["edges"]
        sevens = sum(n for row, n in edge_rows.items() if float(dict(row)["weight"]) == 7)
        want = sum(1 for i, row in enumerate(data)
                   if 500 <= i < 3000 or float(row[weight] or 1) == 7)
        self.assertEqual(sevens, want)


class TopologyAfterImportTest(unittest.TestCase):
    """Traversals of a running server see the rows an import just wrote."""

    def test_neighbors_and_expand_see_new_edges_of_a_seeded_graph(self):
        path = workdir("topology", "new.jsonl")
        with open(path, "w", encoding="utf-8") as f:
            f.write('{"kind":"Person","key":"person/imp-topo","name":"Topology Probe"}\n')
            f.write('{"type":"COLLABORATES_WITH","from":"person/imp-topo","to":"%s",'
                    '"valid_from":"2024","weight":2}\n' % ZOU)
        records = harness.read_jsonl_records()
        with harness.Server(seed=harness.HUNAN_JSONL) as server:
            rc, out, err = cli(server, "--json", "neighbors", ZOU, "--all")
            self.assertEqual(rc, 0, err)
            self.assertNotIn("person/imp-topo",
                             {n["node"]["key"] for n in json.loads(out)["neighbors"]})
            import_ok(self, server, [path])

            rc, out, err = cli(server, "--json", "neighbors", ZOU, "--all")
            self.assertEqual(rc, 0, err)
            got = {(n["edge"]["type"], n["node"]["key"]) for n in json.loads(out)["neighbors"]}
            want = {("COLLABORATES_WITH", "person/imp-topo")}
            want |= demo_neighbours(records, ZOU)
            self.assertEqual(got, want)

            rc, out, err = cli(server, "--json", "expand", "person/imp-topo", "--depth", "2")
            self.assertEqual(rc, 0, err)
            answer = json.loads(out)
            hops = dict(zip((n["key"] for n in answer["nodes"]), answer["hops"]))
            self.assertEqual(hops.pop("person/imp-topo"), 0)
            self.assertEqual(hops.pop(ZOU), 1)
            self.assertEqual(set(hops), {k for _, k in demo_neighbours(records, ZOU)})
            self.assertEqual(set(hops.values()), {2})

    def test_neighbors_and_expand_match_the_imported_files(self):
        nodes_csv, edges_csv = synthetic_10k()
        adjacency = collections.defaultdict(collections.Counter)
        with open(edges_csv, encoding="utf-8", newline="") as f:
            for row in csv.DictReader(f):
                adjacency[row["from"]][(row["type"], row["to"])] += 1
                adjacency[row["to"]][(row["type"], row["from"])] += 1
        with harness.Server() as server:
            import_ok(self, server, [nodes_csv, edges_csv])
            # The hub (a tenth of all edges), an ordinary university, and the best-connected
            # person.
            person = max((k for k in adjacency if k.startswith("person/")),
                         key=lambda k: sum(adjacency[k].values()))
            for key in ("univ/000", "univ/001", person):
                rc, out, err = cli(server, "--json", "neighbors", key, "--all")
                self.assertEqual(rc, 0, err)
                got = collections.Counter((n["edge"]["type"], n["node"]["key"])
                                          for n in json.loads(out)["neighbors"])
                self.assertEqual(got, adjacency[key], key)

                rc, out, err = cli(server, "--json", "expand", key, "--depth", "2",
                                   "--count-only")
                self.assertEqual(rc, 0, err)
                self.assertEqual([int(c) for c in json.loads(out)["perHop"]],
                                 bfs_per_hop(adjacency, key, 2), key)


def demo_neighbours(records, key):
    """{(type, neighbour key)} of `key` in the demo data file, at any time."""
    out = set()
    for r in records:
        if "type" in r and key in (r["from"], r["to"]):
            out.add((r["type"], r["to"] if r["from"] == key else r["from"]))
    return out


def bfs_per_hop(adjacency, seed, depth):
    """Nodes first reached at each hop, 0..depth, ignoring direction."""
    seen, frontier, out = {seed}, [seed], [1]
    for _ in range(depth):
        nxt = []
        for u in frontier:
            for _, v in adjacency[u]:
                if v not in seen:
                    seen.add(v)
                    nxt.append(v)
        out.append(len(nxt))
        frontier = nxt
    return out


# Bad-row fixtures, one list per file: each line's raw bytes and, for a bad row, the substrings
# its message must contain (the field and the value; None for a good line). Errors name file
# lines, not row numbers: the JSON Lines file starts with a comment and a blank line.
MIXED_JSONL = [
    (b"// import test: good and bad rows", None),
    (b"", None),
    (b'{"kind":"Person","key":"person/imp-a","name":"Import A"}', None),
    (b'{"kind":"Person","key":"person/imp-b","name":"Import B"', ["JSON"]),  # truncated
    (b'{"kind":"Person","key":"person/imp-c","name":"Import C"}', None),
    (b'{"kind":"Wizard","key":"person/imp-w","name":"Wizard"}', ["kind", "Wizard"]),
    (b'{"kind":"Person","key":"person/imp-j",name:"no quotes"}', ["JSON"]),
    (b'{"type":"COLLABORATES_WITH","from":"person/imp-a","to":"person/imp-c",'
     b'"valid_from":"2020"}', None),
    (b'{"type":"COLLABORATES_WITH","from":"person/imp-a","to":"person/imp-nobody",'
     b'"valid_from":"2020"}', ["person/imp-nobody"]),
    (b'{"type":"COLLABORATES_WITH","from":"person/imp-c","to":"person/imp-a",'
     b'"valid_from":"2021-13-45"}', ["valid_from", "2021-13-45"]),
]
PEOPLE_CSV = [
    (b"key,kind,name,birth_year:int", None),
    (b"person/imp-d,Person,Import D,1970", None),
    (b"person/imp-e,Person,Import E,1971,extra", ["columns", "5", "4"]),
    (b"person/imp-f,Person,Import F,nineteen", ["birth_year", "nineteen"]),
    (b"person/imp-g,Person,Import G,1972", None),
]
EDGES_CSV = [
    (b"from,type,to,valid_from", None),
    (b"person/imp-d,COLLABORATES_WITH,person/imp-g,2019-02", None),
    (b"person/imp-g,COLLABORATES_WITH,person/imp-d,2019-02-30", ["valid_from", "2019-02-30"]),
]
UTF8_CSV = [
    (b"key,kind,name", None),
    (b"person/imp-h,Person,Import H", None),
    (b"person/imp-u,Person,Bad \xff\xfe name", ["name", "UTF-8"]),
    (b"person/imp-i,Person,Import I", None),
]
GOOD_NODES = {"person/imp-a", "person/imp-c", "person/imp-d", "person/imp-g"}
GOOD_EDGES = {("person/imp-a", "person/imp-c"), ("person/imp-d", "person/imp-g")}
UTF8_GOOD_NODES = {"person/imp-h", "person/imp-i"}
ALL_KEYS = sorted(GOOD_NODES | UTF8_GOOD_NODES | {
    "person/imp-b", "person/imp-w", "person/imp-j", "person/imp-e", "person/imp-f",
    "person/imp-u"})


class BadRowsTest(unittest.TestCase):
    """A file mixing good and bad rows, through both import paths, in every mode."""

    @classmethod
    def setUpClass(cls):
        cls.dir = workdir("bad-rows", "")
        cls.fixtures = {}  # basename -> [(line, raw, substrings)] of the bad rows
        for name, lines in (("mixed.jsonl", MIXED_JSONL), ("people.csv", PEOPLE_CSV),
                            ("edges.csv", EDGES_CSV), ("utf8.csv", UTF8_CSV)):
            with open(os.path.join(cls.dir, name), "wb") as f:
                f.write(b"\n".join(raw for raw, _ in lines) + b"\n")
            cls.fixtures[name] = [(i + 1, raw, want) for i, (raw, want) in enumerate(lines)
                                  if want]
        # The invalid UTF-8 row has a file of its own: see test_invalid_utf8_row_online.
        cls.files = [os.path.join(cls.dir, n) for n in ("mixed.jsonl", "people.csv", "edges.csv")]
        cls.files_utf8 = cls.files + [os.path.join(cls.dir, "utf8.csv")]

    def bad_rows(self, files):
        """[(basename, line, raw, substrings)] of the bad rows of `files`, in file order."""
        return [(os.path.basename(f), line, raw, want)
                for f in files for line, raw, want in self.fixtures[os.path.basename(f)]]

    def assert_reported(self, errors, files):
        """`errors` ([(file, line, message)]) name every bad row of `files`, in order, with the
        field and value in the message."""
        want = self.bad_rows(files)
        self.assertEqual([(os.path.basename(f), int(line)) for f, line, _ in errors],
                         [(f, line) for f, line, _, _ in want], errors)
        for (_, _, message), (f, line, _, substrings) in zip(errors, want):
            for s in substrings:
                self.assertIn(s, message, "%s:%d" % (f, line))

    def assert_rejects_file(self, path, files):
        with open(path, "rb") as f:
            self.assertEqual(f.read().splitlines(), [raw for _, _, raw, _ in self.bad_rows(files)])

    def store_keys(self, server):
        rc, out, err = cli(server, "--json", "nodes", "get", "--allow-missing", *ALL_KEYS)
        self.assertEqual(rc, 0, err)
        return {n["key"] for n in json.loads(out)["nodes"]}

    def store_edges(self, server):
        edges = set()
        for key in sorted(GOOD_NODES):
            rc, out, err = cli(server, "--json", "neighbors", key, "--all", "--direction", "out")
            if rc == 0:
                edges |= {(n["edge"]["fromKey"], n["edge"]["toKey"])
                          for n in json.loads(out)["neighbors"]}
        return edges

    @staticmethod
    def errors_of(report):
        return [(e["file"], e["line"], e["message"]) for e in report.get("errors", [])]

    @staticmethod
    def errors_on_stderr(text):
        out = []
        for line in text.splitlines():
            m = re.match(r"^(.+?):(\d+): (.*)$", line)
            if m and not line.startswith("innograph"):
                out.append((m.group(1), int(m.group(2)), m.group(3)))
        return out

    # Both paths load an empty store differently from one that has data (a bulk load of sorted
    # files instead of atomic batches): every mode is run on both. `prefilled` stores hold the
    # demo data first.

    STORES = (("empty store", False), ("store with data", True))

    def online_server(self, prefilled):
        return harness.Server(seed=harness.HUNAN_JSONL if prefilled else None)

    def offline_store(self, prefilled):
        """A stopped server whose store is empty or holds the demo data (imported offline)."""
        server = harness.Server(start=False)
        if prefilled:
            rc, out, err = harness.run_offline_import(server.data_dir, [harness.HUNAN_JSONL])
            self.assertEqual(rc, EXIT_OK, out + err)
        return server

    @staticmethod
    def base_counts(prefilled):
        return harness.read_jsonl_counts() if prefilled else (0, 0)

    def counts_added(self, server, prefilled):
        (n, e), (n0, e0) = counts(server), self.base_counts(prefilled)
        return n - n0, e - e0

    def assert_stopped_early(self, errors, rejected, reason, files):
        """A --max-errors 2 import that met more bad rows: it reports at least the first three,
        in file order, and says why it stopped."""
        self.assertRegex(reason, r"more than (--max-errors )?2\b")
        self.assertGreaterEqual(rejected, 3)
        want = self.bad_rows(files)[:len(errors)]
        self.assertEqual(len(errors), rejected)
        self.assertEqual([(os.path.basename(f), int(line)) for f, line, _ in errors],
                         [(f, line) for f, line, _, _ in want])

    # --- online: innograph import ------------------------------------------------------------

    def test_all_or_nothing_writes_nothing_and_reports_every_bad_row(self):
        for name, prefilled in self.STORES:
            with self.subTest(name), self.online_server(prefilled) as server:
                before = stats(server)["lastSequence"]
                rc, report, err = cli_import(server, self.files)
                self.assertEqual(rc, EXIT_REJECTED, err)
                self.assert_reported(self.errors_of(report), self.files)
                self.assertEqual(int(report["rowsRejected"]), len(self.bad_rows(self.files)))
                self.assertEqual((report["nodesWritten"], report["edgesWritten"]), ("0", "0"))
                for e in report["errors"]:
                    self.assertTrue(e["raw"], e)
                # The text form lists the same rows on stderr, file:line: message.
                rc, out, err = cli(server, "import", *self.files)
                self.assertEqual(rc, EXIT_REJECTED, err)
                self.assert_reported(self.errors_on_stderr(err), self.files)
                self.assertEqual(self.counts_added(server, prefilled), (0, 0))
                self.assertEqual(stats(server)["lastSequence"], before)

    def test_max_errors_writes_the_good_rows_and_rejects_the_bad(self):
        for name, prefilled in self.STORES:
            rejects = workdir("bad-rows", "online-rejects-%d.txt" % prefilled)
            with self.subTest(name), self.online_server(prefilled) as server:
                rc, report, err = cli_import(server, self.files, "--max-errors", "10",
                                             "--rejects", rejects)
                self.assertEqual(rc, EXIT_REJECTED, err)
                self.assertFalse(report["aborted"], report)
                self.assert_reported(self.errors_of(report), self.files)
                self.assertEqual((int(report["nodesWritten"]), int(report["edgesWritten"])),
                                 (len(GOOD_NODES), len(GOOD_EDGES)))
                self.assertEqual(self.store_keys(server), GOOD_NODES)
                self.assertEqual(self.store_edges(server), GOOD_EDGES)
                self.assertEqual(self.counts_added(server, prefilled),
                                 (len(GOOD_NODES), len(GOOD_EDGES)))
                self.assert_rejects_file(rejects, self.files)

    def test_max_errors_two_stops(self):
        for name, prefilled in self.STORES:
            rejects = workdir("bad-rows", "online-rejects-2-%d.txt" % prefilled)
            with self.subTest(name), self.online_server(prefilled) as server:
                rc, report, err = cli_import(server, self.files, "--max-errors", "2",
                                             "--rejects", rejects)
                self.assertEqual(rc, EXIT_REJECTED, err)
                self.assertTrue(report["aborted"], report)
                errors = self.errors_of(report)
                self.assert_stopped_early(errors, int(report["rowsRejected"]),
                                          report["abortReason"], self.files)
                # What the report says was written is what the store holds.
                self.assertEqual(self.counts_added(server, prefilled),
                                 (int(report["nodesWritten"]), int(report["edgesWritten"])))
                self.assertLessEqual(self.store_keys(server), GOOD_NODES)
                with open(rejects, "rb") as f:
                    self.assertEqual(f.read().splitlines(),
                                     [raw for _, _, raw, _ in self.bad_rows(self.files)
                                      [:len(errors)]])

    def test_dry_run_writes_nothing_and_reports(self):
        for name, prefilled in self.STORES:
            with self.subTest(name), self.online_server(prefilled) as server:
                before = stats(server)["lastSequence"]
                for flags in ([], ["--max-errors", "10"]):
                    rc, report, err = cli_import(server, self.files, "--dry-run", *flags)
                    self.assertEqual(rc, EXIT_REJECTED, err)
                    self.assert_reported(self.errors_of(report), self.files)
                    self.assertEqual((report["nodesWritten"], report["edgesWritten"]),
                                     ("0", "0"))
                rc, report, err = cli_import(server, [harness.HUNAN_JSONL], "--dry-run")
                self.assertEqual(rc, EXIT_OK, err)
                self.assertEqual(int(report["rowsRead"]), sum(harness.read_jsonl_counts()))
                self.assertEqual(self.counts_added(server, prefilled), (0, 0))
                self.assertEqual(stats(server)["lastSequence"], before)

    def test_invalid_utf8_row_online(self):
        """A row with invalid UTF-8 is a bad row like any other: reported with its file and
        line, and (all or nothing) nothing is written."""
        with harness.Server() as server:
            rc, report, err = cli_import(server, self.files_utf8)
            self.assertEqual(rc, EXIT_REJECTED, "exit %d, report %s\n%s" % (rc, report, err))
            self.assert_reported(self.errors_of(report), self.files_utf8)
            self.assertEqual(counts(server), (0, 0))
            rc, report, err = cli_import(server, self.files_utf8, "--max-errors", "10")
            self.assertEqual(rc, EXIT_REJECTED, err)
            self.assert_reported(self.errors_of(report), self.files_utf8)
            self.assertEqual(self.store_keys(server), GOOD_NODES | UTF8_GOOD_NODES)

    # --- offline: innograph-server import ----------------------------------------------------

    def offline(self, server, *flags, files=None):
        """Runs the offline import into `server`'s (stopped) store: (rc, stdout, [rows read,
        nodes written, edges written, rejected], [(file, line, message)])."""
        rc, out, err = harness.run_offline_import(server.data_dir, files or self.files_utf8,
                                                  flags)
        summary = re.search(r"import: (\d+) rows read, (\d+) nodes and (\d+) edges written, "
                            r"(\d+) rejected", out)
        self.assertIsNotNone(summary, out + err)
        return rc, out, [int(g) for g in summary.groups()], self.errors_on_stderr(err)

    def test_offline_all_or_nothing(self):
        for name, prefilled in self.STORES:
            with self.subTest(name), self.offline_store(prefilled) as server:
                rc, out, (_, nodes, edges, rejected), errors = self.offline(server)
                self.assertEqual(rc, EXIT_REJECTED, out)
                self.assert_reported(errors, self.files_utf8)
                self.assertEqual((nodes, edges, rejected),
                                 (0, 0, len(self.bad_rows(self.files_utf8))))
                server.start()
                self.assertEqual(self.counts_added(server, prefilled), (0, 0))

    def test_offline_max_errors_and_rejects(self):
        good = GOOD_NODES | UTF8_GOOD_NODES
        for name, prefilled in self.STORES:
            rejects = workdir("bad-rows", "offline-rejects-%d.txt" % prefilled)
            with self.subTest(name), self.offline_store(prefilled) as server:
                rc, out, (_, nodes, edges, _), errors = self.offline(
                    server, "--max-errors", "10", "--rejects", rejects)
                self.assertEqual(rc, EXIT_REJECTED, out)
                self.assert_reported(errors, self.files_utf8)
                self.assertEqual((nodes, edges), (len(good), len(GOOD_EDGES)))
                server.start()
                self.assertEqual(self.store_keys(server), good)
                self.assertEqual(self.store_edges(server), GOOD_EDGES)
                self.assertEqual(self.counts_added(server, prefilled),
                                 (len(good), len(GOOD_EDGES)))
                self.assert_rejects_file(rejects, self.files_utf8)

    def test_offline_max_errors_two_stops(self):
        for name, prefilled in self.STORES:
            with self.subTest(name), self.offline_store(prefilled) as server:
                rc, out, (_, nodes, edges, rejected), errors = self.offline(
                    server, "--max-errors", "2")
                self.assertEqual(rc, EXIT_REJECTED, out)
                self.assert_stopped_early(errors, rejected, out, self.files_utf8)
                # What the summary says was written is what the store holds.
                server.start()
                self.assertEqual(self.counts_added(server, prefilled), (nodes, edges))

    def test_offline_dry_run(self):
        for name, prefilled in self.STORES:
            with self.subTest(name), self.offline_store(prefilled) as server:
                rc, out, (_, nodes, edges, _), errors = self.offline(server, "--dry-run")
                self.assertEqual(rc, EXIT_REJECTED, out)
                self.assert_reported(errors, self.files_utf8)
                self.assertEqual((nodes, edges), (0, 0))
                rc, out, _, errors = self.offline(server, "--dry-run",
                                                  files=[harness.HUNAN_JSONL])
                self.assertEqual(rc, EXIT_OK, out)
                self.assertEqual(errors, [])
                server.start()
                self.assertEqual(self.counts_added(server, prefilled), (0, 0))

    def test_offline_and_online_report_the_same_rows(self):
        with harness.Server() as server:
            _, report, _ = cli_import(server, self.files)
        with harness.Server(start=False) as server:
            _, _, _, errors = self.offline(server, files=self.files)
        self.assertEqual([(os.path.basename(f), int(n), m) for f, n, m in errors],
                         [(f, int(n), m) for f, n, m in self.errors_of(report)])


class ExportFormatsTest(unittest.TestCase):
    """Every export format of the demo data parses with a standard reader."""

    @classmethod
    def setUpClass(cls):
        cls.server = harness.Server(seed=harness.HUNAN_JSONL)
        cls.records = harness.read_jsonl_records()
        cls.keys = {r["key"] for r in cls.records if "kind" in r}
        cls.edges = sum(1 for r in cls.records if "type" in r)

    @classmethod
    def tearDownClass(cls):
        cls.server.close()

    def test_graphml(self):
        root = ET.parse(export_file(self, self.server, "graphml")).getroot()
        self.assertEqual(root.tag, GRAPHML_NS + "graphml")
        self.assertEqual({n.get("id") for n in root.iter(GRAPHML_NS + "node")}, self.keys)
        self.assertEqual(len(list(root.iter(GRAPHML_NS + "node"))), len(self.keys))
        self.assertEqual(len(list(root.iter(GRAPHML_NS + "edge"))), self.edges)

    def test_gexf(self):
        root = ET.parse(export_file(self, self.server, "gexf")).getroot()
        self.assertEqual(root.tag, GEXF_NS + "gexf")
        self.assertEqual(len(list(root.iter(GEXF_NS + "node"))), len(self.keys))
        self.assertEqual(len(list(root.iter(GEXF_NS + "edge"))), self.edges)

    def test_cytoscape(self):
        with open(export_file(self, self.server, "cytoscape"), encoding="utf-8") as f:
            elements = json.load(f)["elements"]
        self.assertEqual({n["data"]["id"] for n in elements["nodes"]}, self.keys)
        self.assertEqual(len(elements["nodes"]), len(self.keys))
        self.assertEqual(len(elements["edges"]), self.edges)

    def test_dot(self):
        with open(export_file(self, self.server, "dot"), encoding="utf-8") as f:
            text = f.read()
        self.assertTrue(text.startswith("digraph"), text[:80])
        self.assertEqual(sum(1 for line in text.splitlines() if " -> " in line), self.edges)

    def test_subgraph_around_a_center_holds_it_and_its_neighbours_only(self):
        want = {ZOU} | {k for _, k in demo_neighbours(self.records, ZOU)}
        path = export_file(self, self.server, "jsonl", "--center", ZOU, "--radius", "1")
        keys, edges = node_keys_of_jsonl_export(path)
        self.assertEqual(keys, want)
        for e in edges:
            self.assertIn(e["from"], want, e)
            self.assertIn(e["to"], want, e)
        self.assertGreaterEqual(len(edges), len(want) - 1)  # every neighbour's edge to ZOU
        root = ET.parse(export_file(self, self.server, "graphml", "--center", ZOU,
                                    "--radius", "1")).getroot()
        self.assertEqual({n.get("id") for n in root.iter(GRAPHML_NS + "node")}, want)


if __name__ == "__main__":
    unittest.main()
