#!/usr/bin/python3
"""The benchmark suite: innograph against its peers on the same graphs, in one command.

For each graph of --sizes:
  1m, 10m   innograph-generate --seed 1 with 10^6 (10^7) edges (about 10^5 (10^6) nodes);
  1m-social innograph-generate --seed 1 --profile social with 10^6 edges: the same counts,
            kinds and types, power-law degrees without hubs (median 2-hop ball ~370 nodes,
            3-hop ~6,300, where 1m's are ~81,000 and the whole graph);
  condmat   M. Newman's cond-mat-2005 co-authorship network (python3-graph-tool's collection,
            written as import files by scripts/datasets.py);
  tiny      (--quick only) innograph-generate with 5,000 edges.
the suite
  1. samples the workload keys: --keys random nodes with at least one edge (seed 1); the same
     keys file drives every system;
  2. innograph: `innograph-server import` (offline, timed) into a fresh data directory, starts
     `innograph-server` on it (loopback, HTTP off; the default traversal limits raised to the
     caps, --default_edges_per_node and --default_max_visited, so that no answer is cut short
     and every system does the same work) and times process start to the first
     successful answer (cold start: the store is opened and the topology loaded from RocksDB;
     the OS page cache is warm), reads the server's RSS from /proc (per edge), runs the
     workloads through gRPC with innograph-load (C++, bench/load/) or, when that binary is not
     built, the Python client below (the table says which), then stops the server;
  3. the peers on the same CSV files, keys and queries (--peers):
       postgres  a private PostgreSQL (initdb into a temporary directory, loopback TCP, unix
                 socket in that directory), COPY + tables + indexes (timed, bench/sql/load.sql),
                 workloads with pgbench (client-side latency of every transaction, over TCP on
                 loopback), then stopped and removed, also on errors and Ctrl-C;
       kuzu      npm kuzu 0.11.3 in process, from Node.js (bench/kuzu/queries.js; no network
                 hop), installed on first use into ~/.cache/innograph-bench/kuzu (npm ci);
       networkx  PageRank over the whole graph with networkx and with igraph, in process;
  4. the import rates of 1m and 10m from bench/import_bench.py (offline and streaming
     import, Kùzu COPY when installed), --import-repeat runs each.
Workloads, as innograph-load defines them (bench/load/load.cc; every edge type, both
directions; bench/sql/*.sql and bench/kuzu/queries.js hold the peers' versions):
  floor      a call that does no graph work: the gRPC health check (innograph), SELECT 1
             (PostgreSQL), RETURN 1 (Kùzu): what one round trip costs each system
  neighbors  the neighbours of a random key (edge and neighbour record), at most 100
  khop2/3    the number of distinct nodes within 2 (3) hops, the start excluded
  subgraph   the 2-hop ego network of a key, nodes and edges streamed (innograph only)
  path       a shortest path between two random keys (at most 6 hops)
  pagerank   PageRank over the whole graph, top 10
  mixed      90% neighbors, 10% an upsert of one Person node (acknowledged = durable), with
             1, 8 and 32 concurrent clients
Before timing, the 2/3-hop counts and the path lengths from key i to key (7 i + 3) mod K of
the first --check keys are compared across every system and an independent igraph
computation; a mismatch fails the run.

Results: a Markdown report on stdout and in OUT/suite-<UTC>.md, everything in
OUT/suite-<UTC>.json (machine, versions, load average, every figure).

Usage (with /usr/bin/python3; build first: cmake --build build/release):
  /usr/bin/python3 bench/suite.py                       # --sizes 1m,1m-social, every peer
  /usr/bin/python3 bench/suite.py --sizes 1m,10m,condmat --duration 10
  /usr/bin/python3 bench/suite.py --quick               # the CI smoke run (ctest -R bench.smoke)
"""

import argparse
import concurrent.futures
import csv
import datetime
import glob
import hashlib
import json
import math
import os
import platform
import random
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time

sys.dont_write_bytecode = True
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BENCH = os.path.join(ROOT, "bench")
sys.path.insert(0, BENCH)
import import_bench  # noqa: E402  (machine description shared with the import benchmark)
SQL_DIR = os.path.join(BENCH, "sql")
KUZU_SRC = os.path.join(BENCH, "kuzu")
KUZU_CACHE = os.path.join(os.path.expanduser("~"), ".cache", "innograph-bench", "kuzu")
PYTHON = "/usr/bin/python3"
# Server flags of the benchmark server: the default traversal limits at their caps.
SERVER_FLAGS = ["--default_edges_per_node=10000000", "--default_max_visited=50000000"]
SIZES = {"tiny": 5000, "1m": 1000000, "1m-social": 1000000, "10m": 10000000, "condmat": None}
# innograph-generate --profile of the synthetic sizes (default: innovation).
PROFILE = {"1m-social": "social"}
PEERS = ("kuzu", "postgres", "networkx")
SINGLE = ("floor", "neighbors", "khop2", "khop3", "subgraph", "path", "pagerank")
LABEL = {
    "floor": "round-trip floor (no graph work)",
    "neighbors": "1-hop neighbours (limit 100)",
    "khop2": "2-hop distinct count",
    "khop3": "3-hop distinct count",
    "subgraph": "2-hop subgraph (nodes + edges)",
    "path": "shortest path, random pair",
    "pagerank": "PageRank, whole graph",
    "mixed": "mixed 90% read / 10% write",
}
SYSTEM_LABEL = {"innograph": "innograph (gRPC)", "kuzu": "Kùzu (in process)",
                "postgres": "PostgreSQL (pgbench, TCP)", "networkx": "networkx (in process)",
                "igraph": "igraph (in process)"}


def log(*args):
    print("[suite %s]" % time.strftime("%H:%M:%S"), *args, file=sys.stderr, flush=True)


class Failure(Exception):
    """A step failed: the run stops, cleans up and exits 1 with this message."""


# --- Cleanup: everything started is stopped, every temporary directory removed ------------------

_cleanups = []


def on_exit(fn):
    _cleanups.append(fn)
    return fn


def cleanup():
    while _cleanups:
        fn = _cleanups.pop()
        try:
            fn()
        except Exception as e:  # noqa: BLE001 (cleanup must go on)
            log("cleanup: %s" % e)


def _terminate(signum, _frame):
    raise KeyboardInterrupt("signal %d" % signum)


# --- Processes, machine ---------------------------------------------------------------------------


def run(argv, timeout=3600, env=None, cwd=None, check=True):
    proc = subprocess.run(argv, stdin=subprocess.DEVNULL, capture_output=True, text=True,
                          timeout=timeout, env=env, cwd=cwd)
    if check and proc.returncode != 0:
        raise Failure("%s: exit %d\n%s%s" % (" ".join(argv), proc.returncode, proc.stdout[-2000:],
                                             proc.stderr[-3000:]))
    return proc


def proc_status(pid, field):
    """A KiB figure (VmRSS, VmHWM) of /proc/PID/status."""
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return None


def machine():
    """import_bench's machine description, in the suite's field names."""
    m = import_bench.machine()
    return {"cpu": m["cpu"], "cores": m["nproc"], "ram_gib": m["ram_gib"], "kernel": m["kernel"],
            "os": m["os"], "python": platform.python_version()}


