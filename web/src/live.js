// Live updates: the server's change feed (GET api/v1/watch, Server-Sent Events, one WatchEvent
// in the proto's JSON form per event, its sequence as the event id) applied to the drawing.
//
// - Events are collected and applied in batches: DEBOUNCE_MS after the last one, at the latest
//   MAX_WAIT_MS after the first, one batch at a time and never while the view is being fetched.
// - A renamed drawn node is relabelled and a deleted drawn node or edge removed in place; an
//   edge that appears at a drawn, expanded node makes the explorer fetch that node's
//   neighbourhood again. More than MAX_REFRESH_NODES such nodes in one batch, a hub, a flood of
//   events (over MAX_PENDING_EVENTS) or a `resync` reload the whole view instead, at most once
//   every MIN_RELOAD_MS.
// - Events received before the view was last rebuilt (focus, filter change) are already in it
//   and are dropped (the explorer's generation tells).
// - The resume point is the sequence of the last complete change (last_in_change). After an
//   error the connection is closed and opened again with ?start_after= (1 s, doubling up to
//   30 s); when the server no longer has that sequence (or never had it: a new data directory)
//   the feed starts from now and the view is reloaded. A server without the endpoint (404):
//   no indicator, no retries.
// - The indicator (data-testid="live-status") says "live" or "reconnecting…".

const DEBOUNCE_MS = 300;
const MAX_WAIT_MS = 2000;
const MAX_PENDING_EVENTS = 5000;
const MAX_REFRESH_NODES = 8;
const MIN_RELOAD_MS = 3000;
const FIRST_RETRY_MS = 1000;
const MAX_RETRY_MS = 30000;
const STABLE_MS = 30000; // A connection open this long resets the retry delay.

function emptyBatch(generation) {
  return {
    generation,
    count: 0,
    reload: false,
    nodes: new Map(), // id -> node (new state)
    deletedNodes: new Map(), // id -> key
    edges: new Map(), // id -> edge (new state)
    deletedEdges: new Set(), // ids
  };
}

export class LiveFeed {
  /**
   * @param {{explorer: import('./explorer.js').Explorer, indicator: HTMLElement,
   *          reload: () => Promise<void>, onNodeChanged?: (node) => void,
   *          onRootDeleted?: (key: string) => void, url?: string}} options
   */
  constructor({ explorer, indicator, reload, onNodeChanged, onRootDeleted, url = 'api/v1/watch' }) {
    this.explorer = explorer;
    this.indicator = indicator;
    this.reload = reload;
    this.onNodeChanged = onNodeChanged;
    this.onRootDeleted = onRootDeleted;
    this.url = url;
    this.source = null;
    this.lastSequence = null; // The last complete change seen (a decimal string).
    this.retryMs = FIRST_RETRY_MS;
    this.retryTimer = null;
    this.stopped = true;
    this.reloadOnStart = false;
    this.batch = emptyBatch(explorer.generation);
    this.timer = null;
    this.firstAt = 0;
    this.applying = false;
    this.lastReload = 0;
    this.stats = { events: 0, applied: 0, refreshes: 0, reloads: 0, connects: 0 };
    this.#setState('off');
  }

  start() {
    if (!this.stopped) return;
    if (typeof EventSource === 'undefined') return;
    this.stopped = false;
    this.#connect();
  }

  stop() {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    clearTimeout(this.timer);
    this.source?.close();
    this.source = null;
    this.#setState('off');
  }

  // ---------------------------------------------------------------------------------------------
  // The connection

  #connect() {
    if (this.stopped) return;
    const source = new EventSource(this.#watchUrl());
    this.source = source;
    this.stats.connects++;
    let openedAt = 0;
    source.onopen = () => {
      openedAt = Date.now();
      this.#setState('live');
    };
    source.onmessage = (e) => this.#onMessage(e.data);
    source.onerror = (e) => {
      if (this.source !== source) return;
      // Reconnect ourselves (with start_after) rather than let EventSource do it with the id of
      // an event that may be in the middle of a change.
      source.close();
      this.source = null;
      if (openedAt && Date.now() - openedAt > STABLE_MS) this.retryMs = FIRST_RETRY_MS;
      // The server ends a failed stream with "event: error" and {code, message}.
      let ended = null;
      if (typeof e?.data === 'string') {
        try {
          ended = JSON.parse(e.data);
        } catch {
          ended = {};
        }
      }
      if (ended) this.#ended(ended);
      else this.#recover();
    };
  }

