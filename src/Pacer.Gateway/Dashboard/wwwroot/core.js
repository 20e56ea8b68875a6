// Pacer's dashboard, shared pieces: the admin API call with the session, and DOM helpers. Plain scripts, no build step:
// every figure comes from the gateway's admin API, called with the session cookie (HttpOnly, set at sign-in) and the
// session's CSRF token, which lives only in this page's memory. live.js, manage.js and app.js use what this one defines.
'use strict';

window.PacerDashboard = (() => {
  const POLL_MS = 1000;
  const VIEWS = ['live', 'usage', 'settings', 'keys', 'budgets', 'alerts'];
  const state = { csrf: null, lastSample: 0, samples: null, charts: {}, settings: null, status: null, timer: null, busy: false };

  const $ = (id) => document.getElementById(id);

  // Builds an element; children are nodes or text (never parsed as HTML).
  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [name, value] of Object.entries(attrs || {})) {
      if (value === undefined || value === null || value === false) continue;
      if (name === 'class') node.className = value;
      else if (name === 'text') node.textContent = value;
      else if (name.startsWith('on')) node.addEventListener(name.slice(2), value);
      else node.setAttribute(name, value === true ? '' : String(value));
    }
    for (const child of children) {
      if (child !== null && child !== undefined) node.append(child);
    }
    return node;
  }

  function setFigure(id, value) {
    const node = $(id);
    const text = value === null || value === undefined ? '–' : String(value);
    node.dataset.value = text;
    node.textContent = typeof value === 'number' ? value.toLocaleString('en-US') : text;
  }

  const time = (iso) => (iso ? new Date(iso).toISOString().replace('T', ' ').replace(/\.\d+Z$/, 'Z') : '–');

  // Calls the admin API with the session; a 401 means the session ended.
  async function api(method, path, body) {
    const headers = { 'X-Pacer-CSRF': state.csrf || '' };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    const response = await fetch(path, {
      method, headers, credentials: 'same-origin', cache: 'no-store',
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (response.status === 401 && path.startsWith('/api/admin')) {
      D.signedOut('Your session has ended: sign in again.');
      throw new Error('signed out');
    }
    const type = response.headers.get('content-type') || '';
    const data = type.includes('json') ? await response.json() : await response.text();
    return { ok: response.ok, status: response.status, data };
  }

  // Runs an action with its button disabled, so that a double click sends it once.
  async function busy(button, action) {
    if (button) button.disabled = true;
    try { return await action(); } finally { if (button) button.disabled = false; }
  }

  const errorText = (result) => (result.data && result.data.error && result.data.error.message) || `Failed (${result.status}).`;

  const D = { POLL_MS, VIEWS, state, $, el, setFigure, time, api, busy, errorText, signedOut: () => {} };
  return D;
})();