def read_edge_pairs(path):
    """The edges of an import CSV as (from, to) pairs of dense vertex numbers, and the key ->
    number map."""
    index, pairs = {}, []
    with open(path, encoding="utf-8", newline="") as f:
        r = csv.reader(f)
        h = next(r)
        ia, ib = h.index("from"), h.index("to")
        for row in r:
            if row:
                a = index.setdefault(row[ia], len(index))
                b = index.setdefault(row[ib], len(index))
                pairs.append((a, b))
    return index, pairs


def binary_id(path):
    """The build a run used: link time (UTC) and the first 16 hex digits of its SHA-256."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return {"path": path, "sha256": h.hexdigest()[:16],
            "mtime_utc": datetime.datetime.fromtimestamp(
                os.stat(path).st_mtime, datetime.timezone.utc).strftime("%Y-%m-%d %H:%M:%S")}


def free_port(first, last):
    """A loopback port of first..last that can be bound now, trying them from a random one."""
    span = list(range(first, last + 1))
    start = random.randrange(len(span))
    for port in span[start:] + span[:start]:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
            try:
                s.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise Failure("no free loopback port in %d-%d" % (first, last))


def percentile(sorted_values, p):
    """Nearest rank: the smallest value with at least p of the values at or below it."""
    if not sorted_values:
        return None
    return sorted_values[min(len(sorted_values) - 1, max(0, math.ceil(p * len(sorted_values)) - 1))]


def summary(workload, clients, seconds, lat_us, errors, codes):
    lat_us = sorted(lat_us)
    return {"workload": workload, "clients": clients, "duration_s": seconds, "calls": len(lat_us),
            "errors": errors, "error_codes": codes,
            "throughput_per_s": len(lat_us) / seconds if seconds > 0 else None,
            "p50_us": percentile(lat_us, 0.5), "p90_us": percentile(lat_us, 0.9),
            "p99_us": percentile(lat_us, 0.99), "max_us": lat_us[-1] if lat_us else None,
            "mean_us": statistics.fmean(lat_us) if lat_us else None}


# --- Graphs ---------------------------------------------------------------------------------------


def prepare_graph(name, args, tools):
    """Writes (or reuses) the import files of one graph: dict(name, nodes_csv, edges_csv, ...)."""
    out = os.path.join(args.work, "graph-" + name)
    nodes_csv, edges_csv = os.path.join(out, "nodes.csv"), os.path.join(out, "edges.csv")
    done = os.path.join(out, ".complete")
    if not os.path.exists(done):
        shutil.rmtree(out, ignore_errors=True)
        os.makedirs(out)
        if name == "condmat":
            tmp = os.path.join(out, "datasets")
            run([PYTHON, os.path.join(ROOT, "scripts", "datasets.py"), "--out", tmp,
                 "--networks", "cond-mat-2005"], timeout=1800)
            for f in ("nodes.csv", "edges.csv", "README.txt"):
                os.replace(os.path.join(tmp, "cond-mat-2005", f), os.path.join(out, f))
            shutil.rmtree(tmp)
        else:
            run([tools["generate"], "--seed", "1", "--edges", str(SIZES[name]), "--out", out]
                + (["--profile", PROFILE[name]] if name in PROFILE else []))
        open(done, "w").close()
    graph = {"name": name, "dir": out, "nodes_csv": nodes_csv, "edges_csv": edges_csv,
             "source": ("cond-mat-2005 (graph_tool.collection, scripts/datasets.py)"
                        if name == "condmat" else
                        "innograph-generate --seed 1 --edges %d%s" % (
                            SIZES[name],
                            " --profile " + PROFILE[name] if name in PROFILE else ""))}
    # One pass over the files: counts, the Kùzu copies (from/to first), the workload keys and
    # the edge lists the in-process peers and the cross-check read.
    kuzu_nodes = os.path.join(out, "kuzu-nodes.csv")
    kuzu_edges = os.path.join(out, "kuzu-edges.csv")
    nodes = 0
    with open(nodes_csv, encoding="utf-8", newline="") as f, \
            open(kuzu_nodes, "w", encoding="utf-8", newline="") as o:
        r = csv.reader(f)
        h = next(r)
        ik, ikind, iname = h.index("key"), h.index("kind"), h.index("name")
        w = csv.writer(o, lineterminator="\n")
        w.writerow(["key", "kind", "name"])
        for row in r:
            if row:
                w.writerow([row[ik], row[ikind], row[iname]])
                nodes += 1
    edges = 0
    ends = set()
    with open(edges_csv, encoding="utf-8", newline="") as f, \
            open(kuzu_edges, "w", encoding="utf-8", newline="") as o:
        r = csv.reader(f)
        h = next(r)
        ia, it, ib = h.index("from"), h.index("type"), h.index("to")
        iw = h.index("weight") if "weight" in h else None
        w = csv.writer(o, lineterminator="\n")
        w.writerow(["from", "to", "type", "weight"])
        for row in r:
            if not row:
                continue
            edges += 1
            w.writerow([row[ia], row[ib], row[it], row[iw] if iw is not None else ""])
            ends.add(row[ia])
            ends.add(row[ib])
    graph.update(nodes=nodes, edges=edges, kuzu_nodes=kuzu_nodes, kuzu_edges=kuzu_edges,
                 csv_bytes=os.path.getsize(nodes_csv) + os.path.getsize(edges_csv))
    keys = random.Random(1).sample(sorted(ends), min(args.keys, len(ends)))
    del ends
    graph["keys"] = keys
    graph["keys_file"] = os.path.join(out, "keys.txt")
    with open(graph["keys_file"], "w") as f:
        f.write("".join(k + "\n" for k in keys))
    graph["pairs"] = [(keys[i], keys[(7 * i + 3) % len(keys)]) for i in range(len(keys))]
    log("%s: %d nodes, %d edges, %d keys" % (name, nodes, edges, len(keys)))
    return graph


def reference_checks(graph, count):
    """2/3-hop counts and shortest-path hops of the first `count` keys, from igraph over the
    edges read straight from the CSV (independent of every system)."""
    import igraph

    index, pairs = read_edge_pairs(graph["edges_csv"])
    g = igraph.Graph(n=len(index), edges=pairs, directed=False)
    del pairs
    out = {"khop2": [], "khop3": [], "path": []}
    for i in range(count):
        v = index[graph["keys"][i]]
        out["khop2"].append(g.neighborhood_size(v, order=2) - 1)
        out["khop3"].append(g.neighborhood_size(v, order=3) - 1)
        a, b = graph["pairs"][i]
        d = g.distances(index[a], index[b])[0][0]
        out["path"].append(int(d) if d != float("inf") and d <= 6 else None)
    return out


# --- innograph ------------------------------------------------------------------------------------

_pb = None


def stubs(args):
    """The generated Python modules (graph_pb2, graph_pb2_grpc), made once per run."""
    global _pb
    if _pb is None:
        out = os.path.join(args.work, "stubs")
        os.makedirs(out, exist_ok=True)
        run(["/usr/bin/protoc", "-I", os.path.join(ROOT, "proto"), "--python_out=" + out,
             "--grpc_python_out=" + out,
             "--plugin=protoc-gen-grpc_python=/usr/bin/grpc_python_plugin",
             "innograph/v1/graph.proto"])
        sys.path.insert(0, out)
        from innograph.v1 import graph_pb2, graph_pb2_grpc  # noqa: PLC0415

        _pb = (graph_pb2, graph_pb2_grpc)
    return _pb


class InnographCalls:
    """The suite's workloads as gRPC calls (the Python client; innograph-load makes the same
    calls in C++)."""

    def __init__(self, args, address):
        import grpc  # noqa: PLC0415

        self.pb, pb_grpc = stubs(args)
        self.channel = grpc.insecure_channel(address)
        self.stub = pb_grpc.GraphServiceStub(self.channel)
        # Checks ask for the caps explicitly (the benchmark server has them as defaults).
        self.limits = self.pb.Limits(max_edges_per_node=10000000, max_visited=50000000)
        self.grpc = grpc

    def ref(self, key):
        return self.pb.NodeRef(key=key)

    def neighbors(self, key, timeout=60):
        return self.stub.Neighbors(self.pb.NeighborsRequest(node=self.ref(key), limit=100),
                                   timeout=timeout)

    def khop(self, key, depth):
        r = self.stub.Expand(self.pb.ExpandRequest(seeds=[self.ref(key)], depth=depth,
                                                   count_only=True, limits=self.limits),
                             timeout=600)
        if r.truncated:
            raise Failure("Expand of %s at depth %d was truncated (%s)" % (key, depth,
                                                                          list(r.limits_hit)))
        return sum(r.per_hop[1:])

    def path(self, a, b):
        r = self.stub.ShortestPath(self.pb.ShortestPathRequest(
            **{"from": self.ref(a), "to": self.ref(b)}, limits=self.limits, max_length=6),
            timeout=600)
        return len(r.paths[0].steps) if r.paths else None

    def subgraph(self, key):
        n = 0
        for chunk in self.stub.Subgraph(self.pb.SubgraphRequest(center=self.ref(key), radius=2),
                                        timeout=600):
            n += len(chunk.nodes)
        return n

    def health(self):
        # grpc.health.v1.Health/Check with an empty request (every service): an empty message
        # needs no generated code.
        return self.channel.unary_unary("/grpc.health.v1.Health/Check",
                                        request_serializer=lambda _: b"",
                                        response_deserializer=lambda b: b)(None, timeout=60)

    def pagerank(self):
        return self.stub.Rank(self.pb.RankRequest(measure=self.pb.MEASURE_PAGERANK, top_k=10),
                              timeout=600)

    def write(self, key, name):
        return self.stub.UpsertNodes(self.pb.UpsertNodesRequest(nodes=[self.pb.Node(
            key=key, kind="Person", name=name)]), timeout=60)

    def one(self, workload, i, keys, rnd, state):
        key = keys[i]
        other = keys[rnd.randrange(len(keys))]
        if workload == "floor":
            self.health()
        elif workload == "neighbors":
            self.neighbors(key)
        elif workload in ("khop2", "khop3"):
            self.khop(key, int(workload[-1]))
        elif workload == "path":
            self.path(key, other)
        elif workload == "subgraph":
            self.subgraph(key)
        elif workload == "pagerank":
            self.pagerank()
        elif workload == "mixed":
            if rnd.randrange(100) < 10:
                # Half new keys, half re-upserts of a key this client wrote before.
                if state["written"] and rnd.randrange(2) == 0:
                    n = rnd.randrange(state["written"])
                else:
                    n = state["written"]
                    state["written"] += 1
                self.write("load/py-%s-%d" % (state["client"], n), "Load %d" % n)
            else:
                self.neighbors(key)
        else:
            raise Failure("unknown workload %s" % workload)

    def close(self):
        self.channel.close()


def python_load(args, address, workload, clients, duration, warmup, keys):
    """The Python fallback of innograph-load: the same workloads and JSON, a thread per client."""
    calls = [InnographCalls(args, address) for _ in range(clients)]
    lat, codes, errors = [], {}, [0]
    lock = threading.Lock()
    start = time.perf_counter()
    warm_end, end = start + warmup, start + warmup + duration
    min_calls = 3 if workload == "pagerank" else 1

    def client(c):
        rnd = random.Random(c + 1)
        state = {"client": "%d-%d-%d" % (os.getpid(), clients, c), "written": 0}
        mine, measured = [], 0
        while True:
            t0 = time.perf_counter()
            if t0 >= end and (c != 0 or measured >= min_calls):
                break
            ok = True
            try:
                calls[c].one(workload, rnd.randrange(len(keys)), keys, rnd, state)
            except calls[c].grpc.RpcError as e:
                ok = False
                with lock:
                    codes[e.code().name] = codes.get(e.code().name, 0) + 1
            t1 = time.perf_counter()
            if t0 >= warm_end:
                measured += 1
                if ok:
                    mine.append((t1 - t0) * 1e6)
                else:
                    with lock:
                        errors[0] += 1
        with lock:
            lat.extend(mine)

    with concurrent.futures.ThreadPoolExecutor(clients) as pool:
        list(pool.map(client, range(clients)))
    seconds = time.perf_counter() - warm_end
    for c in calls:
        c.close()
    return summary(workload, clients, seconds, lat, errors[0], codes)


def find_load_binary(args):
    if args.load:
        return args.load
    for path in (os.path.join(args.build, "bench", "load", "innograph-load"),
                 os.path.join(args.build, "bench", "innograph-load")):
        if os.access(path, os.X_OK):
            return path
    return None


def load_run(args, tools, address, workload, clients, duration, warmup, graph):
    if not tools.get("load"):
        return python_load(args, address, workload, clients, duration, warmup, graph["keys"])
    for attempt in range(3):
        # The floor is the gRPC health check: a round trip through the same server, no graph work.
        argv = [tools["load"], "--server", address, "--workload",
                "health" if workload == "floor" else workload, "--clients",
                str(clients), "--duration", "%g" % duration, "--warmup", "%g" % warmup,
                "--keys", graph["keys_file"], "--seed", "1", "--json"]
        proc = run(argv, timeout=int(duration + warmup) + 900, check=False)
        lines = proc.stdout.strip().splitlines()
        result = json.loads(lines[-1]) if lines and lines[-1].startswith("{") else None
        # Exit 1 = no call completed inside the window (one call outlasts it, e.g. a 3-hop
        # count over 10^7 edges on a loaded machine): again with a window six times as long.
        if proc.returncode == 1 and result is not None and result["calls"] == 0 and attempt < 2:
            log("%s: no call completed in %g s; again with %g s" % (workload, duration,
                                                                  duration * 6))
            duration, warmup = duration * 6, 0
            continue
        if proc.returncode != 0 or result is None:
            raise Failure("%s: exit %d\n%s%s" % (" ".join(argv), proc.returncode,
                                                 proc.stdout[-2000:], proc.stderr[-2000:]))
        result["workload"] = workload  # The suite's name ("floor" runs "health").
        return result
    return result


class InnographServer:
    def __init__(self, args, tools, data_dir, port):
        self.binary, self.data_dir, self.last_port = tools["server"], data_dir, args.last_port
        self.set_port(port)
        self.proc = None
        self.log = os.path.join(os.path.dirname(data_dir), "server-%d.log" % port)
        on_exit(self.stop)

    def start(self, args, probe_key, timeout=900, retries=5):
        """Starts the process; returns seconds from the start to the first successful answer.
        Polls the port with plain TCP connects (every 2 ms), then asks a Neighbors call on a
        fresh channel, so that gRPC's reconnect backoff never adds to the figure."""
        host, port = self.address.rsplit(":", 1)
        with open(self.log, "ab") as logf:
            t0 = time.perf_counter()
            self.proc = subprocess.Popen(self.argv, stdin=subprocess.DEVNULL, stdout=logf,
                                         stderr=subprocess.STDOUT)
        while True:
            if self.proc.poll() is not None:
                if self.proc.returncode == 4 and retries > 0:
                    # The port was taken since it was picked: another one, from the start.
                    self.set_port(free_port(int(port) + 1, self.last_port))
                    return self.start(args, probe_key, timeout, retries - 1)
                with open(self.log, errors="replace") as f:
                    raise Failure("innograph-server exited with %d:\n%s" % (
                        self.proc.returncode, f.read()[-3000:]))
            if time.perf_counter() - t0 > timeout:
                raise Failure("innograph-server gave no answer within %d s" % timeout)
            try:
                socket.create_connection((host, int(port)), timeout=1).close()
            except OSError:
                time.sleep(0.002)
                continue
            calls = InnographCalls(args, self.address)
            try:
                calls.neighbors(probe_key, timeout=timeout)
                return time.perf_counter() - t0
            except calls.grpc.RpcError as e:
                if e.code() != calls.grpc.StatusCode.UNAVAILABLE:
                    raise Failure("first answer: %s %s" % (e.code(), e.details()))
                time.sleep(0.002)
            finally:
                calls.close()

    def set_port(self, port):
        self.argv = [self.binary, "--data-dir", self.data_dir, "--listen", "127.0.0.1:%d" % port,
                     "--http="] + SERVER_FLAGS
        self.address = "127.0.0.1:%d" % port

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=120)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None


