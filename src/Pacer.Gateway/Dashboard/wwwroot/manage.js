// Pacer's dashboard: usage, settings and presets, managed keys, budgets.
'use strict';

(() => {
  const D = window.PacerDashboard;
  const { $, el, state, api, busy, errorText, time } = D;

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
      // The range in force; a setting that PACER_EXTENDED_RANGES would widen says so while it is off.
      const widen = !state.settings.extendedRanges && setting.extendedMaximum > setting.maximum ? ` (PACER_EXTENDED_RANGES=true: up to ${setting.extendedMaximum})` : '';
      const range = `${setting.minimum}–${setting.maximum}${setting.unit && !setting.unit.startsWith('(') ? ` ${setting.unit}` : ''}${widen}`;
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
    const persisted = result.data.gateway.persistedSettings;
    $('persisted').textContent = persisted.length ? persisted.join(', ') : 'none';
    if (!state.settings) return; // still loading: signing in fills them once the form is built
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

  D.manage = { loadUsage, buildSettingsForm, buildPresets, fillSettings, loadKeys, loadBudgets };
})();
