-- pgbench script (bench/suite.py, workload "floor"): a query that does no graph work, so the
-- latency is one round trip through PostgreSQL (pgbench -M prepared: no parse per call). The
-- \set is there for pgbench's timing: without a meta command it logs a zero latency for every
-- transaction after the first.
\set i random(0, :nkeys - 1)
SELECT :i;
