// Pacer's dashboard: the live figures, the charts of the last 15 minutes, and the alerts.
'use strict';

(() => {
  const D = window.PacerDashboard;
  const { $, el, state, setFigure, time } = D;

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

  // The queue per priority class (or any other breakdown) appears as soon as the status carries it: a field beside
  // requests and users, a number or an object of numbers (byPriority: {interactive, batch} shows as two lines).
  function renderQueueClasses(queue) {
    const list = $('live-queue-classes');
    list.replaceChildren();
    for (const [name, value] of Object.entries(queue)) {
      if (name === 'requests' || name === 'users') continue;
      if (value !== null && typeof value === 'object') {
        for (const [part, count] of Object.entries(value)) {
          const label = /^by[A-Z]/.test(name) ? part : `${name} ${part}`;
          list.append(el('dt', { text: label }), el('dd', { 'data-part': part, text: typeof count === 'object' ? JSON.stringify(count) : String(count) }));
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

  D.live = { renderStatus, renderLive, resizeCharts };
})();
