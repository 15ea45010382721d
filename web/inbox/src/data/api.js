// The one way the browser changes anything: the functions' actions (`inbox_api`, and for the console
// `reports_api` and `console_api`), each with the signed-in person's ID token.
import { current } from '../config';

export class ApiError extends Error {
  constructor(status, code, message, fields) {
    super(message);
    this.status = status;
    this.code = code;
    this.fields = fields; // a form's faulty fields, each with its reason (console_api 422)
  }
}

async function send(url, init) {
  const { auth } = current();
  const token = await auth.currentUser?.getIdToken();
  let response;
  try {
    response = await fetch(url, {
      ...init,
      headers: { ...(init.headers || {}), Authorization: `Bearer ${token}` },
    });
  } catch {
    throw new ApiError(0, 'offline', 'Sem conexão com o servidor');
  }
  if (!response.ok) {
    const body = await response.json().catch(() => ({}));
    throw new ApiError(response.status, body.error?.code || 'error', body.error?.message || `HTTP ${response.status}`, body.error?.fields);
  }
  return response;
}

async function request(action, init) {
  const response = await send(`${current().apiBase}/${action}`, init);
  return response.json().catch(() => ({}));
}

// `service`: 'reports' or 'console'; `path` like 'report' or 'teams/support'; `query` an object.
export async function api(service, path, { method = 'GET', body, query } = {}) {
  const url = new URL(`${current().apiBases[service]}/${path}`);
  Object.entries(query || {}).forEach(([k, v]) => { if (v !== undefined && v !== null && v !== '') url.searchParams.set(k, v); });
  const init = { method, headers: {} };
  if (body !== undefined) {
    init.headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  const response = await send(url.toString(), init);
  return response.headers.get('Content-Type')?.includes('json') ? response.json() : response.blob();
}

export function call(action, body) {
  return request(action, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify(body),
  });
}

export function upload(conversationId, file) {
  const form = new FormData();
  form.append('conversationId', conversationId);
  form.append('file', file);
  return request('upload', { method: 'POST', body: form });
}

export function newClientId() {
  return crypto.randomUUID();
}
