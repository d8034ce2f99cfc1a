#!/usr/bin/python3
"""Import throughput: innograph's two import paths against Kùzu's COPY, on the same CSV files.

For each size, innograph-generate writes nodes.csv/edges.csv (seed 1) into the work folder
(default /tmp/innograph-bench, outside the repository: never commit it). Then, --repeat times,
in this order within each repetition:

  offline  `innograph-server import --data-dir FRESH nodes.csv edges.csv` (a stopped store):
           wall time of the process (RocksDB open, parse, validate, write, final sync, close).
  online   a fresh `innograph-server` (default flags, HTTP off), then
           `innograph import nodes.csv edges.csv` (the client-streaming Import rpc): wall time
           of the client process only; the server is started before and stopped after. Should
           the server refuse to buffer that many rows all or nothing, with --max-errors 1.
  kuzu     node bench/kuzu/copy.js: a fresh Kùzu database, CREATE NODE/REL TABLE, then the two
           COPY statements, timed inside Node.js (COPY only). Kùzu needs from/to first and
           full dates, so Kùzu-friendly copies of the CSVs (key,kind,name and
           from,to,type,valid_from,valid_to,weight) are written once, before and outside any
           timed section.

Every run is checked (exit code, node and edge counts) and its peak RSS, on-disk size and CPU
time (user + system: the server's and the client's for online, the whole node process for
Kùzu) are recorded; on a loaded machine CPU time is the steadier figure. The report gives the
median of the runs, edges/s = edges / median seconds, and the ratio of each innograph path to
Kùzu from the same run. Results go to stdout (a Markdown table
for docs/BENCHMARKS.md) and to WORK/results-<UTC time>.json.

Usage:
  /usr/bin/python3 bench/import_bench.py                       # 10^6 and 10^7 edges, 3 runs
  /usr/bin/python3 bench/import_bench.py --edges 1000000 --methods offline,kuzu
  (binaries from --build, default build/release; rebuild with
   ninja -C build/release innograph-server innograph innograph-generate;
   Kùzu: cd bench/kuzu && npm ci)
"""

import argparse
import csv
import datetime
import hashlib
import json
import os
import platform
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time

sys.dont_write_bytecode = True
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
KUZU_DIR = os.path.join(ROOT, "bench", "kuzu")

# An all-or-nothing import that the server must buffer (a store with data) holds at most
# ImportOptions::max_buffered_rows rows (graph/io/importer.h); beyond, it aborts with this
# message and the online run is redone with --max-errors 1 (atomic chunks), as a user would.
CAP_MESSAGE = "all-or-nothing import holds at most"
METHODS = ("offline", "online", "kuzu")


def log(*args):
    print(*args, file=sys.stderr, flush=True)


# --- Processes --------------------------------------------------------------------------------


