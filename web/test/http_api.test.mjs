// The HTTP/JSON side of the server as the dashboard sees it: every error path of the gateway
// (status, gRPC status name, message), a good call, the streamed Subgraph form and /healthz.

import assert from 'node:assert/strict';
import http from 'node:http';
import { after, before, describe, test } from 'node:test';

import { api, startServer } from './support/server.mjs';

/** POSTs a raw body with node:http, which still reads the answer when the server stops reading. */
function rawPost(url, path, body) {
  return new Promise((resolve, reject) => {
    const req = http.request(`${url}${path}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', 'Content-Length': body.length },
    });
    let settled = false;
    req.on('response', (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (d) => (text += d));
      res.on('end', () => {
        settled = true;
        resolve({ status: res.statusCode, text });
      });
    });
    req.on('error', (err) => {
      // The server may close the connection after answering, before the body is all sent.
      if (!settled) reject(err);
    });
    req.end(body);
  });
}

function assertError(res, httpStatus, status, messagePattern) {
  assert.equal(res.status, httpStatus, JSON.stringify(res.body));
  assert.equal(res.body.status, status);
  assert.equal(typeof res.body.code, 'number');
  assert.match(res.body.message, messagePattern);
}

describe('HTTP/JSON API', () => {
  let server;

  before(async () => {
    server = await startServer();
  });

  after(async () => {
    await server?.stop();
  });

  test('GET /healthz answers ok', async () => {
    const res = await fetch(`${server.url}/healthz`);
    assert.equal(res.status, 200);
    assert.match(await res.text(), /^ok/);
  });

  test('GET / serves the dashboard', async () => {
    const res = await fetch(`${server.url}/`);
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type'), /text\/html/);
    assert.match(await res.text(), /<title>innograph — Hunan innovation graph<\/title>/);
  });

  test('a good call answers 200 in the proto JSON form', async () => {
    const res = await api(server.url, 'Neighbors', {
      node: { key: 'person/zou-xuexiao' },
      direction: 'DIRECTION_OUT',
      filter: { edgeTypes: ['HEADS'] },
    });
    assert.equal(res.status, 200);
    const targets = res.body.neighbors.map((n) => n.node.key).sort();
    assert.deepEqual(targets, ['inst/haas', 'lab/yuelu-mountain', 'univ/hunan-agricultural']);
    const first = res.body.neighbors[0];
    assert.equal(typeof first.edge.id, 'string', 'uint64 as a string');
    assert.equal(first.direction, 'DIRECTION_OUT', 'enums by name');
    assert.ok('validFrom' in first.edge, 'lowerCamelCase names');
  });

  test('malformed JSON is 400 INVALID_ARGUMENT with the parser message', async () => {
    const res = await api(server.url, 'SearchNodes', '{"query": ');
    assertError(res, 400, 'INVALID_ARGUMENT', /^request body: /);
  });

  test('a bad date is 400 INVALID_ARGUMENT naming the field', async () => {
    const res = await api(server.url, 'Neighbors', { node: { key: 'person/zou-xuexiao' }, filter: { asOf: '2021-13-45' } });
    assertError(res, 400, 'INVALID_ARGUMENT', /as_of.*2021-13-45/);
  });

  test('an unknown method is 404 NOT_FOUND', async () => {
    const res = await api(server.url, 'NoSuchMethod', {});
    assertError(res, 404, 'NOT_FOUND', /NoSuchMethod/);
  });

  test('an unknown node is 404 NOT_FOUND naming the key', async () => {
    const res = await api(server.url, 'GetNodes', { nodes: [{ key: 'person/nobody-here' }] });
    assertError(res, 404, 'NOT_FOUND', /person\/nobody-here/);
  });

  test('a schema-breaking edge is 400 FAILED_PRECONDITION naming the rule', async () => {
    const res = await api(server.url, 'UpsertEdges', {
      edges: [{ type: 'EMPLOYED_BY', fromKey: 'award/hunan-natural-science-2021', toKey: 'univ/csu' }],
    });
    assertError(res, 400, 'FAILED_PRECONDITION', /EMPLOYED_BY.*Award/);
    assert.equal(res.body.code, 9);
  });

  test('a batch of 10,001 nodes is 429 RESOURCE_EXHAUSTED', async () => {
    const nodes = Array.from({ length: 10001 }, (_, i) => ({ key: `person/batch-${i}`, kind: 'Person', name: `p${i}` }));
    const res = await api(server.url, 'UpsertNodes', { nodes });
    assertError(res, 429, 'RESOURCE_EXHAUSTED', /10001/);
    // Nothing of the batch was written.
    const check = await api(server.url, 'GetNodes', { nodes: [{ key: 'person/batch-0' }], allowMissing: true });
    assert.equal(check.body.nodes.length, 0);
  });

  test('a body over the 16 MiB limit is refused (413 or 429)', async () => {
    const body = Buffer.from(JSON.stringify({ query: 'x'.repeat(17 * 1024 * 1024) }));
    const res = await rawPost(server.url, '/api/v1/SearchNodes', body);
    assert.ok([413, 429].includes(res.status), `HTTP ${res.status}: ${res.text.slice(0, 200)}`);
    assert.match(res.text, /too large/);
  });

  test('Subgraph answers {"chunks": [...]} ending with the last chunk', async () => {
    const res = await api(server.url, 'Subgraph', { center: { key: 'lab/xiangjiang' }, radius: 1, chunkSize: 5 });
    assert.equal(res.status, 200);
    assert.ok(Array.isArray(res.body.chunks) && res.body.chunks.length >= 2, JSON.stringify(res.body).slice(0, 200));
    assert.equal(res.body.chunks.at(-1).last, true);
    const keys = res.body.chunks.flatMap((c) => c.nodes.map((n) => n.key));
    assert.ok(keys.includes('lab/xiangjiang') && keys.includes('person/chen-xiaohong'), keys.join());
    assert.equal(new Set(keys).size, keys.length, 'each node once');
  });

  test('an unknown static path is 404 NOT_FOUND in the error form', async () => {
    const res = await fetch(`${server.url}/no/such/file.js`);
    assert.equal(res.status, 404);
    const body = await res.json();
    assert.equal(body.status, 'NOT_FOUND');
  });
});
