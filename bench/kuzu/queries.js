// Kùzu side of bench/suite.py (docs/BENCHMARKS.md, "Suite"): loads the suite's CSV files into a
// fresh in-process Kùzu database and runs the suite's workloads against it, in Node.js (no
// network hop: every query is a call into the library in this process).
//
// Usage: node queries.js --db DIR --nodes NODES.csv --edges EDGES.csv --keys KEYS.txt
//            [--duration S] [--warmup S] [--clients 1,8,32] [--workloads LIST] [--check N]
//            [--timeout S]
//
// --timeout: Kùzu's query timeout per call (default 300 s); a call that hits it is an error.
//
//   nodes: key,kind,name            edges: from,to,type,weight (empty weight = NULL)
//   keys:  one node key per line; the path workload pairs key i with key (7 i + 3) mod K.
//
// Workloads (innograph-load's definitions, bench/load/load.cc, repeated for every system of the
// suite: every edge type, both directions):
//   floor      RETURN 1: no graph work, the cost of one query call into the library
//   neighbors  the neighbours of a key with the edge weight and the neighbour's kind and name,
//              at most 100
//   khop2/3    how many distinct nodes lie within 2 (3) hops, the start excluded
//   path       the length of a shortest path between two random keys (at most 6 hops), or none
//   pagerank   PageRank over the whole graph, top 10
//   mixed      90% neighbors, 10% upsert of one Person node (MERGE by key; keys
//              load/kuzu-<client>-<n>, about half of them new)
// Single-client workloads run on one connection; mixed runs with each client count of
// --clients, one connection per client, all sharing the database.
//
// Prints one JSON object on stdout: {"kuzu", "load": {nodes, edges, copy_s}, "workloads":
// [{workload, clients, duration_s, calls, errors, error_codes, throughput_per_s, p50_us, p90_us,
// p99_us, max_us, mean_us}], "checks": {khop2: [...], khop3: [...], path: [...]},
// "rss_kib_after_load"}. The checks answer the first --check keys, and paths key i to key
// (7 i + 3) mod K, for the suite to compare across systems.

"use strict";

const fs = require("fs");
const kuzu = require("kuzu");

const QUERIES = {
  floor: "RETURN 1",
  neighbors:
      "MATCH (a:Node {key: $k})-[e:Edge]-(b:Node) RETURN b.key, b.kind, b.name, e.weight LIMIT 100",
  khop2: khop(2),
  khop3: khop(3),
  path: "MATCH (a:Node {key: $a})-[e:Edge* SHORTEST 1..6]-(b:Node {key: $b}) RETURN length(e)",
  pagerank: "CALL page_rank('G') RETURN node.key, rank ORDER BY rank DESC LIMIT 10",
  write: "MERGE (n:Node {key: $k}) ON CREATE SET n.kind = 'Person', n.name = $name " +
      "ON MATCH SET n.name = $name",
};

// Distinct nodes within `depth` hops. SHORTEST makes Kùzu search breadth first and reach each
// node once; a plain -[:Edge*1..3]- walks every path (through a hub of 10^5 edges, a
// 3-hop count took minutes where the SHORTEST form takes a traversal of the graph).
function khop(depth) {
  return "MATCH (a:Node {key: $k})-[:Edge* SHORTEST 1.." + depth + "]-(b:Node) " +
      "WHERE b.key <> $k RETURN count(DISTINCT b)";
}

function parseArgs(argv) {
  const out = {duration: "5", warmup: "1", clients: "1,8,32",
               workloads: "floor,neighbors,khop2,khop3,path,pagerank,mixed", check: "5",
               timeout: "300"};
  for (let i = 0; i < argv.length; i += 2) {
    if (!argv[i].startsWith("--") || i + 1 >= argv.length) {
      throw new Error(`bad argument '${argv[i]}'`);
    }
    out[argv[i].slice(2)] = argv[i + 1];
  }
  for (const need of ["db", "nodes", "edges", "keys"]) {
    if (!out[need]) throw new Error(`--${need} is required`);
  }
  return out;
}

