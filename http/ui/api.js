// Talking to the tasksd REST API: the session token, requests, and errors
// turned into sentences.

const storageKey = 'tasksd.session';

/** The logged-in user ({token, expires_at, user}) or null. */
export function currentSession() {
  try {
    const saved = JSON.parse(sessionStorage.getItem(storageKey));
    return saved && saved.token && saved.user ? saved : null;
  } catch {
    return null;
  }
}

function saveSession(session) {
  sessionStorage.setItem(storageKey, JSON.stringify(session));
}

export function clearSession() {
  sessionStorage.removeItem(storageKey);
}

/** An API error with the status, the API's error code and a sentence. */
export class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

/** Called when the token is refused (expired, revoked, user disabled). */
let onExpired = () => {};
export function whenExpired(callback) {
  onExpired = callback;
}

// What to say when the answer carries no message of its own.
const fallbackMessages = {
  400: 'The request was not accepted.',
  401: 'Your session has ended. Please log in again.',
  403: 'Your role does not allow this.',
  404: 'Not found, or not visible to you.',
  409: 'This conflicts with the current state.',
  413: 'That is too large to send.',
  429: 'Too many requests. Please wait a moment and try again.',
  503: 'tasksd is busy or shutting down. Please try again shortly.',
};

async function errorOf(response) {
  let body = null;
  try {
    body = await response.json();
  } catch {
    // Not JSON (e.g. a proxy's page): fall back to words of our own.
  }
  const message = typeof body?.message === 'string' && body.message !== ''
    ? sentence(body.message)
    : fallbackMessages[response.status] ?? `tasksd answered with an error (HTTP ${response.status}).`;
  return new ApiError(response.status, body?.error ?? 'http_error', message);
}

/**
 * The API's messages start lowercase: a plain word is capitalised, a field
 * name ("timeout_seconds: must be …") is kept as it is.
 */
function sentence(text) {
  let result = text.trim();
  if (/^[a-z]+( |$)/.test(result)) result = result.charAt(0).toUpperCase() + result.slice(1);
  return /[.!?]$/.test(result) ? result : `${result}.`;
}

/**
 * Sends one request and returns the parsed JSON body (and the response).
 * Throws ApiError; a refused token also ends the session.
 */
export async function request(method, path, body = undefined) {
  const session = currentSession();
  const headers = { Accept: 'application/json' };
  if (session) headers.Authorization = `Bearer ${session.token}`;
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  let response;
  try {
    response = await fetch(path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      cache: 'no-store',
    });
  } catch {
    throw new ApiError(0, 'network', 'Cannot reach tasksd. Check that it is running and try again.');
  }
  if (!response.ok) {
    const error = await errorOf(response);
    if (response.status === 401 && session && path !== '/api/auth/login') {
      clearSession();
      onExpired();
    }
    throw error;
  }
  return response.json();
}

export const get = (path) => request('GET', path);
export const post = (path, body) => request('POST', path, body);
export const put = (path, body) => request('PUT', path, body);
export const del = (path) => request('DELETE', path);

/** Logs in and keeps the token for this browser tab only. */
export async function login(username, password) {
  const session = await request('POST', '/api/auth/login', { username, password });
  saveSession(session);
  return session;
}

/** Revokes the token; the session ends here even if tasksd cannot be reached. */
export async function logout() {
  try {
    await request('POST', '/api/auth/logout');
  } catch {
    // The token is dropped below either way.
  }
  clearSession();
}

/** A query string from the non-empty entries of `params`. */
export function query(params) {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) {
    if (value !== '' && value !== null && value !== undefined) search.set(name, value);
  }
  const text = search.toString();
  return text ? `?${text}` : '';
}