def run_measured(argv, cwd=None, timeout=3600):
    """Runs argv to completion: dict(rc, seconds (wall), maxrss_kib, stdout, stderr)."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=out, stderr=err,
                                cwd=cwd)
        deadline = started + timeout
        while True:
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            if time.perf_counter() > deadline:
                proc.kill()
                pid, status, usage = os.wait4(proc.pid, 0)
                break
            time.sleep(0.002)
        seconds = time.perf_counter() - started
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        return {"rc": proc.returncode, "seconds": seconds, "maxrss_kib": usage.ru_maxrss,
                "cpu_seconds": usage.ru_utime + usage.ru_stime,
                "stdout": out.read().decode("utf-8", "replace"),
                "stderr": err.read().decode("utf-8", "replace")}


def disk_bytes(path):
    if os.path.isfile(path):
        return os.path.getsize(path)
    total = 0
    for base, _, files in os.walk(path):
        for f in files:
            try:
                total += os.path.getsize(os.path.join(base, f))
            except OSError:
                pass
    return total


def remove(path):
    if os.path.isdir(path):
        shutil.rmtree(path)
    for p in (path, path + ".wal", path + ".lock"):
        if os.path.isfile(p):
            os.remove(p)


def cpu_seconds_of(pid):
    """User + system CPU time a running process has used so far, seconds."""
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def vm_hwm_kib(pid):
    """Peak RSS of a running process (VmHWM), KiB."""
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return 0


# --- Inputs -------------------------------------------------------------------------------------


def count_rows(path):
    with open(path, "rb") as f:
        return sum(1 for line in f if line.strip()) - 1


def generate(tools, edges, out_dir):
    os.makedirs(out_dir, exist_ok=True)
    r = run_measured([tools["generate"], "--seed", "1", "--edges", str(edges), "--out", out_dir])
    if r["rc"] != 0:
        sys.exit("innograph-generate failed: %s" % r["stderr"])
    nodes_csv, edges_csv = os.path.join(out_dir, "nodes.csv"), os.path.join(out_dir, "edges.csv")
    return {"nodes_csv": nodes_csv, "edges_csv": edges_csv, "nodes": count_rows(nodes_csv),
            "edges": count_rows(edges_csv), "generate_s": r["seconds"],
            "bytes": os.path.getsize(nodes_csv) + os.path.getsize(edges_csv)}


def full_date(text, end):
    """docs/import.md dates (YYYY, YYYY-MM, YYYY-MM-DD) as the YYYY-MM-DD Kùzu's DATE reads: a
    partial start is the first day of its period, a partial end the last."""
    if len(text) == 4:
        return text + ("-12-31" if end else "-01-01")
    if len(text) == 7:
        if not end:
            return text + "-01"
        y, m = int(text[:4]), int(text[5:])
        nxt = datetime.date(y + m // 12, m % 12 + 1, 1)
        return (nxt - datetime.timedelta(days=1)).isoformat()
    return text


def kuzu_inputs(data, out_dir):
    """Kùzu-friendly copies of the generated CSVs (not timed)."""
    nodes_out, edges_out = os.path.join(out_dir, "kuzu-nodes.csv"), os.path.join(
        out_dir, "kuzu-edges.csv")
    with open(data["nodes_csv"], encoding="utf-8", newline="") as f, \
            open(nodes_out, "w", encoding="utf-8", newline="") as o:
        r = csv.reader(f)
        header = next(r)
        k, kind, name = header.index("key"), header.index("kind"), header.index("name")
        w = csv.writer(o, lineterminator="\n")
        w.writerow(["key", "kind", "name"])
        for row in r:
            w.writerow([row[k], row[kind], row[name]])
    with open(data["edges_csv"], encoding="utf-8", newline="") as f, \
            open(edges_out, "w", encoding="utf-8", newline="") as o:
        r = csv.reader(f)
        header = next(r)
        ix = [header.index(c) for c in ("from", "to", "type", "valid_from", "valid_to",
                                        "weight")]
        w = csv.writer(o, lineterminator="\n")
        w.writerow(["from", "to", "type", "valid_from", "valid_to", "weight"])
        for row in r:
            a, b, t, vf, vt, wt = (row[i] for i in ix)
            w.writerow([a, b, t, full_date(vf, False) if vf else "",
                        full_date(vt, True) if vt else "", wt])
    return nodes_out, edges_out


# --- The three methods ----------------------------------------------------------------------




def run_offline(tools, data, scratch):
    data_dir = os.path.join(scratch, "offline")
    remove(data_dir)
    flags = []
    r = run_measured([tools["server"], "import", "--data-dir", data_dir] + flags +
                     [data["nodes_csv"], data["edges_csv"]])
    m = re.search(r"(\d+) nodes and (\d+) edges written, (\d+) rejected", r["stdout"])
    ok = r["rc"] == 0 and m and (int(m.group(1)), int(m.group(2))) == (data["nodes"],
                                                                         data["edges"])
    result = {"seconds": r["seconds"], "maxrss_kib": r["maxrss_kib"],
              "cpu_seconds": r["cpu_seconds"], "disk_bytes": disk_bytes(data_dir),
              "flags": flags, "ok": bool(ok)}
    if not ok:
        result["error"] = (r["stdout"] + r["stderr"])[-2000:]
    remove(data_dir)
    return result


def run_online(tools, data, scratch, flags=()):
    import harness  # tests/integration/harness.py, with INNOGRAPH_*_BIN set in main()

    flags = list(flags)
    with harness.Server() as server:
        r = run_measured([tools["cli"], "--server", server.address, "--json", "import"] +
                         flags + [data["nodes_csv"], data["edges_csv"]])
        server_hwm = vm_hwm_kib(server.proc.pid)
        server_cpu = cpu_seconds_of(server.proc.pid)
        try:
            report = json.loads(r["stdout"])
            written = (int(report["nodesWritten"]), int(report["edgesWritten"]))
        except (ValueError, KeyError):
            report, written = None, None
        stats = harness.run_cli(["--server", server.address, "--json", "stats"])
        counts = None
        if stats[0] == 0:
            s = json.loads(stats[1])
            counts = (int(s["nodes"]), int(s["edges"]))
        server.stop(signal.SIGTERM)
        size = disk_bytes(server.data_dir)
    want = (data["nodes"], data["edges"])
    ok = r["rc"] == 0 and written == want and counts == want
    if not flags and report and report.get("aborted") and CAP_MESSAGE in report.get(
            "abortReason", ""):
        # The server would have to buffer every row: load in atomic chunks instead.
        return run_online(tools, data, scratch, ["--max-errors", "1"])
    result = {"seconds": r["seconds"], "maxrss_kib": server_hwm,
              "client_maxrss_kib": r["maxrss_kib"], "disk_bytes": size, "flags": flags,
              "cpu_seconds": server_cpu + r["cpu_seconds"], "client_cpu_seconds": r["cpu_seconds"],
              "server_seconds": report.get("seconds") if report else None, "ok": bool(ok)}
    if not ok:
        result["error"] = ("written %s, store %s\n" % (written, counts) + r["stdout"] +
                           r["stderr"])[-2000:]
    return result


def run_kuzu(tools, data, scratch):
    db = os.path.join(scratch, "kuzu-db")
    remove(db)
    r = run_measured(["node", os.path.join(KUZU_DIR, "copy.js"), "--db", db, "--nodes",
                      data["kuzu_nodes"], "--edges", data["kuzu_edges"]], cwd=KUZU_DIR)
    # CPU time of the whole node process (start, schema, both COPY statements).
    result = {"maxrss_kib": r["maxrss_kib"], "disk_bytes": disk_bytes(db),
              "process_seconds": r["seconds"], "cpu_seconds": r["cpu_seconds"], "ok": False}
    try:
        out = json.loads(r["stdout"].strip().splitlines()[-1])
        result.update(seconds=out["copy_s"], copy_nodes_s=out["copy_nodes_s"],
                      copy_edges_s=out["copy_edges_s"], version=out["kuzu"])
        result["ok"] = r["rc"] == 0 and (out["nodes"], out["edges"]) == (data["nodes"],
                                                                         data["edges"])
    except (ValueError, IndexError, KeyError):
        pass
    if not result["ok"]:
        result["error"] = (r["stdout"] + r["stderr"])[-2000:]
    remove(db)
    return result


RUNNERS = {"offline": run_offline, "online": run_online, "kuzu": run_kuzu}


# --- Report ---------------------------------------------------------------------------------


def machine():
    cpu = "?"
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    with open("/proc/meminfo") as f:
        mem_kib = int(f.readline().split()[1])
    return {"nproc": os.cpu_count(), "cpu": cpu, "ram_gib": round(mem_kib / 2**20, 1),
            "kernel": platform.release(), "os": _os_name()}


def _os_name():
    try:
        with open("/etc/os-release") as f:
            for line in f:
                if line.startswith("PRETTY_NAME="):
                    return line.split("=", 1)[1].strip().strip('"')
    except OSError:
        pass
    return platform.system()


def binary_id(path):
    st = os.stat(path)
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return {"path": path, "mtime_utc": datetime.datetime.fromtimestamp(
        st.st_mtime, datetime.timezone.utc).strftime("%Y-%m-%d %H:%M:%S"),
        "sha256": h.hexdigest()[:16]}


def summarize(results):
    """Per size and method: median seconds, edges/s, peak RSS and disk (medians)."""
    rows = []
    for size in results["sizes"]:
        data = size["data"]
        med = {}
        for method, runs in size["runs"].items():
            good = [r for r in runs if r["ok"]]
            if not good:
                med[method] = None
                continue
            med[method] = {
                "seconds": statistics.median(r["seconds"] for r in good),
                "runs": [round(r["seconds"], 3) for r in runs],
                "failed": len(runs) - len(good),
                "maxrss_mib": statistics.median(r["maxrss_kib"] for r in good) / 1024,
                "cpu_seconds": statistics.median(r["cpu_seconds"] for r in good),
                "disk_mib": statistics.median(r["disk_bytes"] for r in good) / 2**20,
                "flags": good[0].get("flags", []),
            }
            med[method]["edges_per_s"] = data["edges"] / med[method]["seconds"]
        size["median"] = med
        rows.append(size)
    return rows


def markdown(results):
    out = ["| edges | nodes | method | runs (s) | median (s) | edges/s | vs Kùzu | CPU (s) | "
           "peak RSS (MiB) | on disk (MiB) |", "|---:|---:|---|---|---:|---:|---:|---:|---:|---:|"]
    for size in results["sizes"]:
        data, med = size["data"], size["median"]
        kuzu = med.get("kuzu")
        for method in METHODS:
            if method not in med:
                continue
            m = med[method]
            if m is None:
                out.append("| %s | %s | %s | failed | | | | | | |" % (
                    f"{data['edges']:,}", f"{data['nodes']:,}", method))
                continue
            ratio = "%.2f×" % (m["edges_per_s"] / kuzu["edges_per_s"]) if kuzu else "n/a"
            label = {"kuzu": "Kùzu COPY"}.get(method, method)
            if m["flags"]:
                label += " (%s)" % " ".join(m["flags"])
            out.append("| %s | %s | %s | %s | %.2f | %s | %s | %.1f | %.0f | %.0f |" % (
                f"{data['edges']:,}", f"{data['nodes']:,}", label,
                " / ".join("%.2f" % s for s in m["runs"]), m["seconds"],
                f"{m['edges_per_s']:,.0f}", ratio if method != "kuzu" else "1",
                m["cpu_seconds"], m["maxrss_mib"], m["disk_mib"]))
    return "\n".join(out)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--edges", type=int, nargs="+", default=[1000000, 10000000])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--methods", default=",".join(METHODS),
                        help="comma-separated subset of %s" % ",".join(METHODS))
    parser.add_argument("--work", default=os.path.join(tempfile.gettempdir(), "innograph-bench"))
    parser.add_argument("--build", default=os.path.join(ROOT, "build", "release"))
    parser.add_argument("--keep", action="store_true", help="keep the generated CSV files")
    args = parser.parse_args()
    methods = [m for m in args.methods.split(",") if m]
    for m in methods:
        if m not in METHODS:
            parser.error("unknown method '%s'" % m)

    tools = {"server": os.path.join(args.build, "server", "innograph-server"),
             "cli": os.path.join(args.build, "client", "innograph"),
             "generate": os.path.join(args.build, "bench", "innograph-generate")}
    for path in tools.values():
        if not os.access(path, os.X_OK):
            sys.exit("import_bench.py: %s is missing; build it first" % path)
    # Run copies, so that a rebuild during the run cannot mix two builds in one table.
    started = datetime.datetime.now(datetime.timezone.utc)
    bin_dir = os.path.join(args.work, "bin-" + started.strftime("%Y%m%dT%H%M%SZ"))
    os.makedirs(bin_dir, exist_ok=True)
    for name, path in list(tools.items()):
        tools[name] = shutil.copy2(path, os.path.join(bin_dir, os.path.basename(path)))
    # Kùzu from bench/kuzu/node_modules, or from a folder on NODE_PATH (bench/suite.py's cache).
    node_paths = [os.path.join(KUZU_DIR, "node_modules")] + os.environ.get("NODE_PATH", "").split(
        os.pathsep)
    if "kuzu" in methods and not any(p and os.path.isdir(os.path.join(p, "kuzu"))
                                     for p in node_paths):
        sys.exit("import_bench.py: Kùzu is not installed: cd bench/kuzu && npm ci "
                 "(or --methods offline,online)")
    os.environ["INNOGRAPH_SERVER_BIN"] = tools["server"]
    os.environ["INNOGRAPH_CLI_BIN"] = tools["cli"]
    os.environ["INNOGRAPH_SOURCE_DIR"] = ROOT
    sys.path.insert(0, os.path.join(ROOT, "tests", "integration"))

    results = {"started_utc": started.strftime("%Y-%m-%d %H:%M:%S"), "machine": machine(),
               "loadavg_start": os.getloadavg(),
               "binaries": {k: binary_id(v) for k, v in tools.items()},
               "node": subprocess.run(["node", "--version"], capture_output=True,
                                      text=True).stdout.strip(),
               "argv": sys.argv, "repeat": args.repeat, "sizes": []}
    os.makedirs(args.work, exist_ok=True)
    for edges in args.edges:
        data_dir = os.path.join(args.work, "synth-%d" % edges)
        log("generating %d edges into %s" % (edges, data_dir))
        data = generate(tools, edges, data_dir)
        if "kuzu" in methods:
            log("writing Kùzu-friendly copies (not timed)")
            data["kuzu_nodes"], data["kuzu_edges"] = kuzu_inputs(data, data_dir)
        # The inputs on disk before any timed run: otherwise the first run shares the machine
        # with writing them back.
        os.sync()
        size = {"data": data, "runs": {m: [] for m in methods}}
        results["sizes"].append(size)
        scratch = os.path.join(args.work, "scratch")
        os.makedirs(scratch, exist_ok=True)
        for rep in range(args.repeat):
            for method in methods:
                r = RUNNERS[method](tools, data, scratch)
                size["runs"][method].append(r)
                log("%d edges, run %d, %-7s %8.2f s %s" % (
                    edges, rep + 1, method, r.get("seconds") or float("nan"),
                    "ok" if r["ok"] else "FAILED: " + r.get("error", "")))
        if not args.keep:
            shutil.rmtree(data_dir, ignore_errors=True)
    results["finished_utc"] = datetime.datetime.now(datetime.timezone.utc).strftime(
        "%Y-%m-%d %H:%M:%S")
    results["loadavg_end"] = os.getloadavg()
    shutil.rmtree(bin_dir, ignore_errors=True)
    summarize(results)
    path = os.path.join(args.work, "results-%s.json" % started.strftime("%Y%m%dT%H%M%SZ"))
    with open(path, "w") as f:
        json.dump(results, f, indent=1, default=str)
    m = results["machine"]
    print("Machine: %s, %d cores (nproc), %.1f GiB RAM, %s, kernel %s" % (
        m["cpu"], m["nproc"], m["ram_gib"], m["os"], m["kernel"]))
    print("Run: %s to %s UTC (load average %.1f at the start, %.1f at the end); "
          "innograph-server built %s (sha256 %s); node %s" % (
              results["started_utc"], results["finished_utc"], results["loadavg_start"][0],
              results["loadavg_end"][0], results["binaries"]["server"]["mtime_utc"],
              results["binaries"]["server"]["sha256"], results["node"]))
    print()
    print(markdown(results))
    print()
    print("raw results: %s" % path)
    bad = [(s["data"]["edges"], m) for s in results["sizes"] for m, v in s["median"].items()
           if v is None or v["failed"]]
    if bad:
        print("FAILED runs: %s" % bad)
        sys.exit(1)


if __name__ == "__main__":
    main()
