// Pacer's dashboard. Plain script, no build step: every figure comes from the gateway's admin API, called with the
// session cookie (HttpOnly, set at sign-in) and the session's CSRF token, which lives only in this page's memory.
'use strict';

(() => {
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
      showSignIn('Your session has ended: sign in again.');
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

  // ---- Sign-in --------------------------------------------------------------------------------------------------

  async function start() {
    const response = await fetch('/dashboard/session', { credentials: 'same-origin', cache: 'no-store' });
    const session = await response.json();
    $('loading').hidden = true;
    if (session.adminApi === 'off') {
      $('admin-off-text').textContent = session.howToEnable;
      $('admin-off').hidden = false;
      return;
    }
    if (!session.signedIn) {
      showSignIn('');
      return;
    }
    state.csrf = session.csrf;
    signedIn();
  }

  function showSignIn(message) {
    stopPolling();
    state.csrf = null;
    for (const view of VIEWS) $(`view-${view}`).hidden = true;
    $('nav').hidden = true;
    $('signout').hidden = true;
    $('banner').hidden = true;
    $('signin').hidden = false;
    $('signin-error').textContent = message;
    $('admin-key').focus();
  }

  $('signin-form').addEventListener('submit', async (event) => {
    event.preventDefault();
    const input = $('admin-key');
    const response = await fetch('/dashboard/session', {
      method: 'POST', credentials: 'same-origin', cache: 'no-store',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ key: input.value }),
    });
    input.value = '';
    const data = await response.json();
    if (!response.ok) {
      $('signin-error').textContent = response.status === 401
        ? 'Wrong admin key: it does not match PACER_ADMIN_API_KEY.'
        : (data.error && data.error.message) || 'Sign-in failed.';
      input.focus();
      return;
    }
    state.csrf = data.csrf;
    signedIn();
  });

  $('signout').addEventListener('click', async () => {
    await fetch('/dashboard/session', { method: 'DELETE', credentials: 'same-origin', headers: { 'X-Pacer-CSRF': state.csrf || '' } });
    showSignIn('Signed out.');
  });

  async function signedIn() {
    $('signin').hidden = true;
    $('nav').hidden = false;
    $('signout').hidden = false;
    const settings = await api('GET', '/api/admin/settings');
    state.settings = settings.data;
    buildSettingsForm();
    buildPresets();
    show(location.hash.slice(1));
    $('main').focus();
    startPolling();
  }

  // ---- Navigation -----------------------------------------------------------------------------------------------

  function show(name) {
    if (!VIEWS.includes(name)) name = 'live';
    for (const view of VIEWS) $(`view-${view}`).hidden = view !== name;
    for (const link of document.querySelectorAll('#nav a')) {
      if (link.dataset.view === name) link.setAttribute('aria-current', 'page');
      else link.removeAttribute('aria-current');
    }
    if (name === 'live') resizeCharts();
    if (name === 'usage') loadUsage();
    if (name === 'keys') loadKeys();
    if (name === 'budgets') loadBudgets();
    if (name === 'settings') fillSettings();
  }

  window.addEventListener('hashchange', () => { if (state.csrf) show(location.hash.slice(1)); });

  // ---- Live -----------------------------------------------------------------------------------------------------

  function startPolling() {
    stopPolling();
    const tick = async () => {
      if (!state.csrf) return;
      // A hidden tab does not poll; the gateway keeps the samples, and the next poll fetches what was missed.
      if (!state.busy && !document.hidden) {
        state.busy = true;
        try { await poll(); } catch (e) { /* shown on the next successful poll */ } finally { state.busy = false; }
      }
      if (state.csrf) state.timer = setTimeout(tick, POLL_MS);
    };
    tick();
  }

  function stopPolling() {
    if (state.timer) clearTimeout(state.timer);
    state.timer = null;
  }

  async function poll() {
    const [status, live] = await Promise.all([
      api('GET', '/api/admin/rate-limit-status'),
      api('GET', `/api/admin/live?since=${state.lastSample}`),
    ]);
    if (status.ok) renderStatus(status.data);
    if (live.ok) renderLive(live.data);
    $('live-updated').textContent = `updated ${new Date().toLocaleTimeString()}`;
  }

  function renderStatus(status) {
    state.status = status;
    const current = status.currentStatus;
    const config = status.configuration;
    setFigure('live-rpm', current.requestsInLastMinute);
    setFigure('live-rpm-limit', config.maxRequestsPerMinute);
    setFigure('live-reset', current.timeUntilReset);
    setFigure('live-inflight', current.currentRequests);
    setFigure('live-concurrency', config.maxConcurrentRequests);
    meter('live-rpm-bar', current.requestsInLastMinute / config.maxRequestsPerMinute);
    meter('live-inflight-bar', current.currentRequests / config.maxConcurrentRequests);
    setFigure('live-queued', status.queue.requests);
    setFigure('live-queued-users', status.queue.users);
    renderQueueClasses(status.queue);
    const totals = status.totals;
    setFigure('total-requests', totals.requests);
    setFigure('total-attempts', totals.attempts);
    setFigure('total-retries', totals.retries);
    setFigure('total-ratelimited', totals.rateLimited);
    setFigure('total-failures', totals.failures);
    setFigure('total-rejections', totals.rejections);
    renderBuckets(status.upstreamBuckets);
    $('persisted').textContent = status.gateway.persistedSettings.length ? status.gateway.persistedSettings.join(', ') : 'none';
    $('keys-mode').textContent = status.gateway.authMode === 'managed'
      ? 'Callers use these keys (PACER_AUTH_MODE=managed).'
      : 'The gateway runs in passthrough mode: callers send their own Anthropic keys, and keys made here are only used once PACER_AUTH_MODE=managed.';
  }

  function meter(id, ratio) {
    const bar = $(id);
    const share = Math.max(0, Math.min(1, Number.isFinite(ratio) ? ratio : 0));
    bar.style.width = `${(share * 100).toFixed(1)}%`;
    bar.className = share >= 0.9 ? 'hot' : share >= 0.7 ? 'warm' : '';
  }

  // The queue per priority class (or any other breakdown) appears as soon as the status carries it.
  function renderQueueClasses(queue) {
    const list = $('live-queue-classes');
    list.replaceChildren();
    for (const [name, value] of Object.entries(queue)) {
      if (name === 'requests' || name === 'users') continue;
      if (value !== null && typeof value === 'object') {
        for (const [part, count] of Object.entries(value)) {
          list.append(el('dt', { text: `${name} ${part}` }), el('dd', { text: typeof count === 'object' ? JSON.stringify(count) : String(count) }));
        }
      } else {
        list.append(el('dt', { text: name }), el('dd', { text: String(value) }));
      }
    }
  }

  function budgetCell(budget) {
    if (!budget || budget.limit === null || budget.limit === undefined) return 'not learned';
    const reset = budget.reset ? ` · reset ${time(budget.reset).slice(11)}` : '';
    return `${budget.remaining ?? '?'} of ${budget.limit}${reset}`;
  }

  function renderBuckets(buckets) {
    const body = $('buckets-table').querySelector('tbody');
    body.replaceChildren(...buckets.map((b) => el('tr', {},
      el('td', { text: b.keyId }), el('td', { text: b.modelClass }),
      el('td', { text: budgetCell(b.requests) }), el('td', { text: budgetCell(b.inputTokens) }),
      el('td', { text: budgetCell(b.outputTokens) }),
      el('td', { class: b.cooldownUntil ? 'warn' : '', text: b.cooldownUntil ? time(b.cooldownUntil) : '–' }))));
    $('buckets-table').hidden = buckets.length === 0;
    $('buckets-empty').hidden = buckets.length > 0;
  }

  function renderLive(live) {
    setFigure('live-absorbed', live.rateLimited.absorbed);
    setFigure('live-passedon', live.rateLimited.passedOn);
    appendSamples(live.samples);
    renderAlerts(live.alerts);
  }

  const SERIES = ['time', 'requestsInLastMinute', 'requestsPerMinuteLimit', 'inFlight', 'concurrencyLimit', 'queued',
    'requests', 'retries', 'upstreamRateLimited', 'passedOnRateLimited', 'failures', 'rejections'];

  function appendSamples(samples) {
    if (!samples.time.length) return;
    if (!state.samples) state.samples = Object.fromEntries(SERIES.map((s) => [s, []]));
    for (const name of SERIES) state.samples[name].push(...samples[name]);
    const keep = 15 * 60;
    const extra = state.samples.time.length - keep;
    if (extra > 0) for (const name of SERIES) state.samples[name].splice(0, extra);
    state.lastSample = state.samples.time[state.samples.time.length - 1];
    drawCharts();
  }

  // Differences between running totals, per sample: what happened in each second.
  function perSecond(values) {
    return values.map((v, i) => (i === 0 ? 0 : Math.max(0, v - values[i - 1])));
  }

  function chartWidth(id) {
    const width = $(id).parentElement.clientWidth;
    return Math.max(260, width - 8);
  }

  function drawCharts() {
    if (typeof uPlot === 'undefined') return;
    const s = state.samples;
    const t = s.time.map((ms) => ms / 1000);
    const passed = perSecond(s.passedOnRateLimited);
    const upstream = perSecond(s.upstreamRateLimited);
    const data = {
      'chart-rpm': [t, s.requestsInLastMinute, s.requestsPerMinuteLimit],
      'chart-load': [t, s.inFlight, s.queued, s.concurrencyLimit],
      'chart-events': [t, perSecond(s.requests), perSecond(s.retries), upstream.map((u, i) => Math.max(0, u - passed[i])), passed, perSecond(s.failures)],
    };
    const series = {
      'chart-rpm': [{ label: 'in last minute', stroke: '#2563eb', width: 2, fill: 'rgba(37,99,235,0.08)' }, { label: 'limit', stroke: '#dc2626', dash: [6, 4] }],
      'chart-load': [{ label: 'in flight', stroke: '#059669', width: 2 }, { label: 'waiting', stroke: '#d97706', width: 2 }, { label: 'concurrency', stroke: '#dc2626', dash: [6, 4] }],
      'chart-events': [{ label: 'requests', stroke: '#2563eb' }, { label: 'retries', stroke: '#7c3aed' }, { label: '429 absorbed', stroke: '#d97706' }, { label: '429 passed on', stroke: '#dc2626', width: 2 }, { label: 'errors', stroke: '#6b7280' }],
    };
    for (const id of Object.keys(data)) {
      if (state.charts[id]) {
        state.charts[id].setData(data[id]);
      } else {
        state.charts[id] = new uPlot({
          width: chartWidth(id), height: 180,
          legend: { live: false },
          // At least a minute wide, so that a fresh gateway's first samples do not fill the chart.
          scales: { x: { time: true, range: (u, min, max) => [Math.min(min, max - 60), max] }, y: { range: (u, min, max) => [0, Math.max(1, max * 1.1)] } },
          series: [{}, ...series[id]],
          axes: [{}, { size: 48 }],
        }, data[id], $(id));
      }
    }
  }

  function resizeCharts() {
    for (const [id, chart] of Object.entries(state.charts)) chart.setSize({ width: chartWidth(id), height: 180 });
  }

  let resizeTimer = null;
  window.addEventListener('resize', () => { clearTimeout(resizeTimer); resizeTimer = setTimeout(resizeCharts, 150); });

  // ---- Alerts ---------------------------------------------------------------------------------------------------

  function alertItem(alert) {
    const when = alert.state === 'firing' ? `since ${time(alert.startedAt)}` : `${time(alert.startedAt)} – ${time(alert.resolvedAt)}`;
    return el('li', { class: `alert ${alert.severity} ${alert.state}`, 'data-rule': alert.rule },
      el('b', { text: `${alert.rule}${alert.subject ? ` · ${alert.subject}` : ''}` }),
      el('span', { class: 'tag', text: alert.state === 'firing' ? alert.severity : 'resolved' }),
      el('p', { text: alert.message }),
      el('p', { class: 'muted small', text: when }));
  }

  function renderAlerts(alerts) {
    const firing = alerts.firing;
    $('alerts-firing').replaceChildren(...firing.map(alertItem));
    $('alerts-recent').replaceChildren(...alerts.recent.slice(0, 20).map(alertItem));
    $('alerts-none').hidden = firing.length > 0;
    const badge = $('alert-count');
    badge.hidden = firing.length === 0;
    badge.textContent = String(firing.length);
    const banner = $('banner');
    banner.hidden = firing.length === 0;
    banner.replaceChildren(...firing.map((a) => el('p', { class: a.severity, 'data-rule': a.rule },
      el('b', { text: `${a.rule}${a.subject ? ` · ${a.subject}` : ''}: ` }), a.message)));
    const t = alerts.thresholds;
    $('alert-rules').replaceChildren(
      el('dt', { text: 'upstream_429s' }), el('dd', { text: `${t.upstream429s} or more 429s from the upstream within ${t.windowMs / 1000} s (PACER_ALERT_UPSTREAM_429S, PACER_ALERT_WINDOW)` }),
      el('dt', { text: 'queue_wait' }), el('dd', { text: `a request waited more than ${t.queueWaitMs} ms for admission (PACER_ALERT_QUEUE_WAIT)` }),
      el('dt', { text: 'upstream_unreachable' }), el('dd', { text: `${t.unreachable} or more requests could not reach the upstream within ${t.windowMs / 1000} s, none since (PACER_ALERT_UNREACHABLE)` }),
      el('dt', { text: 'budget_warning' }), el('dd', { text: `a user has spent ${t.budgetPercent}% of its budget (PACER_ALERT_BUDGET_PERCENT)` }),
      el('dt', { text: 'budget_exhausted' }), el('dd', { text: 'a user has spent all of its budget' }),
      el('dt', { text: 'shared_store_degraded' }), el('dd', { text: 'the shared limiter store (Redis, PACER_REDIS_URL) cannot be reached' }),
      el('dt', { text: 'webhook' }), el('dd', { text: alerts.webhook ? 'each start and end is POSTed to PACER_ALERT_WEBHOOK_URL' : 'off (set PACER_ALERT_WEBHOOK_URL)' }));
  }

  // ---- Usage ----------------------------------------------------------------------------------------------------

  const USAGE_COLUMNS = ['requests', 'failedRequests', 'inputTokens', 'outputTokens', 'cacheWrite5mTokens', 'cacheWrite1hTokens', 'cacheReadTokens', 'costUsd', 'credits'];

  function usageQuery() {
    const form = new FormData($('usage-form'));
    const query = new URLSearchParams();
    for (const name of ['from', 'to', 'user']) {
      const value = String(form.get(name) || '').trim();
      if (value) query.set(name, value);
    }
    query.set('groupBy', form.getAll('groupBy').join(','));
    return query;
  }

  async function loadUsage() {
    const query = usageQuery();
    const result = await api('GET', `/api/admin/usage?${query}`);
    $('usage-error').textContent = result.ok ? '' : errorText(result);
    if (!result.ok) return;
    const report = result.data;
    const groups = report.groupBy;
    const table = $('usage-table');
    table.querySelector('thead').replaceChildren(el('tr', {}, ...groups.map((g) => el('th', { text: g })), ...USAGE_COLUMNS.map((c) => el('th', { class: 'num', text: c }))));
    const cell = (row, c) => el('td', { class: 'num', 'data-column': c, text: row[c] === null || row[c] === undefined ? '–' : String(row[c]) });
    table.querySelector('tbody').replaceChildren(...report.rows.map((row) => el('tr', {},
      ...groups.map((g) => el('td', { 'data-column': g, text: row[g] })), ...USAGE_COLUMNS.map((c) => cell(row, c)))));
    table.querySelector('tfoot').replaceChildren(el('tr', {},
      el('th', { colspan: Math.max(1, groups.length), text: 'total' }), ...(groups.length ? [] : []), ...USAGE_COLUMNS.map((c) => cell(report.total, c))));
  }

  $('usage-form').addEventListener('submit', (event) => { event.preventDefault(); loadUsage(); });

  $('usage-csv').addEventListener('click', async () => {
    const response = await fetch(`/api/admin/usage.csv?${usageQuery()}`, { credentials: 'same-origin', cache: 'no-store', headers: { 'X-Pacer-CSRF': state.csrf || '' } });
    if (!response.ok) { $('usage-error').textContent = `CSV download failed (${response.status}).`; return; }
    const url = URL.createObjectURL(await response.blob());
    const link = el('a', { href: url, download: `pacer-usage-${new Date().toISOString().slice(0, 10)}.csv` });
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(url), 1000);
  });

  // ---- Settings -------------------------------------------------------------------------------------------------

  const MODES = [['0', 'max_tokens'], ['1', 'estimate'], ['2', 'auto']];

  function buildSettingsForm() {
    const fields = $('settings-fields');
    fields.replaceChildren();
    for (const setting of state.settings.settings) {
      const id = `setting-${setting.name}`;
      const range = `${setting.minimum}–${setting.maximum}${setting.unit && !setting.unit.startsWith('(') ? ` ${setting.unit}` : ''}`;
      let input;
      if (setting.name === 'learnLimits') {
        input = el('select', { id, name: setting.name }, el('option', { value: 'true', text: 'true' }), el('option', { value: 'false', text: 'false' }));
      } else if (setting.name === 'outputReservation') {
        input = el('select', { id, name: setting.name }, ...MODES.map(([v, t]) => el('option', { value: v, text: t })));
      } else {
        input = el('input', { id, name: setting.name, type: 'number', inputmode: setting.wholeNumber ? 'numeric' : 'decimal', min: setting.minimum, max: setting.maximum, step: setting.wholeNumber ? 1 : 'any', required: true, 'aria-describedby': `hint-${setting.name} error-${setting.name}` });
      }
      fields.append(el('div', { class: 'field' },
        el('label', { for: id, text: setting.name }),
        input,
        el('small', { id: `hint-${setting.name}`, class: 'muted', text: `${setting.name === 'learnLimits' || setting.name === 'outputReservation' ? '' : `${range} · `}${setting.environmentVariable}` }),
        el('small', { id: `error-${setting.name}`, class: 'error', role: 'alert' })));
    }
  }

  function buildPresets() {
    $('presets').replaceChildren(...state.settings.presets.map((p) => el('button', {
      type: 'button', class: 'preset', 'data-preset': p.name,
      onclick: (event) => busy(event.currentTarget, () => applySettings({ maxRequestsPerMinute: p.maxRequestsPerMinute, maxConcurrentRequests: p.maxConcurrentRequests }, `${p.name} applied: ${p.maxRequestsPerMinute} requests per minute, ${p.maxConcurrentRequests} at once.`)),
    }, el('b', { text: p.name }), el('span', { text: `${p.maxRequestsPerMinute}/min · ${p.maxConcurrentRequests} at once` }), el('small', { text: p.bestFor }))));
  }

  async function fillSettings() {
    const result = await api('GET', '/api/admin/rate-limit-status');
    if (!result.ok) return;
    state.status = result.data;
    for (const setting of state.settings.settings) {
      const input = $(`setting-${setting.name}`);
      input.value = String(result.data.settings[setting.name]);
      input.dataset.current = input.value;
      input.removeAttribute('aria-invalid');
      $(`error-${setting.name}`).textContent = '';
    }
  }

  function readValue(setting, input) {
    if (setting.name === 'learnLimits') return input.value === 'true';
    const text = input.value.trim();
    if (text === '') return text;
    const number = Number(text);
    return Number.isFinite(number) ? number : text;
  }

  async function applySettings(config, success) {
    $('settings-status').textContent = '';
    $('settings-error').textContent = '';
    for (const setting of state.settings.settings) {
      $(`error-${setting.name}`).textContent = '';
      $(`setting-${setting.name}`).removeAttribute('aria-invalid');
    }
    const result = await api('POST', '/api/admin/update-rate-limits', { config });
    if (!result.ok) {
      $('settings-error').textContent = errorText(result);
      for (const error of result.data.errors || []) {
        const hint = $(`error-${error.field}`);
        if (hint) {
          hint.textContent = error.message;
          $(`setting-${error.field}`).setAttribute('aria-invalid', 'true');
        }
      }
      const first = (result.data.errors || [])[0];
      if (first && $(`setting-${first.field}`)) $(`setting-${first.field}`).focus();
      return;
    }
    await fillSettings();
    $('settings-status').textContent = success;
  }

  $('settings-form').addEventListener('submit', (event) => {
    event.preventDefault();
    const config = {};
    for (const setting of state.settings.settings) {
      const input = $(`setting-${setting.name}`);
      if (input.value !== input.dataset.current) config[setting.name] = readValue(setting, input);
    }
    const names = Object.keys(config);
    if (names.length === 0) { $('settings-status').textContent = 'Nothing changed.'; return; }
    busy(event.submitter, () => applySettings(config, `Applied: ${names.join(', ')}.`));
  });

  $('settings-reset').addEventListener('click', async () => {
    const result = await api('POST', '/api/admin/reset-rate-limits', {});
    if (result.ok) { await fillSettings(); $('settings-status').textContent = "The environment's values apply again."; }
  });

  // ---- Keys -----------------------------------------------------------------------------------------------------

  async function loadKeys() {
    const result = await api('GET', '/api/admin/keys');
    if (!result.ok) { $('key-error').textContent = errorText(result); return; }
    $('keys-table').querySelector('tbody').replaceChildren(...result.data.keys.map((k) => el('tr', { 'data-key': k.id },
      el('td', { text: k.id }), el('td', { text: k.user }), el('td', { text: k.name || '' }), el('td', {}, el('code', { text: k.prefix })),
      el('td', { text: time(k.createdAt) }), el('td', { class: k.active ? '' : 'muted', text: k.active ? 'active' : `revoked ${time(k.revokedAt)}` }),
      el('td', {}, k.active ? el('button', { type: 'button', class: 'danger quiet', 'data-revoke': k.id, text: 'Revoke', onclick: () => revokeKey(k) }) : null))));
  }

  async function revokeKey(key) {
    if (!window.confirm(`Revoke key ${key.prefix}… of ${key.user}? Its holder is refused at once.`)) return;
    const result = await api('DELETE', `/api/admin/keys/${encodeURIComponent(key.id)}`);
    $('key-error').textContent = result.ok ? '' : errorText(result);
    loadKeys();
  }

  $('key-form').addEventListener('submit', async (event) => {
    event.preventDefault();
    const form = new FormData(event.target);
    const body = { user: String(form.get('user')).trim() };
    const name = String(form.get('name') || '').trim();
    if (name) body.name = name;
    const result = await busy(event.submitter, () => api('POST', '/api/admin/keys', body));
    if (!result.ok) { $('key-error').textContent = errorText(result); return; }
    $('key-error').textContent = '';
    event.target.reset();
    $('new-secret-value').textContent = result.data.secret;
    $('new-secret').hidden = false;
    $('new-secret-done').focus();
    loadKeys();
  });

  // The secret exists only in this element until it is dismissed; it is never fetched again.
  function forgetSecret() {
    $('new-secret-value').textContent = '';
    $('new-secret').hidden = true;
  }

  $('new-secret-done').addEventListener('click', forgetSecret);
  window.addEventListener('hashchange', forgetSecret);

  // ---- Budgets --------------------------------------------------------------------------------------------------

  async function loadBudgets() {
    const result = await api('GET', '/api/admin/budgets');
    if (!result.ok) { $('budget-error').textContent = errorText(result); return; }
    const budgets = result.data.budgets;
    $('budgets-table').querySelector('tbody').replaceChildren(...budgets.map((b) => {
      const share = b.credits > 0 ? b.spent / b.credits : 1;
      const bar = el('div');
      bar.style.width = `${Math.min(100, share * 100).toFixed(1)}%`;
      bar.className = share >= 1 ? 'hot' : share >= 0.8 ? 'warm' : '';
      return el('tr', { 'data-user': b.user },
        el('td', { text: b.user }), el('td', { class: 'num', text: String(b.credits) }), el('td', { text: b.period }),
        el('td', { class: 'num' }, String(b.spent), el('div', { class: 'meter small' }, bar)),
        el('td', { class: 'num', text: String(b.reserved) }), el('td', { class: 'num', text: String(b.remaining) }),
        el('td', { text: time(b.resetsAt) }),
        el('td', {}, el('button', { type: 'button', class: 'quiet', 'data-clear': b.user, text: 'Clear', onclick: () => clearBudget(b.user) })));
    }));
    $('budgets-table').hidden = budgets.length === 0;
    $('budgets-empty').hidden = budgets.length > 0;
  }

  async function clearBudget(user) {
    const result = await api('DELETE', `/api/admin/budgets/${encodeURIComponent(user)}`);
    $('budget-error').textContent = result.ok ? '' : errorText(result);
    loadBudgets();
  }

  $('budget-form').addEventListener('submit', async (event) => {
    event.preventDefault();
    const form = new FormData(event.target);
    const user = String(form.get('user')).trim();
    const credits = Number(form.get('credits'));
    const result = await busy(event.submitter, () => api('PUT', `/api/admin/budgets/${encodeURIComponent(user)}`, { credits, period: form.get('period') }));
    if (!result.ok) { $('budget-error').textContent = errorText(result); return; }
    $('budget-error').textContent = '';
    event.target.reset();
    loadBudgets();
  });

  start();
})();