def bench_innograph(args, tools, graph, scratch, port):
    res = {"driver": "innograph-load (C++, bench/load)" if tools.get("load")
           else "Python grpcio client (bench/suite.py; innograph-load not built)"}
    data_dir = os.path.join(scratch, "innograph-data")
    shutil.rmtree(data_dir, ignore_errors=True)
    t = time.perf_counter()
    out = run([tools["server"], "import", "--data-dir", data_dir, graph["nodes_csv"],
               graph["edges_csv"]], timeout=7200).stdout
    res["import_offline_s"] = time.perf_counter() - t
    m = re.search(r"(\d+) nodes and (\d+) edges written, (\d+) rejected", out)
    if not m or (int(m.group(1)), int(m.group(2))) != (graph["nodes"], graph["edges"]):
        raise Failure("innograph import wrote %s, want %d nodes and %d edges:\n%s" % (
            m.groups() if m else "?", graph["nodes"], graph["edges"], out[-2000:]))
    server = InnographServer(args, tools, data_dir, port)
    cold = []
    for attempt in range(args.cold_repeat):
        cold.append(server.start(args, graph["keys"][0]))
        if attempt + 1 < args.cold_repeat:
            server.stop()
    res["cold_start_runs_s"] = cold
    res["cold_start_s"] = statistics.median(cold)
    pid = server.proc.pid
    res["rss_after_load_kib"] = proc_status(pid, "VmRSS")
    res["rss_bytes_per_edge"] = res["rss_after_load_kib"] * 1024 / graph["edges"]
    calls = InnographCalls(args, server.address)
    stats = calls.stub.Stats(calls.pb.StatsRequest(), timeout=60)
    res["topology_bytes_per_edge"] = stats.topology_bytes / max(1, stats.edges)
    res["server_version"] = stats.server_version
    n = min(args.check, len(graph["keys"]))
    res["checks"] = {"khop2": [calls.khop(k, 2) for k in graph["keys"][:n]],
                     "khop3": [calls.khop(k, 3) for k in graph["keys"][:n]],
                     "path": [calls.path(a, b) for a, b in graph["pairs"][:n]]}
    rank = calls.pagerank()
    res["pagerank_compute_s"] = rank.seconds
    res["pagerank_graph"] = [rank.graph_nodes, rank.graph_edges]
    res["pagerank_top"] = [nd.node.key for nd in rank.nodes]
    calls.close()
    res["workloads"] = []
    for w in SINGLE:
        log("innograph %s" % w)
        res["workloads"].append(load_run(args, tools, server.address, w, 1, args.duration,
                                         0 if w == "pagerank" else args.warmup, graph))
    top = max(args.clients)
    if top > 1:  # Read throughput: the 1-hop target is stated at 32 concurrent clients.
        log("innograph neighbors x%d" % top)
        res["workloads"].append(load_run(args, tools, server.address, "neighbors", top,
                                         args.duration, args.warmup, graph))
    for c in args.clients:
        log("innograph mixed x%d" % c)
        res["workloads"].append(load_run(args, tools, server.address, "mixed", c, args.duration,
                                         args.warmup, graph))
    res["rss_peak_kib"] = proc_status(pid, "VmHWM")
    server.stop()
    shutil.rmtree(data_dir, ignore_errors=True)
    return res