function quoted(path) {
  return `'${path.replace(/\\/g, "\\\\").replace(/'/g, "\\'")}'`;
}

// xorshift64*: a small deterministic generator per client (the keys are what matter).
function rng(seed) {
  let s = BigInt(seed) * 0x9E3779B97F4A7C15n + 1n;
  return (n) => {
    s ^= s >> 12n;
    s ^= (s << 25n) & 0xFFFFFFFFFFFFFFFFn;
    s ^= s >> 27n;
    s &= 0xFFFFFFFFFFFFFFFFn;
    return Number(((s * 0x2545F4914F6CDD1Dn) & 0xFFFFFFFFFFFFFFFFn) >> 11n) % n;
  };
}

function summary(workload, clients, seconds, lat, errors, codes) {
  lat.sort((a, b) => a - b);
  const pct = (p) => lat.length ? lat[Math.min(lat.length - 1, Math.ceil(p * lat.length) - 1)]
                                : null;
  const mean = lat.length ? lat.reduce((a, b) => a + b, 0) / lat.length : null;
  return {workload, clients, duration_s: seconds, calls: lat.length, errors,
          error_codes: codes, throughput_per_s: lat.length / seconds, p50_us: pct(0.5),
          p90_us: pct(0.9), p99_us: pct(0.99), max_us: lat.length ? lat[lat.length - 1] : null,
          mean_us: mean};
}

async function run(ps, conn, params) {
  const result = await conn.execute(ps, params);
  const rows = await result.getAll();
  return rows;
}

// One call of `workload` by a client (its own random generator `next` and write counter).
async function call(workload, conn, stmts, keys, next, state) {
  const i = next(keys.length);
  switch (workload) {
    case "floor":
      return run(stmts.floor, conn, {});
    case "neighbors": case "khop2": case "khop3":
      return run(stmts[workload], conn, {k: keys[i]});
    case "path":
      return run(stmts.path, conn, {a: keys[i], b: keys[next(keys.length)]});
    case "pagerank":
      return run(stmts.pagerank, conn, {});
    case "mixed":
      if (next(100) < 10) {
        // Half new keys, half re-upserts of a key this client wrote before.
        const n = state.written > 0 && next(2) === 0 ? next(state.written) : state.written++;
        const key = `load/kuzu-${state.client}-${n}`;
        return run(stmts.write, conn, {k: key, name: `Load ${state.client} ${n}`});
      }
      return run(stmts.neighbors, conn, {k: keys[i]});
    default:
      throw new Error(`unknown workload ${workload}`);
  }
}

async function load(workload, conns, keys, duration, warmup, minCalls) {
  const lat = [];
  const codes = {};
  let errors = 0;
  const stmts = await Promise.all(conns.map(async (conn) => {
    const s = {};
    for (const [name, q] of Object.entries(QUERIES)) s[name] = await conn.prepare(q);
    return s;
  }));
  const start = process.hrtime.bigint();
  const warmEnd = start + BigInt(Math.round(warmup * 1e9));
  const end = warmEnd + BigInt(Math.round(duration * 1e9));
  let measured = 0;
  await Promise.all(conns.map(async (conn, c) => {
    const next = rng(c + 1);
    const state = {client: `${workload}${conns.length}-${c}`, written: 0};
    for (;;) {
      const t0 = process.hrtime.bigint();
      if (t0 >= end && (c !== 0 || measured >= minCalls)) break;
      let ok = true;
      try {
        await call(workload, conn, stmts[c], keys, next, state);
      } catch (e) {
        ok = false;
        const code = e.message.split(":")[0].slice(0, 60);
        codes[code] = (codes[code] || 0) + 1;
      }
      const t1 = process.hrtime.bigint();
      if (t0 >= warmEnd) {
        if (ok) lat.push(Number(t1 - t0) / 1e3);
        else errors += 1;
        if (c === 0) measured += 1;
      }
    }
  }));
  const seconds = Number(process.hrtime.bigint() - warmEnd) / 1e9;
  return summary(workload, conns.length, seconds, lat, errors, codes);
}

