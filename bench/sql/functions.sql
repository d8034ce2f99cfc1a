-- PostgreSQL side of bench/suite.py: the shortest-path search.
--
-- bfs_hops(src, dst, max_depth): the number of hops of a shortest path from src to dst over
-- adj (every edge, both directions), NULL when there is none within max_depth.
-- Level-synchronous breadth-first search: each level is one INSERT ... SELECT joining the
-- previous level's frontier with adj into a session-local visited table; it stops at the first
-- level that reaches dst. A single recursive CTE cannot stop there (its recursive term sees
-- only the previous level, not whether dst was already reached), so it would expand the whole
-- max_depth ball on every call; the 2- and 3-hop counts, which need the whole ball anyway, are
-- recursive CTEs (bench/sql/khop2.sql, khop3.sql).

\set ON_ERROR_STOP on

CREATE FUNCTION bfs_hops(src text, dst text, max_depth int) RETURNS int
LANGUAGE plpgsql
SET client_min_messages = warning
AS $$
DECLARE
  depth int := 0;
  added bigint;
BEGIN
  IF src = dst THEN
    RETURN 0;
  END IF;
  CREATE TEMP TABLE IF NOT EXISTS bfs_seen (n text PRIMARY KEY, d int NOT NULL);
  TRUNCATE bfs_seen;
  INSERT INTO bfs_seen VALUES (src, 0);
  WHILE depth < max_depth LOOP
    depth := depth + 1;
    INSERT INTO bfs_seen
      SELECT DISTINCT adj.b, depth FROM bfs_seen s JOIN adj ON adj.a = s.n
      WHERE s.d = depth - 1
      ON CONFLICT (n) DO NOTHING;
    GET DIAGNOSTICS added = ROW_COUNT;
    IF EXISTS (SELECT 1 FROM bfs_seen WHERE n = dst) THEN
      RETURN depth;
    END IF;
    IF added = 0 THEN
      RETURN NULL;
    END IF;
  END LOOP;
  RETURN NULL;
END
$$;
