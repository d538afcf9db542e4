// Keel's dashboard: one snapshot a second over /admin/stream, the last ten minutes in uPlot charts,
// and the connections holding the most memory (as the budget counts it) from /debug/connections every five seconds.
(function () {
  'use strict';
  const WINDOW = 600; // points kept: ten minutes at one a second
  const TOKEN_KEY = 'keel-admin-token';
  const MiB = 1024 * 1024;
  const REASONS = ['client', 'idle_timeout', 'handshake_timeout', 'slow_consumer', 'write_timeout',
    'too_large', 'rate_limit', 'server_full', 'ip_limit', 'connect_rate', 'token_expired', 'unauthorized', 'shutdown', 'overloaded', 'too_slow', 'error'];
  const KINDS = ['connections', 'outbound', 'inbound', 'partial_frames', 'http_bodies', 'history'];
  const ACTIONS = ['refused', 'rejected', 'paused', 'closed', 'dropped'];
  const COLORS = ['#2563eb', '#16a34a', '#dc2626', '#9333ea', '#ea580c', '#0891b2', '#ca8a04', '#db2777',
    '#4b5563', '#65a30d', '#7c3aed'];

  // Each chart: its unit (shown on the axis) and series computed from a snapshot and the one before.
  const rate = (key) => (s, p, dt) => (p ? Math.max(0, (s[key] - p[key]) / dt) : null);
  const CHARTS = [
    { id: 'connections', title: 'Connections by transport', unit: 'connections',
      series: [['ws', (s) => s.connections.ws], ['tcp', (s) => s.connections.tcp]] },
    { id: 'churn', title: 'Opens and closes per second, by close reason', unit: 'conn/s',
      series: [['opened', rate('opened')]].concat(REASONS.map((r) => ['closed ' + r,
        (s, p, dt) => (p ? Math.max(0, (s.closed[r] - p.closed[r]) / dt) : null)])) },
    { id: 'messages', title: 'Messages per second', unit: 'msg/s',
      series: [['in', rate('received')], ['delivered', rate('delivered')], ['dropped', rate('dropped')]] },
    { id: 'queued', title: 'Queued outbound bytes (all connections)', unit: 'MiB',
      series: [['queued', (s) => s.queuedBytes / MiB]] },
    { id: 'budget', title: 'Memory budget: accounted by kind, against the budget', unit: 'MiB',
      series: [['budget', (s) => (s.memoryBudgetBytes == null ? null : s.memoryBudgetBytes / MiB)]]
        .concat(KINDS.map((k) => [k, (s) => (s.memoryAccountedBytes ? s.memoryAccountedBytes[k] / MiB : null)])) },
    { id: 'overload', title: 'Overload stage (0 normal, 1 high, 2 shed) and its actions per second', unit: '/s',
      series: [['stage', (s) => s.overloadStage]].concat(ACTIONS.map((a) => [a,
        (s, p, dt) => (p && s.shed && p.shed ? Math.max(0, (s.shed[a] - p.shed[a]) / dt) : null)])) },
    { id: 'memory', title: 'Memory', unit: 'MiB',
      series: [['heap used', (s) => s.heapUsedBytes / MiB],
        ['heap after GC', (s) => (s.heapAfterGcBytes == null ? null : s.heapAfterGcBytes / MiB)],
        ['direct (Netty)', (s) => s.directBytes / MiB]] },
    { id: 'threads', title: 'Live threads', unit: 'threads', series: [['threads', (s) => s.threads]] },
    { id: 'gc', title: 'GC pause time', unit: 'ms/s', series: [['GC pause', rate('gcTimeMs')]] },
    { id: 'lag', title: 'Event-loop lag (worst loop)', unit: 'ms', series: [['lag', (s) => s.eventLoopLagMs]] },
  ];

  const state = { token: sessionStorage.getItem(TOKEN_KEY) || '', ws: null, backoff: 1000, prev: null,
    refused: false, last: null, timer: null };
  const times = [];
  const values = CHARTS.map((c) => c.series.map(() => []));
  const plots = [];
  const $ = (id) => document.getElementById(id);

  function fmt(v, unit) {
    if (v == null) return '–';
    const abs = Math.abs(v);
    const n = abs >= 100 ? v.toFixed(0) : abs >= 10 ? v.toFixed(1) : v.toFixed(2);
    return n + ' ' + unit;
  }

  function buildCharts() {
    const grid = $('charts');
    CHARTS.forEach((c, i) => {
      const panel = document.createElement('div');
      panel.className = 'panel';
      panel.innerHTML = '<h2>' + c.title + ' <small>(' + c.unit + ')</small></h2><div class="chart" id="chart-' + c.id + '"></div>';
      grid.appendChild(panel);
      const el = panel.querySelector('.chart');
      const opts = {
        width: Math.max(280, el.clientWidth), height: 180,
        scales: { x: { time: true } },
        legend: { show: true, live: false },
        series: [{}].concat(c.series.map(([label], k) => ({ label, stroke: COLORS[k % COLORS.length], width: 1.5,
          value: (u, v) => fmt(v, c.unit), spanGaps: false }))),
        axes: [{ label: 'time (UTC)' }, { label: c.unit, size: 60, values: (u, vals) => vals.map((v) => fmt(v, '').trim()) }],
      };
      plots[i] = new uPlot(opts, [times].concat(values[i]), el);
    });
    window.addEventListener('resize', () => plots.forEach((p, i) => {
      const el = $('chart-' + CHARTS[i].id);
      p.setSize({ width: Math.max(280, el.clientWidth), height: 180 });
    }));
  }

  function onSnapshot(s) {
    const p = state.prev;
    const dt = p ? Math.max(0.001, (s.t - p.t) / 1000) : 1;
    times.push(s.t / 1000);
    CHARTS.forEach((c, i) => c.series.forEach(([, f], k) => values[i][k].push(f(s, p, dt))));
    if (times.length > WINDOW) {
      times.shift();
      values.forEach((vs) => vs.forEach((v) => v.shift()));
    }
    state.prev = s;
    state.last = s;
    plots.forEach((plot, i) => plot.setData([times].concat(values[i])));
    $('conn-total').textContent = String(s.connections.ws + s.connections.tcp);
  }

  function setStatus(text, cls) {
    const el = $('status');
    el.textContent = text;
    el.className = 'status ' + cls;
  }

  function askForToken(message) {
    state.refused = true;
    setStatus('token needed', 'refused');
    $('token-form').hidden = false;
    $('token-error').textContent = message || '';
    $('token').focus();
  }

  function connect() {
    clearTimeout(state.timer);
    const ws = new WebSocket((location.protocol === 'https:' ? 'wss://' : 'ws://') + location.host + '/admin/stream');
    state.ws = ws;
    state.refused = false;
    ws.onopen = () => ws.send(state.token); // ignored when the server has no token
    ws.onmessage = (e) => {
      if (state.backoff !== 1000 || $('status').textContent !== 'live') setStatus('live', 'live');
      state.backoff = 1000;
      $('token-form').hidden = true;
      onSnapshot(JSON.parse(e.data));
    };
    ws.onclose = (e) => {
      if (state.ws !== ws) return;
      if (e.code === 1008) { // the token was refused: ask, do not hammer the server
        askForToken(state.token ? 'token refused' : '');
        return;
      }
      const wait = state.backoff;
      state.backoff = Math.min(state.backoff * 2, 10000);
      setStatus('reconnecting in ' + Math.round(wait / 1000) + ' s', 'reconnecting');
      state.timer = setTimeout(connect, wait);
    };
  }

  function authFetch(path) {
    const headers = state.token ? { Authorization: 'Bearer ' + state.token } : {};
    return fetch(path, { headers }).then((r) => {
      if (r.status === 401) {
        askForToken(state.token ? 'token refused' : '');
        throw new Error('unauthorized');
      }
      if (!r.ok) throw new Error(path + ': HTTP ' + r.status);
      return r;
    });
  }

  function ms(v) {
    if (v < 0) return '–';
    return v >= 60000 ? (v / 60000).toFixed(1) + ' min' : v >= 1000 ? (v / 1000).toFixed(1) + ' s' : v + ' ms';
  }

  function refreshTable() {
    if (state.refused) return;
    authFetch('/debug/connections?sort=accounted&limit=10').then((r) => r.json()).then((body) => {
      const tbody = $('top-connections').querySelector('tbody');
      tbody.innerHTML = '';
      body.connections.forEach((c) => {
        const tr = document.createElement('tr');
        [c.id, c.transport, c.remote, ms(c.ageMs), c.subscriptions, (c.accountedBytes / 1024).toFixed(1) + ' KiB',
          (c.queuedBytes / 1024).toFixed(1) + ' KiB',
          c.queuedMessages, c.messagesIn, c.messagesOut, c.drops, ms(c.sinceLastReadMs), ms(c.sinceLastWriteMs),
          c.rateLimited].forEach((v) => {
          const td = document.createElement('td');
          td.textContent = String(v);
          tr.appendChild(td);
        });
        tbody.appendChild(tr);
      });
    }).catch(() => {});
  }

  function download(button, path, name) {
    button.disabled = true;
    authFetch(path).then((r) => r.blob()).then((blob) => {
      const a = document.createElement('a');
      a.href = URL.createObjectURL(blob);
      a.download = name;
      a.click();
      setTimeout(() => URL.revokeObjectURL(a.href), 10000);
    }).catch(() => {}).finally(() => { button.disabled = false; });
  }

  $('token-form').addEventListener('submit', (e) => {
    e.preventDefault();
    state.token = $('token').value;
    sessionStorage.setItem(TOKEN_KEY, state.token);
    $('token-error').textContent = '';
    setStatus('connecting', 'connecting');
    connect();
    refreshTable();
  });
  $('dl-heap').addEventListener('click', (e) => download(e.target, '/debug/heap?limit=200', 'keel-heap.json'));
  $('dl-threads').addEventListener('click', (e) => download(e.target, '/debug/threads', 'keel-threads.json'));
  $('dl-jfr').addEventListener('click', (e) => download(e.target, '/debug/jfr?seconds=30', 'keel.jfr'));

  // For tests and the curious: what the page has drawn.
  window.keelDashboard = {
    pointsPerChart: () => Object.fromEntries(CHARTS.map((c, i) =>
      [c.id, Math.max(0, ...values[i].map((v) => v.filter((x) => x != null).length))])),
    shownConnections: () => $('conn-total').textContent,
    status: () => $('status').textContent,
  };

  buildCharts();
  connect();
  refreshTable();
  setInterval(refreshTable, 5000);
})();
