-- PostgreSQL side of bench/suite.py: turns the staged import CSVs into the tables the workloads
-- query. Runs after the suite has created stage_nodes/stage_edges (one text column per CSV
-- header column) and COPYed the files into them, inside the same timed psql session.
--
--   nodes(key, kind, name)               one row per node, primary key on key
--   edges(id, src, type, dst, weight)    every edge, as imported (indexes on src and dst)
--   adj(a, b, w)                         every edge in both directions, the table the traversals
--                                        read (index on a covering b and w)

\set ON_ERROR_STOP on

CREATE TABLE nodes (key text PRIMARY KEY, kind text NOT NULL, name text NOT NULL);
INSERT INTO nodes SELECT key, kind, name FROM stage_nodes;

CREATE TABLE edges (
  id bigserial PRIMARY KEY,
  src text NOT NULL,
  type text NOT NULL,
  dst text NOT NULL,
  weight double precision
);
INSERT INTO edges (src, type, dst, weight)
  SELECT "from", type, "to", nullif(weight, '')::double precision FROM stage_edges;
CREATE INDEX edges_src ON edges (src);
CREATE INDEX edges_dst ON edges (dst);

CREATE TABLE adj (a text NOT NULL, b text NOT NULL, w double precision);
INSERT INTO adj
  SELECT src, dst, weight FROM edges
  UNION ALL
  SELECT dst, src, weight FROM edges;
CREATE INDEX adj_a ON adj (a) INCLUDE (b, w);

DROP TABLE stage_nodes, stage_edges;
VACUUM ANALYZE;
