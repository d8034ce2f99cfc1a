// Kùzu COPY baseline for bench/import_bench.py (docs/BENCHMARKS.md, "Import").
//
// Usage: node copy.js --db DIR --nodes NODES.csv --edges EDGES.csv
//
// DIR must not exist (a fresh database each run). The CSV files are the Kùzu-friendly copies
// that import_bench.py writes from innograph-generate's output, outside the timed section:
//   nodes: key,kind,name
//   edges: from,to,type,valid_from,valid_to,weight   (from/to first, as COPY of a rel table
//          wants; dates completed to YYYY-MM-DD; empty weight = NULL)
// Creates one node table and one rel table, then times the two COPY statements only (schema
// creation and opening the database are not timed). Prints one JSON line on stdout:
//   {"kuzu":"0.11.3","nodes":N,"edges":M,"copy_nodes_s":..,"copy_edges_s":..,"copy_s":..}

"use strict";

const fs = require("fs");
const kuzu = require("kuzu");

function parseArgs(argv) {
  const out = {};
  for (let i = 0; i < argv.length; i += 2) {
    if (!argv[i].startsWith("--") || i + 1 >= argv.length) {
      throw new Error(`bad argument '${argv[i]}' (want --db DIR --nodes F --edges F)`);
    }
    out[argv[i].slice(2)] = argv[i + 1];
  }
  for (const need of ["db", "nodes", "edges"]) {
    if (!out[need]) throw new Error(`--${need} is required`);
  }
  return out;
}

function quoted(path) {
  return `'${path.replace(/\\/g, "\\\\").replace(/'/g, "\\'")}'`;
}

async function scalar(conn, query) {
  const result = await conn.query(query);
  const rows = await result.getAll();
  return Number(Object.values(rows[0])[0]);
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  if (fs.existsSync(args.db)) throw new Error(`--db ${args.db} exists; want a fresh directory`);
  const db = new kuzu.Database(args.db);
  const conn = new kuzu.Connection(db);
  await conn.query(
      "CREATE NODE TABLE Node(key STRING, kind STRING, name STRING, PRIMARY KEY (key))");
  await conn.query(
      "CREATE REL TABLE Edge(FROM Node TO Node, type STRING, valid_from DATE, valid_to DATE, " +
      "weight DOUBLE, MANY_MANY)");

  const t0 = process.hrtime.bigint();
  await conn.query(`COPY Node FROM ${quoted(args.nodes)} (HEADER=true)`);
  const t1 = process.hrtime.bigint();
  await conn.query(`COPY Edge FROM ${quoted(args.edges)} (HEADER=true)`);
  const t2 = process.hrtime.bigint();

  const nodes = await scalar(conn, "MATCH (n:Node) RETURN count(n)");
  const edges = await scalar(conn, "MATCH ()-[e:Edge]->() RETURN count(e)");
  console.log(JSON.stringify({
    kuzu: kuzu.VERSION,
    nodes,
    edges,
    copy_nodes_s: Number(t1 - t0) / 1e9,
    copy_edges_s: Number(t2 - t1) / 1e9,
    copy_s: Number(t2 - t0) / 1e9,
  }));
  await conn.close();
  await db.close();
}

main().catch((e) => {
  console.error(`copy.js: ${e.message}`);
  process.exit(1);
});