function rssKib() {
  const m = fs.readFileSync("/proc/self/status", "utf8").match(/VmRSS:\s+(\d+)/);
  return m ? Number(m[1]) : null;
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  if (fs.existsSync(args.db)) throw new Error(`--db ${args.db} exists; want a fresh directory`);
  const keys = fs.readFileSync(args.keys, "utf8").split("\n").filter((k) => k);
  const duration = Number(args.duration);
  const warmup = Number(args.warmup);
  const workloads = args.workloads.split(",").filter((w) => w);
  const clientCounts = args.clients.split(",").map(Number);
  const db = new kuzu.Database(args.db);
  const timeoutMs = Math.round(Number(args.timeout) * 1000);
  const connect = () => {
    const c = new kuzu.Connection(db);
    c.setQueryTimeout(timeoutMs);
    return c;
  };
  const conn = connect();
  await conn.query(
      "CREATE NODE TABLE Node(key STRING, kind STRING, name STRING, PRIMARY KEY (key))");
  await conn.query("CREATE REL TABLE Edge(FROM Node TO Node, type STRING, weight DOUBLE, " +
                   "MANY_MANY)");
  const t0 = process.hrtime.bigint();
  await conn.query(`COPY Node FROM ${quoted(args.nodes)} (HEADER=true)`);
  await conn.query(`COPY Edge FROM ${quoted(args.edges)} (HEADER=true)`);
  const t1 = process.hrtime.bigint();
  const scalar = async (q) => Number(Object.values((await (await conn.query(q)).getAll())[0])[0]);
  const out = {
    kuzu: kuzu.VERSION,
    load: {nodes: await scalar("MATCH (n:Node) RETURN count(n)"),
           edges: await scalar("MATCH ()-[e:Edge]->() RETURN count(e)"),
           copy_s: Number(t1 - t0) / 1e9},
    rss_kib_after_load: rssKib(),
    workloads: [],
    checks: {khop2: [], khop3: [], path: []},
  };
  // PageRank runs over a projected graph of every node and edge (Kùzu's algo extension,
  // linked into the package); projecting is catalogue work, done once before the runs.
  await conn.query("CALL PROJECT_GRAPH('G', ['Node'], ['Edge'])");

  // Answers on the first --check keys, for the suite to compare across systems.
  const check = Math.min(Number(args.check), keys.length);
  const one = async (q, params) => {
    const ps = await conn.prepare(q);
    const rows = await run(ps, conn, params);
    return rows.length ? Number(Object.values(rows[0])[0]) : null;
  };
  for (let i = 0; i < check; ++i) {
    out.checks.khop2.push(await one(QUERIES.khop2, {k: keys[i]}));
    out.checks.khop3.push(await one(QUERIES.khop3, {k: keys[i]}));
    out.checks.path.push(await one(QUERIES.path, {a: keys[i], b: keys[(7 * i + 3) % keys.length]}));
  }

  const extra = [];
  for (const w of workloads) {
    if (w === "mixed") {
      for (const n of clientCounts) {
        while (extra.length < n - 1) extra.push(connect());
        out.workloads.push(await load(w, [conn].concat(extra.slice(0, n - 1)), keys, duration,
                                      warmup, 1));
      }
    } else {
      out.workloads.push(await load(w, [conn], keys, duration, w === "pagerank" ? 0 : warmup,
                                    w === "pagerank" ? 3 : 1));
    }
  }
  // Exit without closing: the package (0.11.3) may crash in its teardown after many prepared
  // statements, and the database directory is deleted by the caller anyway. Writes to a pipe
  // are synchronous in Node.js, so the line is out before the exit.
  process.stdout.write(JSON.stringify(out) + "\n");
  process.exit(0);
}

main().catch((e) => {
  console.error(`queries.js: ${e.stack || e.message}`);
  process.exit(1);
});
