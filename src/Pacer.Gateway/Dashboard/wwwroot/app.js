// Pacer's dashboard: sign-in, navigation between sections, and the once-a-second poll (core.js, live.js and manage.js
// come first).
'use strict';

(() => {
  const D = window.PacerDashboard;
  const { $, state, api, POLL_MS, VIEWS } = D;

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
    D.manage.buildSettingsForm();
    D.manage.buildPresets();
    show(location.hash.slice(1));
    // Focus the content unless the user has already moved on (a section link chosen while the settings loaded).
    const active = document.activeElement;
    if (!active || active === document.body || $('signin').contains(active)) $('main').focus();
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
    if (name === 'live') D.live.resizeCharts();
    if (name === 'usage') D.manage.loadUsage();
    if (name === 'keys') D.manage.loadKeys();
    if (name === 'budgets') D.manage.loadBudgets();
    if (name === 'settings') D.manage.fillSettings();
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
    if (status.ok) D.live.renderStatus(status.data);
    if (live.ok) D.live.renderLive(live.data);
    $('live-updated').textContent = `updated ${new Date().toLocaleTimeString()}`;
  }

  D.signedOut = showSignIn;
  start();
})();