# --- PostgreSQL -----------------------------------------------------------------------------------


def pg_bin():
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"))
    return os.path.dirname(found[-1]) if found else None


class Postgres:
    """A private PostgreSQL: initdb into `root`, loopback TCP on `port`, socket in `root`."""

    def __init__(self, bindir, port):
        self.bin = bindir
        # Its own directory under /tmp: the server's user must be able to reach it.
        self.root = tempfile.mkdtemp(prefix="innograph-suite-pg-")
        # PostgreSQL refuses to run as root: then the server runs as the postgres user.
        self.as_user = []
        if os.geteuid() == 0:
            import pwd  # noqa: PLC0415

            user = pwd.getpwnam("postgres")
            os.chown(self.root, user.pw_uid, user.pw_gid)
            self.as_user = ["runuser", "-u", "postgres", "--"]
        self.data = os.path.join(self.root, "data")
        self.port = port
        self.started = False
        on_exit(self.destroy)

    def tool(self, name):
        return os.path.join(self.bin, name)

    def start(self):
        run(self.as_user + [self.tool("initdb"), "-D", self.data, "-U", "bench", "-A", "trust",
                            "-E", "UTF8", "--locale=C", "--no-sync"])
        opts = ("-p %d -k %s -c listen_addresses=127.0.0.1 -c max_connections=100 "
                "-c shared_buffers=1GB -c work_mem=64MB -c maintenance_work_mem=512MB "
                "-c max_wal_size=4GB -c log_min_messages=warning" % (self.port, self.root))
        run(self.as_user + [self.tool("pg_ctl"), "-D", self.data, "-o", opts, "-l",
             os.path.join(self.root, "server.log"), "-w", "-t", "120", "start"], timeout=180)
        self.started = True
        run([self.tool("createdb"), "-h", "127.0.0.1", "-p", str(self.port), "-U", "bench",
             "bench"])

    def psql(self, *extra, timeout=7200):
        return run([self.tool("psql"), "-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", "127.0.0.1",
                    "-p", str(self.port), "-U", "bench", "-d", "bench"] + list(extra),
                   timeout=timeout).stdout

    def version(self):
        return self.psql("-A", "-t", "-c", "SHOW server_version").strip()

    def destroy(self):
        if self.started:
            subprocess.run(self.as_user + [self.tool("pg_ctl"), "-D", self.data, "-m", "immediate",
                                           "-w", "stop"],
                           capture_output=True, timeout=120)
            self.started = False
        shutil.rmtree(self.root, ignore_errors=True)


