// The dashboard's only door to the server: POST /api/v1/<Method> with the proto's JSON form.
//
// Answers are the proto's standard JSON: lowerCamelCase names, uint64 as strings, enums by name.
// A non-2xx answer throws an ApiError whose message is the server's own message; `status` is the
// gRPC status name ("INVALID_ARGUMENT", ...) and `httpStatus` the HTTP status.

export class ApiError extends Error {
  constructor(method, httpStatus, body) {
    super(body.message || `HTTP ${httpStatus}`);
    this.name = 'ApiError';
    this.method = method;
    this.httpStatus = httpStatus;
    this.code = body.code ?? null;
    this.status = body.status || (httpStatus ? `HTTP ${httpStatus}` : 'UNAVAILABLE');
  }
}

/**
 * Calls one GraphService method.
 * @param {string} method e.g. "SearchNodes"
 * @param {object} request the request message in JSON form
 * @param {{signal?: AbortSignal}} options
 * @returns {Promise<object>} the response message in JSON form
 */
export async function call(method, request = {}, { signal } = {}) {
  let response;
  try {
    response = await fetch(new URL(`api/v1/${method}`, document.baseURI), {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(request),
      signal,
    });
  } catch (err) {
    if (err.name === 'AbortError') throw err;
    throw new ApiError(method, 0, { message: `cannot reach the server (${err.message})` });
  }
  const text = await response.text();
  let body = null;
  try {
    body = text ? JSON.parse(text) : {};
  } catch {
    body = null;
  }
  if (!response.ok) {
    throw new ApiError(method, response.status, body ?? { message: text.trim() || response.statusText });
  }
  if (body === null) {
    throw new ApiError(method, response.status, { message: 'the answer is not JSON' });
  }
  return body;
}

/** A node reference from a key ("person/zou-xuexiao") or an internal id (a decimal string). */
export function nodeRef(keyOrId) {
  return /^\d+$/.test(String(keyOrId)) ? { id: String(keyOrId) } : { key: String(keyOrId) };
}
