// The `webchat` function's routes (docs/webchat.md), each with the visitor's ID token once signed in.

export class WebchatError extends Error {
  constructor(status, code, message, retryAfter) {
    super(message || `HTTP ${status}`);
    this.status = status;
    this.code = code || 'error';
    this.retryAfter = retryAfter;
  }

  /** A 5xx, a 429 or no network: the same request may succeed later. */
  get retryable() {
    return this.status === 0 || this.status === 429 || this.status >= 500;
  }
}

export function webchatApi(apiUrl, siteKey, auth) {
  // `site` on every URL: a CORS preflight carries neither body nor token, and is answered per site
  const site = `?site=${encodeURIComponent(siteKey)}`;
  async function request(path, { body, contentType = 'application/json', anonymous = false } = {}) {
    const headers = {};
    const user = auth.currentUser;
    if (user && !anonymous) headers.Authorization = `Bearer ${await user.getIdToken()}`;
    if (body !== undefined) headers['Content-Type'] = contentType;
    let response;
    try {
      response = await fetch(`${apiUrl}${path}${site}`, {
        method: 'POST',
        headers,
        body: contentType === 'application/json' ? JSON.stringify(body) : body,
        credentials: 'omit',
      });
    } catch {
      throw new WebchatError(0, 'network', 'network error');
    }
    const data = await response.json().catch(() => ({}));
    if (!response.ok) {
      const error = data.error || {};
      throw new WebchatError(response.status, error.code, error.message, response.headers.get('Retry-After'));
    }
    return data;
  }

  return {
    session: (body) => request('/session', { body, anonymous: true }),
    message: (body) => request('/messages', { body }),
    upload: (file) => request('/uploads', { body: file, contentType: file.type }),
    receipts: (messageIds, status) => request('/receipts', { body: { messageIds, status } }),
    links: (messageIds) => request('/links', { body: { messageIds } }),
    leaveMessage: (body) => request('/leave-message', { body }),
  };
}