def sql_literal(text):
    return "'" + text.replace("'", "''") + "'"


def pgbench(pg, args, script, clients, duration, warmup, nkeys, scratch):
    base = [pg.tool("pgbench"), "-n", "-M", "prepared", "-h", "127.0.0.1", "-p", str(pg.port),
            "-U", "bench", "-c", str(clients), "-j", str(min(clients, os.cpu_count() or 1)),
            "-f", os.path.join(SQL_DIR, script), "-D", "nkeys=%d" % nkeys, "--random-seed=1"]
    if warmup >= 1:
        run(base + ["-T", str(int(warmup)), "bench"], timeout=int(warmup) + 600)
    logdir = tempfile.mkdtemp(prefix="pgbench-", dir=scratch)
    prefix = os.path.join(logdir, "tx")
    # -T takes whole seconds; a run shorter than a second (--quick) counts transactions.
    span = ["-T", str(int(duration))] if duration >= 1 else ["-t", str(max(3, int(duration * 30)))]
    t = time.perf_counter()
    out = run(base + span + ["--log", "--log-prefix=" + prefix, "bench"],
              timeout=int(duration) + 900).stdout
    wall = time.perf_counter() - t
    lat = []
    for path in glob.glob(prefix + ".*"):
        with open(path) as f:
            for line in f:
                parts = line.split()
                if len(parts) >= 3:
                    lat.append(float(parts[2]))
    shutil.rmtree(logdir, ignore_errors=True)
    m = re.search(r"number of failed transactions: (\d+)", out)
    failed = int(m.group(1)) if m else 0
    m = re.search(r"duration: (\d+) s", out)
    seconds = float(m.group(1)) if m else wall
    name = os.path.splitext(script)[0]
    return summary(name, clients, seconds, lat, failed, {"failed": failed} if failed else {})


def bench_postgres(args, graph, scratch, port):
    bindir = pg_bin()
    if not bindir:
        return {"na": "PostgreSQL is not installed (apt install postgresql-15)"}
    pg = Postgres(bindir, port)
    res = {"driver": "pgbench (client-side latency of each transaction, TCP loopback)"}
    pg.start()
    res["version"] = pg.version()

    def header(path):
        with open(path, encoding="utf-8", newline="") as f:
            return next(csv.reader(f))

    stage = []
    for table, path in (("stage_nodes", graph["nodes_csv"]), ("stage_edges", graph["edges_csv"])):
        cols = ", ".join('"%s" text' % c.replace('"', '""') for c in header(path))
        stage.append("CREATE UNLOGGED TABLE %s (%s);" % (table, cols))
        stage.append("\\copy %s FROM %s WITH (FORMAT csv, HEADER true)" % (table,
                                                                          sql_literal(path)))
    script = os.path.join(pg.root, "load.sql")
    with open(script, "w") as f:
        f.write("\\set ON_ERROR_STOP on\n" + "\n".join(stage) + "\n")
        with open(os.path.join(SQL_DIR, "load.sql")) as src:
            f.write(src.read())
    t = time.perf_counter()
    pg.psql("-f", script)
    res["load_s"] = time.perf_counter() - t
    pg.psql("-f", os.path.join(SQL_DIR, "functions.sql"))
    keys = os.path.join(pg.root, "keys.csv")
    with open(keys, "w") as f:
        for i, k in enumerate(graph["keys"]):
            f.write("%d,%s\n" % (i, k))
    pg.psql("-c", "CREATE TABLE bench_keys (i int PRIMARY KEY, k text NOT NULL)",
            "-c", "\\copy bench_keys FROM %s WITH (FORMAT csv)" % sql_literal(keys),
            "-c", "ANALYZE bench_keys")
    counts = pg.psql("-A", "-t", "-c", "SELECT (SELECT count(*) FROM nodes) || ',' || "
                     "(SELECT count(*) FROM edges)").strip()
    if counts != "%d,%d" % (graph["nodes"], graph["edges"]):
        raise Failure("PostgreSQL holds %s nodes,edges; want %d,%d" % (counts, graph["nodes"],
                                                                      graph["edges"]))
    n = min(args.check, len(graph["keys"]))
    res["checks"] = {"khop2": [], "khop3": [], "path": []}
    for i in range(n):
        for d in (2, 3):
            with open(os.path.join(SQL_DIR, "khop%d.sql" % d)) as f:
                q = "\n".join(line for line in f if not line.startswith(("\\", "--")))
            q = q.replace(":i", str(i))
            res["checks"]["khop%d" % d].append(int(pg.psql("-A", "-t", "-c", q).strip()))
        a, b = graph["pairs"][i]
        v = pg.psql("-A", "-t", "-c", "SELECT bfs_hops(%s, %s, 6)" % (sql_literal(a),
                                                                      sql_literal(b))).strip()
        res["checks"]["path"].append(int(v) if v else None)
    res["workloads"] = []
    nkeys = len(graph["keys"])
    for w in ("floor", "neighbors", "khop2", "khop3", "path"):
        log("postgres %s" % w)
        res["workloads"].append(pgbench(pg, args, w + ".sql", 1, args.duration, args.warmup, nkeys,
                                        pg.root))
    top = max(args.clients)
    if top > 1:
        log("postgres neighbors x%d" % top)
        res["workloads"].append(pgbench(pg, args, "neighbors.sql", top, args.duration, args.warmup,
                                        nkeys, pg.root))
    for c in args.clients:
        log("postgres mixed x%d" % c)
        res["workloads"].append(pgbench(pg, args, "mixed.sql", c, args.duration, args.warmup,
                                        nkeys, pg.root))
    res["na"] = {"subgraph": "not run on the peers", "pagerank": "no PageRank in PostgreSQL"}
    pg.destroy()
    return res


# --- Kùzu ---------------------------------------------------------------------------------------


def kuzu_modules(args):
    """The node_modules folder holding kuzu, installing it into the cache on first use (not in
    --quick). None and a reason when it is not available."""
    for d in (os.path.join(KUZU_SRC, "node_modules"), os.path.join(KUZU_CACHE, "node_modules")):
        if os.path.isdir(os.path.join(d, "kuzu")):
            return d, None
    if shutil.which("node") is None or shutil.which("npm") is None:
        return None, "Node.js/npm not installed"
    if args.quick:
        return None, "kuzu not installed in %s (--quick never installs)" % KUZU_CACHE
    os.makedirs(KUZU_CACHE, exist_ok=True)
    for f in ("package.json", "package-lock.json"):
        shutil.copy2(os.path.join(KUZU_SRC, f), os.path.join(KUZU_CACHE, f))
    log("installing kuzu 0.11.3 into %s (npm ci, about 0.5 GB)" % KUZU_CACHE)
    proc = subprocess.run(["npm", "ci", "--prefix", KUZU_CACHE, "--no-audit", "--no-fund"],
                          capture_output=True, text=True, timeout=1800)
    if proc.returncode != 0 or not os.path.isdir(os.path.join(KUZU_CACHE, "node_modules", "kuzu")):
        return None, "npm ci failed: %s" % (proc.stdout + proc.stderr)[-500:]
    return os.path.join(KUZU_CACHE, "node_modules"), None


