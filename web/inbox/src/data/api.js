// The one way the browser changes anything: `inbox_api` actions, each with the signed-in person's ID token.
import { current } from '../config';

export class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

async function request(action, init) {
  const { auth, apiBase } = current();
  const token = await auth.currentUser?.getIdToken();
  let response;
  try {
    response = await fetch(`${apiBase}/${action}`, {
      ...init,
      headers: { ...(init.headers || {}), Authorization: `Bearer ${token}` },
    });
  } catch {
    throw new ApiError(0, 'offline', 'Sem conexão com o servidor');
  }
  const body = await response.json().catch(() => ({}));
  if (!response.ok) {
    throw new ApiError(response.status, body.error?.code || 'error', body.error?.message || `HTTP ${response.status}`);
  }
  return body;
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
