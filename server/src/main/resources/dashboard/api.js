// Every call to /api/v1 goes through here: same-origin credentials (the session cookie), JSON, and a failure that
// is an ApiError carrying the API's own message ({"error": ..., "field": ...}), never an unhandled rejection.

export class ApiError extends Error {
  constructor(status, message, field) {
    super(message);
    this.status = status;
    this.field = field;
  }
}

const listeners = { unauthorised: [] };

/** Calls fn() whenever the API answers 401: the session ended or the server wants a token. */
export function onUnauthorised(fn) {
  listeners.unauthorised.push(fn);
}

/** Fetches path (under the page's origin) and returns its parsed JSON, or null for 204. */
export async function api(path, { method = 'GET', body, headers = {} } = {}) {
  let response;
  try {
    response = await fetch(path, {
      method,
      credentials: 'same-origin',
      headers: body === undefined ? headers : { 'Content-Type': 'application/json', ...headers },
      body: body === undefined ? undefined : (typeof body === 'string' ? body : JSON.stringify(body)),
    });
  } catch (e) {
    throw new ApiError(0, `the server did not answer (${e.message})`);
  }
  if (response.status === 401) {
    listeners.unauthorised.forEach((fn) => fn());
  }
  if (response.status === 204) {
    return null;
  }
  const text = await response.text();
  let json = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch (e) {
    json = null;
  }
  if (!response.ok) {
    const message = json && json.error ? json.error : `${response.status} ${response.statusText}`;
    throw new ApiError(response.status, message, json ? json.field : undefined);
  }
  return json;
}

const errorBox = () => document.getElementById('errors');
const shown = new Map();

/** Shows a failure of one source (keyed, so a repeated failure is one line) until that source succeeds again. */
export function showError(source, error) {
  const box = errorBox();
  let line = shown.get(source);
  if (!line) {
    line = document.createElement('p');
    line.dataset.source = source;
    shown.set(source, line);
    box.append(line);
  }
  line.textContent = `${source}: ${error.message}`;
}

export function clearError(source) {
  const line = shown.get(source);
  if (line) {
    line.remove();
    shown.delete(source);
  }
}

/** Runs task (an async function) and reports its failure under source; resolves to its value or undefined. */
export async function guarded(source, task) {
  try {
    const value = await task();
    clearError(source);
    return value;
  } catch (e) {
    showError(source, e);
    return undefined;
  }
}