def remove_kuzu_db(db):
    """Kùzu 0.11 keeps a database in one file (plus a .wal), older versions in a directory."""
    shutil.rmtree(db, ignore_errors=True)
    for path in (db, db + ".wal", db + ".lock", db + ".shadow"):
        if os.path.isfile(path):
            os.remove(path)


def bench_kuzu(args, graph, scratch, modules):
    db = os.path.join(scratch, "kuzu-db-" + graph["name"])
    remove_kuzu_db(db)
    env = dict(os.environ, NODE_PATH=modules, UV_THREADPOOL_SIZE=str(max(4, max(args.clients))))
    argv = ["node", os.path.join(KUZU_SRC, "queries.js"), "--db", db, "--nodes",
            graph["kuzu_nodes"], "--edges", graph["kuzu_edges"], "--keys", graph["keys_file"],
            "--duration", "%g" % args.duration, "--warmup", "%g" % args.warmup, "--clients",
            ",".join(map(str, args.clients)), "--check", str(args.check)]
    log("kuzu: load and workloads")
    try:
        out = run(argv, env=env, timeout=7200).stdout
    finally:
        remove_kuzu_db(db)
    res = json.loads(out.strip().splitlines()[-1])
    if (res["load"]["nodes"], res["load"]["edges"]) != (graph["nodes"], graph["edges"]):
        raise Failure("Kùzu holds %s; want %d nodes, %d edges" % (res["load"], graph["nodes"],
                                                                 graph["edges"]))
    res["driver"] = "Node.js, kuzu %s in process (no network hop)" % res["kuzu"]
    res["na"] = {"subgraph": "not run on the peers"}
    res["notes"] = ["PageRank: Kùzu's page_rank follows edge direction (no undirected option)"]
    return res


# --- networkx / igraph ----------------------------------------------------------------------------


def bench_inprocess(args, graph):
    """PageRank over the whole graph (every edge, undirected, parallel edges merged) with
    networkx and igraph, each timed --pagerank-repeat times."""
    res = {}
    index, all_pairs = read_edge_pairs(graph["edges_csv"])
    pairs = {(min(a, b), max(a, b)) for a, b in all_pairs if a != b}
    del all_pairs
    res["graph"] = [len(index), len(pairs)]
    try:
        import igraph  # noqa: PLC0415

        g = igraph.Graph(n=len(index), edges=list(pairs), directed=False)
        times = []
        for _ in range(args.pagerank_repeat):
            t = time.perf_counter()
            g.pagerank(damping=0.85, directed=False)
            times.append(time.perf_counter() - t)
        res["igraph"] = {"version": igraph.__version__, "runs_s": times,
                         "workload": summary("pagerank", 1, sum(times), [x * 1e6 for x in times],
                                             0, {})}
        del g
    except ImportError:
        res["igraph"] = {"na": "python3-igraph not installed"}
    if len(pairs) > args.networkx_max_edges:
        res["networkx"] = {"na": "%d edges: above --networkx-max-edges %d (pure-Python graph, "
                                 "too slow and large here)" % (len(pairs), args.networkx_max_edges)}
        return res
    try:
        import networkx as nx  # noqa: PLC0415

        g = nx.Graph()
        g.add_edges_from(pairs)
        times = []
        for _ in range(args.pagerank_repeat):
            t = time.perf_counter()
            nx.pagerank(g, alpha=0.85)
            times.append(time.perf_counter() - t)
        res["networkx"] = {"version": nx.__version__, "runs_s": times,
                           "workload": summary("pagerank", 1, sum(times),
                                               [x * 1e6 for x in times], 0, {})}
    except ImportError:
        res["networkx"] = {"na": "python3-networkx not installed"}
    return res


# --- Import rates (bench/import_bench.py) ---------------------------------------------------------


def bench_import(args, graph, kuzu_node_modules):
    methods = ["offline", "online"] + (["kuzu"] if kuzu_node_modules else [])
    env = dict(os.environ)
    if kuzu_node_modules:
        env["NODE_PATH"] = kuzu_node_modules
    work = os.path.join(args.work, "import")
    argv = [PYTHON, os.path.join(BENCH, "import_bench.py"), "--edges", str(SIZES[graph["name"]]),
            "--repeat", str(args.import_repeat), "--methods", ",".join(methods), "--work", work,
            "--build", args.build]
    log("import_bench.py %s edges x%d (%s)" % (SIZES[graph["name"]], args.import_repeat,
                                               ",".join(methods)))
    out = run(argv, env=env, timeout=14400).stdout
    m = re.search(r"raw results: (\S+)", out)
    if not m:
        raise Failure("import_bench.py printed no results file:\n%s" % out[-2000:])
    with open(m.group(1)) as f:
        raw = json.load(f)
    size = raw["sizes"][0]
    return {"command": " ".join(argv[1:]), "median": size["median"], "data": {
        k: size["data"][k] for k in ("nodes", "edges")}}


# --- Report ---------------------------------------------------------------------------------------


def ms(us):
    return "%.3f" % (us / 1000) if us is not None else "–"


def by_key(workloads):
    return {(w["workload"], w["clients"]): w for w in workloads or []}


def fmt_ratio(x):
    return "%.2f×" % x if x else "–"