  // The stream ended with a gRPC status.
  #ended({ code }) {
    if (this.stopped) return;
    if ((code === 9 || code === 3 || code === 11) && this.lastSequence !== null) {
      this.#restartFromNow(); // Older than the retained history, or after the newest change.
      return;
    }
    this.#setState('reconnecting');
    this.#retry(this.#nextDelay());
  }

  #watchUrl() {
    const url = new URL(this.url, document.baseURI);
    if (this.lastSequence !== null) url.searchParams.set('start_after', this.lastSequence);
    return url;
  }

  // Why did it fail? A fetch of the URL to resume with tells the status (and is dropped at the
  // headers).
  async #recover() {
    if (this.stopped) return;
    if (this.state === 'live') this.#setState('reconnecting');
    let status = 0;
    const abort = new AbortController();
    try {
      const response = await fetch(this.#watchUrl(), { signal: abort.signal, cache: 'no-store' });
      status = response.status;
    } catch {
      status = 0; // Not reachable.
    } finally {
      abort.abort();
    }
    if (this.stopped) return;
    if (status === 404) {
      // No change feed on this server: say nothing and do not try again.
      this.stop();
      return;
    }
    if (status === 400 && this.lastSequence !== null) {
      this.#restartFromNow();
      return;
    }
    this.#setState('reconnecting');
    if (status >= 400 && status < 500 && status !== 408 && status !== 429) this.#retry(MAX_RETRY_MS);
    else this.#retry(status === 200 ? 0 : this.#nextDelay());
  }

  // The resume point is gone (older than the retained history, or from another store): start
  // from now and read the view again.
  #restartFromNow() {
    this.lastSequence = null;
    this.reloadOnStart = true;
    this.#setState('reconnecting');
    this.#retry(Math.min(this.#nextDelay(), FIRST_RETRY_MS));
  }

  #nextDelay() {
    const delay = this.retryMs;
    this.retryMs = Math.min(MAX_RETRY_MS, this.retryMs * 2);
    return delay;
  }

  #retry(ms) {
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => this.#connect(), ms);
  }

  #setState(state) {
    this.state = state;
    const el = this.indicator;
    if (!el) return;
    el.dataset.state = state;
    el.hidden = state === 'off';
    el.textContent = state === 'live' ? 'live' : state === 'reconnecting' ? 'reconnecting…' : '';
    el.title =
      state === 'live'
        ? 'Changes made on the server appear in the drawing as they happen.'
        : state === 'reconnecting'
          ? 'The change feed was interrupted; reconnecting.'
          : '';
  }

  // ---------------------------------------------------------------------------------------------
  // Events

  #onMessage(data) {
    let event;
    try {
      event = JSON.parse(data);
    } catch {
      return;
    }
    if (!event || typeof event !== 'object') return;
    this.stats.events++;
    if (event.lastInChange) this.lastSequence = String(event.sequence ?? '0');
    if (event.started) {
      if (this.state !== 'live') this.#setState('live');
      if (this.reloadOnStart) {
        this.reloadOnStart = false;
        this.#add((b) => (b.reload = true));
      }
      return;
    }
    if (event.resync) this.#add((b) => (b.reload = true));
    else if (event.nodeUpserted) {
      const node = event.nodeUpserted;
      this.#add((b) => b.nodes.set(String(node.id), node));
    } else if (event.nodeDeleted) {
      const { id, key } = event.nodeDeleted;
      this.#add((b) => {
        b.nodes.delete(String(id));
        b.deletedNodes.set(String(id), key ?? '');
      });
    } else if (event.edgeUpserted) {
      const edge = event.edgeUpserted;
      this.#add((b) => b.edges.set(String(edge.id), edge));
    } else if (event.edgeDeleted) {
      const { id } = event.edgeDeleted;
      this.#add((b) => {
        b.edges.delete(String(id));
        b.deletedEdges.add(String(id));
      });
    }
  }

  // Adds an event to the batch and schedules it.
  #add(change) {
    const generation = this.explorer.generation;
    if (this.batch.generation !== generation) {
      // The view was rebuilt since these events came: they are in it.
      this.batch = emptyBatch(generation);
    }
    const b = this.batch;
    if (++b.count > MAX_PENDING_EVENTS) {
      // A flood: stop keeping the details, read the whole view again once it calms down.
      b.reload = true;
      b.nodes.clear();
      b.deletedNodes.clear();
      b.edges.clear();
      b.deletedEdges.clear();
    } else {
      change(b);
    }
    this.#schedule();
  }

  #schedule(delay = DEBOUNCE_MS) {
    const now = Date.now();
    if (!this.timer) this.firstAt = now;
    clearTimeout(this.timer);
    const latest = Math.max(0, this.firstAt + MAX_WAIT_MS - now);
    this.timer = setTimeout(() => {
      this.timer = null;
      this.#apply();
    }, Math.min(delay, latest));
  }

  async #apply() {
    const explorer = this.explorer;
    if (this.batch.count === 0 && !this.batch.reload) return;
    if (this.applying || explorer.busy > 0) {
      // A batch or a fetch of the view is running: come back a little later.
      this.timer = setTimeout(() => {
        this.timer = null;
        this.#apply();
      }, DEBOUNCE_MS);
      return;
    }
    const batch = this.batch;
    this.batch = emptyBatch(explorer.generation);
    if (batch.generation !== explorer.generation) return; // Already in the view.
    if (!explorer.root) return; // Nothing drawn.
    this.applying = true;
    this.stats.applied++;
    try {
      let reload = batch.reload;
      const dirty = new Set();
      if (!reload) {
        for (const [id, node] of batch.nodes) {
          if (explorer.updateNode(node)) this.onNodeChanged?.(node);
        }
        for (const id of batch.deletedEdges) explorer.removeEdge(id);
        for (const [id, key] of batch.deletedNodes) {
          if (explorer.removeNode(id) === 'root') {
            this.onRootDeleted?.(key);
            return;
          }
        }
        for (const edge of batch.edges.values()) {
          for (const id of explorer.edgeChanged(edge)) dirty.add(id);
        }
        if (dirty.size > MAX_REFRESH_NODES) reload = true;
      }
      if (!reload && dirty.size) {
        this.stats.refreshes++;
        try {
          reload = !(await explorer.refresh([...dirty]));
        } catch (err) {
          if (err?.name !== 'StaleView') throw err;
        }
      }
      if (reload) {
        const wait = this.lastReload + MIN_RELOAD_MS - Date.now();
        if (wait > 0) {
          // Too soon after the last one: keep it for later.
          this.batch.reload = true;
          clearTimeout(this.timer);
          this.timer = setTimeout(() => {
            this.timer = null;
            this.#apply();
          }, wait);
          return;
        }
        this.lastReload = Date.now();
        this.stats.reloads++;
        await this.reload();
      }
    } catch (err) {
      console.warn('live update', err);
    } finally {
      this.applying = false;
    }
  }
}
