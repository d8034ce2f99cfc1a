// Starts the real innograph-server for a test file: free loopback ports, a fresh temporary data
// directory seeded with the Hunan demo data, the built dashboard (web/dist) as web root.
//
//   INNOGRAPH_SERVER_BIN  the server binary (default <repo>/build/release/server/innograph-server)

import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const WEB_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const REPO_DIR = resolve(WEB_DIR, '..');
export const SERVER_BIN =
  process.env.INNOGRAPH_SERVER_BIN || join(REPO_DIR, 'build', 'release', 'server', 'innograph-server');
export const SEED = join(REPO_DIR, 'data', 'hunan', 'hunan.jsonl');
export const WEB_ROOT = join(WEB_DIR, 'dist');

const START_TIMEOUT_MS = 20000;
const STOP_TIMEOUT_MS = 10000;

/** A TCP port on 127.0.0.1 that was free a moment ago. */
export function freePort() {
  return new Promise((resolvePort, reject) => {
    const probe = net.createServer();
    probe.unref();
    probe.on('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address();
      probe.close(() => resolvePort(port));
    });
  });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * Starts a server and waits for GET /healthz = 200.
 * @returns {Promise<{url: string, grpcPort: number, stop: () => Promise<void>, log: () => string}>}
 */
export async function startServer() {
  if (!existsSync(SERVER_BIN)) throw new Error(`no server binary at ${SERVER_BIN} (set INNOGRAPH_SERVER_BIN)`);
  if (!existsSync(join(WEB_ROOT, 'index.html'))) throw new Error(`no ${WEB_ROOT}/index.html: run "npm run build" first`);
  let lastError;
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      return await startOnce();
    } catch (err) {
      lastError = err;
      if (!err.retry) break; // Only a port taken between probe and bind is worth another try.
    }
  }
  throw lastError;
}

async function startOnce() {
  const dataDir = mkdtempSync(join(tmpdir(), 'innograph-web-test-'));
  const grpcPort = await freePort();
  let httpPort = await freePort();
  while (httpPort === grpcPort) httpPort = await freePort();
  const url = `http://127.0.0.1:${httpPort}`;
  const child = spawn(
    SERVER_BIN,
    [
      '--data-dir', dataDir,
      '--listen', `127.0.0.1:${grpcPort}`,
      '--http', `127.0.0.1:${httpPort}`,
      '--web-root', WEB_ROOT,
      '--seed', SEED,
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  child.stdout.on('data', (d) => (output += d));
  child.stderr.on('data', (d) => (output += d));
  let exited = null;
  let stopping = false;
  const exit = new Promise((r) =>
    child.on('exit', (code, signal) => {
      exited = { code, signal };
      if (!stopping) console.error(`innograph-server exited unexpectedly (${code ?? signal}):\n${output}`);
      r(exited);
    }),
  );

  const cleanup = () => rmSync(dataDir, { recursive: true, force: true });
  const stop = async () => {
    stopping = true;
    if (!exited) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
      await exit;
      clearTimeout(timer);
    }
    cleanup();
  };

  const deadline = Date.now() + START_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (exited) {
      stopping = true;
      cleanup();
      const err = new Error(`innograph-server exited (${exited.code ?? exited.signal}) before answering:\n${output}`);
      err.retry = exited.code === 4; // Cannot listen: a port was taken meanwhile.
      throw err;
    }
    try {
      const res = await fetch(`${url}/healthz`);
      if (res.status === 200) return { url, grpcPort, stop, log: () => output };
    } catch {
      // Not listening yet.
    }
    await sleep(100);
  }
  await stop();
  throw new Error(`innograph-server did not answer /healthz within ${START_TIMEOUT_MS} ms:\n${output}`);
}

/** POST /api/v1/<method>; resolves to {status, body} (body parsed when JSON). */
export async function api(url, method, request = {}) {
  const res = await fetch(`${url}/api/v1/${method}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: typeof request === 'string' ? request : JSON.stringify(request),
  });
  const text = await res.text();
  let body = text;
  try {
    body = JSON.parse(text);
  } catch {
    // Not JSON: keep the text.
  }
  return { status: res.status, body };
}