def report(results):
    out = []
    m = results["machine"]
    out.append("Machine: %s, %d cores, %.1f GiB RAM, %s, kernel %s; load average %s at the "
               "start, %s at the end." % (
                   m["cpu"], m["cores"], m["ram_gib"], m["os"], m["kernel"],
                   " / ".join("%.2f" % x for x in results["loadavg_start"]),
                   " / ".join("%.2f" % x for x in results["loadavg_end"])))
    v = results["versions"]
    out.append("Versions: " + ", ".join("%s %s" % (k, v[k]) for k in sorted(v)) + ".")
    b = results.get("binary", {})
    out.append("Run %s to %s UTC: `%s`; innograph-server linked %s UTC, sha256 `%s`." % (
        results["started_utc"], results["finished_utc"], " ".join(results["argv"]),
        b.get("mtime_utc", "?"), b.get("sha256", "?")))
    for g in results["graphs"]:
        out.append("")
        out.append("### %s: %s nodes, %s edges (%s)" % (g["name"], f"{g['nodes']:,}",
                                                       f"{g['edges']:,}", g["source"]))
        out.append("")
        inno = g["systems"].get("innograph", {})
        out.append("innograph workloads through: %s. Each single-client workload runs %gs after "
                   "%gs of warm-up; latency is per call, client side. 'innograph ×' is the "
                   "peer's median latency ÷ innograph's (several clients: innograph's throughput ÷ the "
                   "peer's): above 1, innograph is faster." % (inno.get("driver", "?"),
                                                               results["duration_s"],
                                                               results["warmup_s"]))
        out.append("")
        out.append("| workload | clients | system | calls | errors | p50 ms | p99 ms | calls/s | "
                   "innograph × |")
        out.append("|---|---:|---|---:|---:|---:|---:|---:|---:|")
        ib = by_key(inno.get("workloads"))
        rows = [(w, 1) for w in SINGLE]
        if max(results["clients"]) > 1:
            rows.append(("neighbors", max(results["clients"])))
        rows += [("mixed", c) for c in results["clients"]]
        for w, c in rows:
            base = ib.get((w, c))
            for sysname in ("innograph", "kuzu", "postgres", "networkx", "igraph"):
                s = g["systems"].get(sysname)
                if s is None:
                    continue
                if sysname in ("networkx", "igraph"):
                    if w != "pagerank":
                        continue
                    entry = s.get("workload")
                    na = s.get("na")
                else:
                    entry = by_key(s.get("workloads")).get((w, c))
                    na = s.get("na") if isinstance(s.get("na"), str) else (s.get("na") or {}).get(w)
                label = SYSTEM_LABEL[sysname]
                if entry is None:
                    if na and sysname != "innograph":
                        out.append("| %s | %d | %s | n/a: %s | | | | | |" % (LABEL[w], c, label,
                                                                             na))
                    continue
                ratio = None
                if sysname != "innograph" and base and entry["p50_us"] and base["p50_us"]:
                    if c > 1:
                        ratio = base["throughput_per_s"] / entry["throughput_per_s"]
                    else:
                        ratio = entry["p50_us"] / base["p50_us"]
                out.append("| %s | %d | %s | %d | %d | %s | %s | %s | %s |" % (
                    LABEL[w], c, label, entry["calls"], entry["errors"], ms(entry["p50_us"]),
                    ms(entry["p99_us"]), "%.1f" % entry["throughput_per_s"]
                    if entry["throughput_per_s"] else "–",
                    "1" if sysname == "innograph" else fmt_ratio(ratio)))
        out.append("")
        out.append("| load, memory, start | figure |")
        out.append("|---|---:|")
        if "import_offline_s" in inno:
            out.append("| innograph offline import (1 run, into the store the workloads use) | "
                       "%.2f s (%s edges/s) |" % (inno["import_offline_s"],
                                                  f"{g['edges'] / inno['import_offline_s']:,.0f}"))
            out.append("| innograph cold start: process start to first answer (median of %d) | "
                       "%.3f s (%s) |" % (len(inno["cold_start_runs_s"]), inno["cold_start_s"],
                                          " / ".join("%.3f" % x
                                                     for x in inno["cold_start_runs_s"])))
            out.append("| innograph server RSS after load | %.0f MiB, %.0f bytes/edge |" % (
                inno["rss_after_load_kib"] / 1024, inno["rss_bytes_per_edge"]))
            out.append("| innograph topology (Stats.topology_bytes) | %.1f bytes/edge |" %
                       inno["topology_bytes_per_edge"])
            out.append("| innograph server peak RSS (VmHWM, after the workloads) | %.0f MiB |" %
                       (inno["rss_peak_kib"] / 1024))
            out.append("| innograph PageRank compute alone (RankResponse.seconds) | %.3f s on %s "
                       "nodes, %s merged edges |" % (inno["pagerank_compute_s"],
                                                     f"{inno['pagerank_graph'][0]:,}",
                                                     f"{inno['pagerank_graph'][1]:,}"))
        k = g["systems"].get("kuzu", {})
        if "load" in k:
            out.append("| Kùzu COPY (nodes + edges, 1 run) | %.2f s (%s edges/s) |" % (
                k["load"]["copy_s"], f"{g['edges'] / k['load']['copy_s']:,.0f}"))
            out.append("| Kùzu Node.js process RSS after load | %.0f MiB, %.0f bytes/edge |" % (
                k["rss_kib_after_load"] / 1024, k["rss_kib_after_load"] * 1024 / g["edges"]))
        p = g["systems"].get("postgres", {})
        if "load_s" in p:
            out.append("| PostgreSQL COPY + tables + indexes + VACUUM ANALYZE (1 run) | %.2f s "
                       "(%s edges/s) |" % (p["load_s"], f"{g['edges'] / p['load_s']:,.0f}"))
        imp = g.get("import")
        if imp:
            out.append("")
            out.append("Import rates, `%s` (medians of the runs):" % imp["command"])
            out.append("")
            out.append("| method | runs (s) | median (s) | edges/s | vs Kùzu COPY | "
                       "peak RSS (MiB) |")
            out.append("|---|---|---:|---:|---:|---:|")
            kz = imp["median"].get("kuzu")
            for meth in ("offline", "online", "kuzu"):
                mm = imp["median"].get(meth)
                if not mm:
                    continue
                out.append("| %s | %s | %.2f | %s | %s | %.0f |" % (
                    {"offline": "innograph-server import", "online": "innograph import (gRPC)",
                     "kuzu": "Kùzu COPY"}[meth], " / ".join("%.2f" % x for x in mm["runs"]),
                    mm["seconds"], f"{mm['edges_per_s']:,.0f}",
                    "%.2f×" % (mm["edges_per_s"] / kz["edges_per_s"]) if kz else "–",
                    mm["maxrss_mib"]))
        ch = g.get("checks")
        if ch:
            out.append("")
            ref = ch["reference"]
            out.append("Cross-check (first %d keys): 2-hop %s, 3-hop %s, path hops %s; equal in "
                       "%s." % (len(ref["khop2"]), ref["khop2"], ref["khop3"], ref["path"],
                                ", ".join(["igraph"] + ch["agree"])))
        notes = [n for s in g["systems"].values() if isinstance(s, dict)
                 for n in s.get("notes", [])]
        for sysname, s in g["systems"].items():
            if isinstance(s, dict) and isinstance(s.get("na"), str):
                notes.append("%s: n/a, %s" % (SYSTEM_LABEL.get(sysname, sysname), s["na"]))
        if notes:
            out.append("")
            out.extend("- " + n for n in notes)
    return "\n".join(out)


# --- Main -----------------------------------------------------------------------------------------


def compare_checks(graph, results, reference):
    agree, bad = [], []
    for name, s in results.items():
        ch = s.get("checks") if isinstance(s, dict) else None
        if not ch:
            continue
        if ch == reference:
            agree.append(name)
        else:
            bad.append("%s: %s" % (name, ch))
    if bad:
        raise Failure("%s: answers differ from igraph's %s:\n%s" % (graph["name"], reference,
                                                                    "\n".join(bad)))
    return {"reference": reference, "agree": agree}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter,
                                     epilog=__doc__.split("\n\n", 1)[1])
    parser.add_argument("--sizes", default="1m,1m-social",
                        help="comma-separated: 1m, 1m-social, 10m, condmat")
    parser.add_argument("--peers", default=",".join(PEERS), help="comma-separated subset of "
                        "kuzu, postgres, networkx (empty: innograph only)")
    parser.add_argument("--quick", action="store_true", help="the smoke run: a 5,000-edge graph, "
                        "short runs, peers only if available offline")
    parser.add_argument("--duration", type=float, default=10.0, help="seconds per workload")
    parser.add_argument("--warmup", type=float, default=2.0, help="seconds before measuring")
    parser.add_argument("--clients", default="1,8,32", help="client counts of the mixed load")
    parser.add_argument("--keys", type=int, default=1000, help="workload keys sampled")
    parser.add_argument("--check", type=int, default=5, help="keys cross-checked")
    parser.add_argument("--cold-repeat", type=int, default=3)
    parser.add_argument("--import-repeat", type=int, default=3)
    parser.add_argument("--pagerank-repeat", type=int, default=3)
    parser.add_argument("--networkx-max-edges", type=int, default=3000000)
    parser.add_argument("--no-import", action="store_true", help="skip import_bench.py")
    parser.add_argument("--ports", default="51300-51399", help="loopback ports to use")
    parser.add_argument("--work", default=None, help="inputs and scratch (default: a new "
                        "/tmp/innograph-suite-* removed at the end; given: kept, graphs reused)")
    parser.add_argument("--out", default=None, help="where the report goes (default "
                        "/tmp/innograph-suite-results)")
    parser.add_argument("--build", default=os.path.join(ROOT, "build", "release"))
    parser.add_argument("--load", default=None, help="innograph-load binary (default: found "
                        "in BUILD/bench/load)")
    args = parser.parse_args()
    if args.quick:
        args.sizes = "tiny"
        args.duration = min(args.duration, 0.5)
        args.warmup = 0.0
        args.clients = "1,4"
        args.keys = min(args.keys, 100)
        args.check = min(args.check, 3)
        args.cold_repeat = 1
        args.import_repeat = 1
        args.pagerank_repeat = 1
    sizes = [s for s in args.sizes.split(",") if s]
    for s in sizes:
        if s not in SIZES or (s == "tiny" and not args.quick):
            parser.error("unknown size '%s' (1m, 1m-social, 10m, condmat)" % s)
    peers = [p for p in args.peers.split(",") if p]
    for p in peers:
        if p not in PEERS:
            parser.error("unknown peer '%s' (%s)" % (p, ", ".join(PEERS)))
    args.clients = [int(c) for c in args.clients.split(",")]
    first, last = (int(x) for x in args.ports.split("-"))
    args.last_port = last

    signal.signal(signal.SIGTERM, _terminate)
    # igraph and scipy (networkx) single-threaded: their OpenMP/BLAS threads spin-wait, which on a
    # shared, loaded machine made igraph's PageRank times erratic (1 ms to 1.4 s for the same
    # call). innograph's server and Kùzu do not use OpenMP.
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    keep_work = args.work is not None
    if args.work is None:
        args.work = tempfile.mkdtemp(prefix="innograph-suite-")
    os.makedirs(args.work, exist_ok=True)
    args.work = os.path.abspath(args.work)
    out_dir = os.path.abspath(args.out or os.path.join(tempfile.gettempdir(),
                                                       "innograph-suite-results"))
    os.makedirs(out_dir, exist_ok=True)
    if not keep_work:
        on_exit(lambda: shutil.rmtree(args.work, ignore_errors=True))

    tools = {"server": os.path.join(args.build, "server", "innograph-server"),
             "cli": os.path.join(args.build, "client", "innograph"),
             "generate": os.path.join(args.build, "bench", "innograph-generate")}
    for path in tools.values():
        if not os.access(path, os.X_OK):
            sys.exit("suite.py: %s is missing; build first (cmake --build build/release)" % path)
    tools["load"] = find_load_binary(args)
    started = datetime.datetime.now(datetime.timezone.utc)
    results = {"started_utc": started.strftime("%Y-%m-%d %H:%M:%S"), "argv": sys.argv[:],
               "machine": machine(), "loadavg_start": os.getloadavg(), "duration_s": args.duration,
               "warmup_s": args.warmup, "clients": args.clients, "graphs": [], "versions": {}}
    rc = 0
    try:
        scratch = tempfile.mkdtemp(prefix="scratch-", dir=args.work)
        on_exit(lambda: shutil.rmtree(scratch, ignore_errors=True))
        results["binary"] = binary_id(tools["server"])
        modules, kuzu_reason = (kuzu_modules(args) if "kuzu" in peers else (None, None))
        if "postgres" in peers and pg_bin():
            results["versions"]["PostgreSQL"] = run([os.path.join(pg_bin(), "postgres"),
                                                     "--version"]).stdout.split()[2]
        results["versions"]["node"] = run(["node", "--version"], check=False).stdout.strip() \
            if shutil.which("node") else "not installed"
        for name in sizes:
            graph = prepare_graph(name, args, tools)
            entry = {k: graph[k] for k in ("name", "source", "nodes", "edges", "csv_bytes")}
            entry["systems"] = {}
            results["graphs"].append(entry)
            port = free_port(first, last)
            entry["systems"]["innograph"] = bench_innograph(args, tools, graph, scratch, port)
            results["versions"]["innograph"] = entry["systems"]["innograph"]["server_version"]
            if "postgres" in peers:
                entry["systems"]["postgres"] = bench_postgres(args, graph, scratch,
                                                              free_port(first, last))
            if "kuzu" in peers:
                entry["systems"]["kuzu"] = (bench_kuzu(args, graph, scratch, modules) if modules
                                            else {"na": kuzu_reason})
                if modules:
                    results["versions"]["Kùzu"] = entry["systems"]["kuzu"]["kuzu"]
            if "networkx" in peers:
                log("networkx / igraph PageRank")
                inproc = bench_inprocess(args, graph)
                entry["systems"]["networkx"] = inproc["networkx"]
                entry["systems"]["igraph"] = inproc["igraph"]
                for lib in ("networkx", "igraph"):
                    if "version" in inproc[lib]:
                        results["versions"][lib] = inproc[lib]["version"]
            entry["checks"] = compare_checks(graph, entry["systems"],
                                             reference_checks(graph, min(args.check,
                                                                         len(graph["keys"]))))
            # import_bench.py generates the default profile: the import rates of 1m stand for
            # 1m-social's (same counts and columns).
            if name != "condmat" and name not in PROFILE and not args.no_import:
                entry["import"] = bench_import(args, graph, modules)
    except Failure as e:
        log("FAILED: %s" % e)
        results["error"] = str(e)
        rc = 1
    except KeyboardInterrupt:
        log("interrupted; cleaning up")
        rc = 130
    finally:
        cleanup()
    results["finished_utc"] = datetime.datetime.now(datetime.timezone.utc).strftime(
        "%Y-%m-%d %H:%M:%S")
    results["loadavg_end"] = os.getloadavg()
    if rc == 130:
        sys.exit(rc)
    stamp = started.strftime("%Y%m%dT%H%M%SZ")
    md = report(results)
    with open(os.path.join(out_dir, "suite-%s.json" % stamp), "w") as f:
        json.dump(results, f, indent=1, default=str)
    with open(os.path.join(out_dir, "suite-%s.md" % stamp), "w") as f:
        f.write(md + "\n")
    print(md)
    print("\nresults: %s/suite-%s.{md,json}" % (out_dir, stamp))
    sys.exit(rc)


if __name__ == "__main__":
    main()
