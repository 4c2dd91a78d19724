// Kairos operator console: plain JS and SVG, no build step, no network beyond the admin API of
// the page's own origin. Routes: #/models, #/models/<m>, #/autoscaling/<m>, #/devices,
// #/tune/<m>, #/simulate.
'use strict';

const KEY = 'kairos.adminKey';
const page = document.getElementById('page');
let timer = null;

// ---- admin API ------------------------------------------------------------------------------

class ApiError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

async function api(method, path, body) {
  const headers = { Authorization: 'Bearer ' + sessionStorage.getItem(KEY) };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  const r = await fetch(path, {
    method, headers, body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await r.text();
  let data = null;
  try { data = text ? JSON.parse(text) : null; } catch (e) { data = { error: text }; }
  if (!r.ok) {
    if (r.status === 401) signOut('The admin API refused the key: ' + (data && data.error));
    throw new ApiError(r.status, (data && data.error) || 'HTTP ' + r.status);
  }
  return data;
}

// ---- small DOM helpers ----------------------------------------------------------------------

function h(tag, attrs, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
    else e.setAttribute(k, v === true ? '' : v);
  }
  for (const c of children.flat()) {
    if (c === undefined || c === null) continue;
    e.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return e;
}

const fmt = {
  n(v, d = 1) { return v === null || v === undefined || Number.isNaN(v) ? '–' : Number(v).toFixed(d); },
  ms(v) { return v === null || v === undefined ? '–' : v < 10 ? v.toFixed(2) + ' ms' : v.toFixed(0) + ' ms'; },
  pct(v) { return v === null || v === undefined ? '–' : (100 * v).toFixed(1) + '%'; },
  bytes(v) {
    if (!v) return '0';
    const u = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
    let i = 0;
    while (v >= 1024 && i < u.length - 1) { v /= 1024; i++; }
    return v.toFixed(i ? 1 : 0) + ' ' + u[i];
  },
  time(t) { return new Date(t).toLocaleTimeString([], { hour12: false }); },
  weights(o) { return Object.entries(o || {}).map(([v, w]) => 'v' + v + ': ' + w).join(', ') || 'highest ready'; },
};

function state(s, reason) {
  return h('span', { class: 'state ' + s, title: reason || '' }, s.toLowerCase());
}

function sum(o) { return Object.values(o || {}).reduce((a, b) => a + b, 0); }

// ---- SVG charts -----------------------------------------------------------------------------

const SVG = 'http://www.w3.org/2000/svg';
function s(tag, attrs, text) {
  const e = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs || {})) e.setAttribute(k, v);
  if (text !== undefined) e.textContent = text;
  return e;
}

function niceMax(v) {
  if (!(v > 0)) return 1;
  const p = Math.pow(10, Math.floor(Math.log10(v)));
  for (const m of [1, 2, 2.5, 5, 10]) if (m * p >= v) return m * p;
  return 10 * p;
}

/**
 * A line chart. opts: {x: [numbers], series: [{name, values, cls, step, dash}], xFormat,
 * annotations: [{x, label, cls}], yLabel, height}. Returns a div with the SVG and its legend.
 */
function lineChart(opts) {
  const W = 900, H = opts.height || 260, L = 48, R = 16, T = 16, B = 28;
  const xs = opts.x;
  const svg = s('svg', { class: 'chart', viewBox: `0 0 ${W} ${H}`, role: 'img', 'aria-label': opts.title || 'chart' });
  const wrap = h('div', { class: 'chart-wrap', 'data-points': String(xs.length) });
  let ymax = 0;
  for (const se of opts.series) for (const v of se.values) if (v !== null && v > ymax) ymax = v;
  ymax = niceMax(ymax * 1.1);
  const x0 = xs.length ? xs[0] : 0, x1 = xs.length > 1 ? xs[xs.length - 1] : x0 + 1;
  const X = (x) => L + (W - L - R) * (x - x0) / (x1 - x0 || 1);
  const Y = (y) => T + (H - T - B) * (1 - y / ymax);
  for (let i = 0; i <= 4; i++) {
    const y = ymax * i / 4;
    svg.append(s('line', { class: 'grid', x1: L, x2: W - R, y1: Y(y), y2: Y(y) }));
    svg.append(s('text', { x: L - 6, y: Y(y) + 4, 'text-anchor': 'end' }, fmt.n(y, ymax < 4 ? 1 : 0)));
  }
  svg.append(s('line', { class: 'axis', x1: L, x2: W - R, y1: H - B, y2: H - B }));
  const xf = opts.xFormat || fmt.time;
  for (let i = 0; i <= 5 && xs.length > 1; i++) {
    const x = x0 + (x1 - x0) * i / 5;
    svg.append(s('text', { x: X(x), y: H - 8, 'text-anchor': i === 0 ? 'start' : i === 5 ? 'end' : 'middle' }, xf(x)));
  }
  if (opts.yLabel) svg.append(s('text', { x: 4, y: 11 }, opts.yLabel));
  opts.series.forEach((se, k) => {
    let d = '';
    let pen = false;
    se.values.forEach((v, i) => {
      if (v === null || v === undefined) { pen = false; return; }
      if (!pen) d += `M${X(xs[i]).toFixed(1)},${Y(v).toFixed(1)}`;
      else if (se.step) d += `H${X(xs[i]).toFixed(1)}V${Y(v).toFixed(1)}`;
      else d += `L${X(xs[i]).toFixed(1)},${Y(v).toFixed(1)}`;
      pen = true;
    });
    const cls = 's ' + (se.cls || 'c' + k) + (se.dash ? ' dash' : '');
    svg.append(s('path', { class: cls, d, 'data-series': se.name }));
  });
  (opts.annotations || []).filter((a) => a.x >= x0 && a.x <= x1).forEach((a, i) => {
    const x = X(a.x);
    svg.append(s('line', { class: 'ann ' + (a.cls || ''), x1: x, x2: x, y1: T, y2: H - B }));
    // labels step down in four rows so that close decisions stay readable; late ones go left
    const right = x > W - 160;
    const t = s('text', {
      class: 'ann ' + (a.cls || ''), x: right ? x - 3 : x + 3, y: T + 10 + 12 * (i % 4),
      'text-anchor': right ? 'end' : 'start',
    }, a.label);
    t.append(s('title', {}, a.title || a.label));
    svg.append(t);
  });
  wrap.append(svg);
  wrap.append(h('div', { class: 'legend' }, opts.series.map((se, k) =>
    h('span', {}, h('i', { class: se.cls || 'c' + k }), se.name))));
  return wrap;
}

// ---- pages ----------------------------------------------------------------------------------

async function modelsPage() {
  const [models, overview] = await Promise.all([api('GET', '/admin/models'), api('GET', '/admin/console/overview')]);
  const rows = models.map((m) => {
    const o = overview.models[m.name] || {};
    return h('tr', { 'data-model': m.name },
      h('td', {}, h('a', { href: '#/models/' + m.name }, m.name)),
      h('td', {}, state(m.state, m.reason), m.reason ? h('div', { class: 'muted wrap' }, m.reason) : null),
      h('td', {}, m.versions.join(', ')),
      h('td', {}, fmt.weights(m.traffic)),
      h('td', { class: 'num replicas' }, `${o.desired ?? sum(m.desiredReplicas)} / ${o.ready ?? m.replicas.length}`),
      h('td', { class: 'num' }, fmt.n(o.rate, 1)),
      h('td', { class: 'num' }, fmt.ms(o.p50Ms)),
      h('td', { class: 'num' }, fmt.ms(o.p99Ms)),
      h('td', { class: 'num' }, fmt.pct(o.errorRate)),
      h('td', { class: 'num' }, o.inFlight ?? m.inFlight ?? 0));
  });
  return [
    h('h1', {}, 'Models'),
    h('table', { id: 'models-table' },
      h('thead', {}, h('tr', {}, ['Model', 'State', 'Versions', 'Traffic', 'Replicas (desired / ready)',
        'Req/s', 'p50', 'p99', 'Errors', 'In flight'].map((c, i) => h('th', { class: i >= 4 ? 'num' : '' }, c)))),
      h('tbody', {}, rows)),
    h('p', { class: 'muted' }, 'Rates and latencies from the gateway over the last seconds; replicas from the autoscaler. Refreshes every 2 s.'),
  ];
}

async function modelDetailPage(name) {
  const [m, series] = await Promise.all([api('GET', '/admin/models/' + name), api('GET', `/admin/console/series/${name}?minutes=15`)]);
  const sc = await api('GET', `/admin/models/${name}/scaling`).catch(() => null);
  const gen = await api('GET', `/admin/console/generation/${name}`).catch(() => null);
  const t = series.t;
  const sr = series.series;
  return [
    h('h1', {}, 'Model ', h('code', {}, m.name), ' ', state(m.state, m.reason)),
    h('div', { class: 'toolbar' },
      h('a', { href: '#/autoscaling/' + name }, 'Autoscaling'), h('a', { href: '#/tune/' + name }, 'Tune'),
      h('a', { href: '#/models' }, 'All models')),
    m.reason ? h('p', { class: 'error' }, m.reason) : null,
    h('div', { class: 'grid' },
      h('div', { class: 'card' }, h('dl', { class: 'kv' },
        h('dt', {}, 'Versions'), h('dd', {}, m.versions.join(', ') || '–'),
        h('dt', {}, 'Traffic'), h('dd', {}, fmt.weights(m.traffic)),
        h('dt', {}, 'Desired replicas'), h('dd', {}, Object.entries(m.desiredReplicas).map(([v, n]) => `v${v}: ${n}`).join(', ') || '0'),
        h('dt', {}, 'In flight'), h('dd', {}, m.inFlight ?? 0),
        h('dt', {}, 'Scaling'), h('dd', { class: 'wrap' }, sc ? Object.entries(sc).map(([k, v]) => `${k}=${v}`).join(', ') : '–'))),
      h('div', { class: 'card' }, h('h2', {}, 'Replicas'),
        h('table', {}, h('thead', {}, h('tr', {}, ['Version', 'Replica', 'Endpoint', 'In flight', 'Breaker'].map((c) => h('th', {}, c)))),
          h('tbody', {}, m.replicas.map((r) => h('tr', {}, h('td', {}, r.version), h('td', {}, r.id), h('td', {}, r.endpoint),
            h('td', { class: 'num' }, r.inFlight), h('td', {}, r.draining ? 'draining' : r.breaker))))))),
    gen && gen.generative ? generationCard(gen) : null,
    h('div', { class: 'card' }, h('h2', {}, 'Requests per second and errors'),
      lineChart({ x: t, series: [{ name: 'req/s', values: sr.rate }, { name: 'errors (share)', values: sr.errorRate, cls: 'c4' }] })),
    h('div', { class: 'card' }, h('h2', {}, 'Latency (ms)'),
      lineChart({ x: t, series: [{ name: 'p50', values: sr.p50Ms, cls: 'c1' }, { name: 'p99', values: sr.p99Ms, cls: 'c2' }] })),
  ];
}

// A text-generation model's engine, summed over its replicas (counters since each started).
function generationCard(g) {
  const lat = (l) => l.count ? `${fmt.ms(l.p50Ms)} / ${fmt.ms(l.p99Ms)} (mean ${fmt.ms(l.meanMs)}, ${l.count})` : '–';
  const blocks = g.kvBlocksUsed + g.kvBlocksFree;
  return h('div', { class: 'card', id: 'generation' }, h('h2', {}, 'Generation'),
    h('dl', { class: 'kv' },
      h('dt', {}, 'Replicas read'), h('dd', {}, g.replicas),
      h('dt', {}, 'Sequences running / waiting'), h('dd', { class: 'gen-sequences' }, `${g.running} / ${g.waiting}`),
      h('dt', {}, 'KV blocks used / free'), h('dd', { class: 'gen-kv' }, `${g.kvBlocksUsed} / ${g.kvBlocksFree}` + (blocks ? ` (${fmt.pct(g.kvBlocksUsed / blocks)} used)` : '')),
      h('dt', {}, 'Time to first token p50 / p99'), h('dd', { class: 'gen-ttft' }, lat(g.ttft)),
      h('dt', {}, 'Time per output token p50 / p99'), h('dd', { class: 'gen-tpot' }, lat(g.tpot)),
      h('dt', {}, 'End to end p50 / p99'), h('dd', { class: 'gen-e2e' }, lat(g.e2e)),
      h('dt', {}, 'Prompt / output tokens'), h('dd', {}, `${g.promptTokens} / ${g.outputTokens}`),
      h('dt', {}, 'Preemptions'), h('dd', {}, g.preemptions),
      h('dt', {}, 'Prefix-cache hit rate'), h('dd', {}, g.prefixHitRate == null ? '–' : fmt.pct(g.prefixHitRate))),
    h('p', { class: 'muted' }, 'Read from the replicas\' /metrics when the page refreshes; latencies are bucket bounds since each replica started.'));
}

async function modelPicker(route, current) {
  const models = await api('GET', '/admin/models');
  const loaded = models.filter((m) => m.state !== 'UNAVAILABLE').map((m) => m.name);
  const name = current && loaded.includes(current) ? current : loaded[0];
  const select = h('select', {
    id: 'model-select',
    onchange: (e) => { location.hash = `#/${route}/${e.target.value}`; },
  }, loaded.map((n) => h('option', { value: n, selected: n === name }, n)));
  return { name, select };
}

async function autoscalingPage(current) {
  const { name, select } = await modelPicker('autoscaling', current);
  if (!name) return [h('h1', {}, 'Autoscaling'), h('p', {}, 'No model is loaded.')];
  const series = await api('GET', `/admin/console/series/${name}?minutes=15`);
  const sr = series.series;
  const annotations = series.decisions.map((d) => ({
    x: d.t, cls: d.panic ? 'panic' : '',
    label: `${d.from}→${d.to}${d.panic ? ' panic' : ''}${d.limit !== 'none' ? ' [' + d.limit + ']' : ''}`,
    title: d.why,
  }));
  const chart = lineChart({
    x: series.t, title: 'autoscaling of ' + name, height: 300, annotations,
    series: [
      { name: 'concurrency (in flight + held)', values: sr.concurrency, cls: 'c0' },
      { name: 'desired replicas', values: sr.desired, cls: 'c2', step: true },
      { name: 'ready replicas', values: sr.ready, cls: 'c1', step: true },
      { name: 'target concurrency per replica', values: sr.target, cls: 'c5', dash: true },
    ],
  });
  chart.id = 'replicas-chart';
  const last = (a) => (a.length ? a[a.length - 1] : null);
  return [
    h('h1', {}, 'Autoscaling'),
    h('div', { class: 'toolbar' }, h('label', {}, 'Model ', select),
      h('span', { class: 'muted' }, `now: ${fmt.n(last(sr.concurrency), 2)} concurrent, ${last(sr.desired) ?? 0} desired, ${last(sr.ready) ?? 0} ready`)),
    h('div', { class: 'card' }, h('h2', {}, 'Concurrency vs replicas vs target, last 15 minutes'), chart),
    h('div', { class: 'card' }, h('h2', {}, 'Decisions'),
      series.decisions.length === 0 ? h('p', { class: 'muted', id: 'no-decisions' }, 'No scaling decision changed anything in the last 15 minutes.') :
        h('table', { id: 'decisions' },
          h('thead', {}, h('tr', {}, ['Time', 'Version', 'What', 'Replicas', 'Mode', 'Limited by', 'Why'].map((c) => h('th', {}, c)))),
          h('tbody', {}, series.decisions.slice().reverse().map((d) => h('tr', {},
            h('td', {}, fmt.time(d.t)), h('td', {}, d.version), h('td', {}, d.kind), h('td', {}, `${d.from} → ${d.to}`),
            h('td', {}, d.panic ? 'panic' : 'stable'), h('td', {}, d.limit), h('td', { class: 'wrap' }, d.why)))))),
  ];
}

async function devicesPage() {
  const devices = await api('GET', '/admin/console/devices');
  return [
    h('h1', {}, 'Devices'),
    h('div', { class: 'grid', id: 'devices' }, devices.map((d) => {
      const share = d.memoryCapacityBytes ? Math.min(1, d.memoryUsedBytes / d.memoryCapacityBytes) : 0;
      const bar = h('div', { class: 'bar' }, h('div', {}));
      bar.firstChild.style.width = (100 * share).toFixed(1) + '%';
      return h('div', { class: 'card device', 'data-device': d.id },
        h('h2', {}, d.id, ' ', h('span', { class: 'muted' }, `${d.kind}${d.pinning ? ', ' + d.pinning : ''}, arbiter: ${d.policy}`)),
        h('div', {}, `Memory: ${fmt.bytes(d.memoryUsedBytes)} used of ${fmt.bytes(d.memoryCapacityBytes)}`), bar,
        h('div', {}, 'Models: ', d.models.length ? d.models.join(', ') : h('span', { class: 'muted' }, 'none')),
        (d.placed || []).length === 0 ? null :
          h('table', { class: 'placement' }, h('thead', {}, h('tr', {}, ['Model', 'Replicas here', 'Why it is here'].map((c, i) => h('th', { class: i === 1 ? 'num' : '' }, c)))),
            h('tbody', {}, d.placed.map((x) => h('tr', { 'data-model': x.model }, h('td', {}, x.model), h('td', { class: 'num' }, x.replicas),
              h('td', { class: 'wrap' }, x.reason))))),
        d.slices.length === 0 ? h('p', { class: 'muted' }, d.policy === 'none' ? 'Not time-sliced: each model has its own cores.' : 'No slices granted yet.') :
          h('table', {}, h('thead', {}, h('tr', {}, ['Model', 'Slices granted', 'Rejected', 'Wait p50', 'Wait p99'].map((c, i) => h('th', { class: i ? 'num' : '' }, c)))),
            h('tbody', {}, d.slices.map((x) => h('tr', {}, h('td', {}, x.model), h('td', { class: 'num' }, x.granted),
              h('td', { class: 'num' }, x.rejected), h('td', { class: 'num' }, fmt.ms(x.waitP50Ms)), h('td', { class: 'num' }, fmt.ms(x.waitP99Ms)))))));
    })),
  ];
}

function summaryTable(runs) {
  return h('table', { class: 'summary' },
    h('thead', {}, h('tr', {}, ['Setting', 'Requests', 'Within SLO (wait ≤ 100 ms)', 'p50', 'p99', 'Replica-seconds', 'Peak replicas', 'Cold starts'].map((c, i) => h('th', { class: i ? 'num' : '' }, c)))),
    h('tbody', {}, runs.map((r) => h('tr', { 'data-run': r.label }, h('td', {}, r.label), h('td', { class: 'num' }, r.requests),
      h('td', { class: 'num' }, fmt.pct(r.sloAttainment)), h('td', { class: 'num' }, fmt.ms(r.p50Ms)), h('td', { class: 'num' }, fmt.ms(r.p99Ms)),
      h('td', { class: 'num' }, fmt.n(r.replicaSeconds, 0)), h('td', { class: 'num' }, fmt.n(r.peakReplicas, 1)), h('td', { class: 'num' }, r.coldStarts)))));
}

function replayChart(result) {
  const b = result.bucketSeconds;
  const x = result.requestRate.map((_, i) => i * b);
  const dur = (v) => (v >= 3600 ? (v / 3600).toFixed(1) + ' h' : v >= 60 ? (v / 60).toFixed(0) + ' min' : v.toFixed(0) + ' s');
  return lineChart({
    x, xFormat: dur, height: 280, title: 'replay',
    series: [{ name: 'requests/s', values: result.requestRate, cls: 'c5' }]
      .concat(result.runs.map((r, k) => ({ name: 'replicas: ' + r.label, values: r.replicas, cls: ['c0', 'c2'][k], step: true }))),
  });
}

async function tunePage(current) {
  const { name, select } = await modelPicker('tune', current);
  if (!name) return [h('h1', {}, 'Tune'), h('p', {}, 'No model is loaded.')];
  const [knobs, model] = await Promise.all([api('GET', `/admin/models/${name}/scaling`), api('GET', '/admin/models/' + name)]);
  const inputs = {};
  const form = h('form', { class: 'knobs', id: 'knobs' }, Object.entries(knobs).map(([k, v]) => {
    inputs[k] = h('input', { class: 'knob', name: k, value: String(v), 'data-original': String(v) });
    return h('label', {}, h('span', {}, k), inputs[k]);
  }));
  const weights = {};
  const traffic = h('form', { class: 'knobs', id: 'traffic' }, model.versions.map((v) => {
    weights[v] = h('input', { class: 'knob', name: v, value: model.traffic[v] ?? '', placeholder: 'auto' });
    return h('label', {}, h('span', {}, 'version ' + v), weights[v]);
  }));
  const message = h('p', { id: 'tune-message' });
  const preview = h('div', { id: 'preview' });
  const changes = () => {
    const out = {};
    for (const [k, el] of Object.entries(inputs)) {
      if (el.value.trim() === el.dataset.original) continue;
      const t = el.value.trim();
      out[k] = t !== '' && !Number.isNaN(Number(t)) ? Number(t) : t;
    }
    return out;
  };
  const say = (cls, text) => { message.className = cls; message.textContent = text; };
  const doPreview = async () => {
    say('muted', 'Replaying the last hour…');
    preview.replaceChildren();
    try {
      const r = await api('POST', '/admin/console/preview/' + name, { scaling: changes() });
      say('muted', `Preview: the last hour (${r.recordedRequests} requests recorded, service time ${fmt.ms(r.serviceMs)}) replayed under the knobs in force and the proposed ones.`);
      preview.replaceChildren(replayChart(r), summaryTable(r.runs));
    } catch (e) { say('error', e.message); }
  };
  const target = h('input', { class: 'knob', id: 'search-attainment', value: '99', size: 4 });
  const doSearch = async () => {
    say('muted', 'Searching the knobs on the last hour…');
    preview.replaceChildren();
    try {
      const r = await api('POST', '/admin/console/search/' + name, { attainment: Number(target.value) / 100 });
      const rec = r.recommended;
      for (const [k, v] of Object.entries(rec.knobs)) if (inputs[k]) inputs[k].value = String(v);
      say(r.reachable ? 'muted' : 'error',
        (r.reachable ? 'Recommended' : `No setting tried reaches ${fmt.pct(r.target)}; best reachable`)
        + ` (filled in above; Apply sets it): SLO ${fmt.pct(rec.sloAttainment)} vs ${fmt.pct(r.current.sloAttainment)} now,`
        + ` ${fmt.n(rec.replicaSeconds, 0)} replica-seconds vs ${fmt.n(r.current.replicaSeconds, 0)},`
        + ` ${rec.coldStarts} cold starts vs ${r.current.coldStarts}; ${fmt.n(r.replays, 0)} replays of the last hour`
        + ` (${r.recordedRequests} requests recorded, service time ${fmt.ms(r.serviceMs)}).`);
      preview.replaceChildren(frontierChart(r));
    } catch (e) { say('error', e.message); }
  };
  const doApply = async () => {
    try {
      const now = await api('PUT', `/admin/models/${name}/scaling`, changes());
      const w = {};
      for (const [v, el] of Object.entries(weights)) if (el.value.trim() !== '') w[v] = Number(el.value.trim());
      const changedTraffic = JSON.stringify(w) !== JSON.stringify(model.traffic || {});
      if (changedTraffic) await api('PUT', `/admin/models/${name}/traffic`, w);
      for (const [k, el] of Object.entries(inputs)) { el.value = String(now[k]); el.dataset.original = String(now[k]); }
      say('ok', 'Applied: ' + Object.entries(now).map(([k, v]) => `${k}=${v}`).join(', ') + (changedTraffic ? '; traffic ' + fmt.weights(w) : ''));
    } catch (e) { say('error', e.message); }
  };
  return [
    h('h1', {}, 'Tune'),
    h('div', { class: 'toolbar' }, h('label', {}, 'Model ', select)),
    h('div', { class: 'card' }, h('h2', {}, 'Scaling knobs'), form,
      h('h2', {}, 'Traffic weights'), traffic,
      h('div', { class: 'toolbar' },
        h('button', { type: 'button', id: 'preview-button', class: 'secondary', onclick: doPreview }, 'Preview on the last hour'),
        h('label', {}, 'SLO attainment % ', target),
        h('button', { type: 'button', id: 'search-button', class: 'secondary', onclick: doSearch }, 'Search'),
        h('button', { type: 'button', id: 'apply-button', onclick: doApply }, 'Apply')),
      message),
    preview,
    h('p', { class: 'muted' }, 'Knobs are checked by the same validator as model.yaml; applied knobs take effect at the autoscaler\'s next decision (kairos serve also writes them into the model\'s model.yaml).'),
  ];
}

/** Replica-seconds (up) against SLO attainment (across) of every setting a search replayed. */
function frontierChart(r) {
  const W = 900, H = 300, L = 64, R = 16, T = 16, B = 28;
  const pts = r.evaluated.concat([r.current]);
  let a0 = Math.min(r.target, ...pts.map((p) => p.sloAttainment));
  const a1 = Math.max(r.target, ...pts.map((p) => p.sloAttainment));
  if (a1 - a0 < 0.001) a0 = Math.max(0, a1 - 0.01);
  const cmax = niceMax(Math.max(...pts.map((p) => p.replicaSeconds)) * 1.1 || 1);
  const X = (a) => L + (W - L - R) * (a - a0) / (a1 - a0);
  const Y = (c) => T + (H - T - B) * (1 - c / cmax);
  const svg = s('svg', { class: 'chart', id: 'frontier', viewBox: `0 0 ${W} ${H}`, role: 'img', 'aria-label': 'frontier' });
  for (let i = 0; i <= 4; i++) {
    svg.append(s('line', { class: 'grid', x1: L, x2: W - R, y1: Y(cmax * i / 4), y2: Y(cmax * i / 4) }));
    svg.append(s('text', { x: L - 6, y: Y(cmax * i / 4) + 4, 'text-anchor': 'end' }, fmt.n(cmax * i / 4, 0)));
    svg.append(s('text', { x: X(a0 + (a1 - a0) * i / 4), y: H - 8, 'text-anchor': 'middle' }, fmt.pct(a0 + (a1 - a0) * i / 4)));
  }
  svg.append(s('line', { class: 's c5 dash', x1: X(r.target), x2: X(r.target), y1: T, y2: H - B }));
  for (const p of r.evaluated) svg.append(s('circle', { class: 'c5', cx: X(p.sloAttainment), cy: Y(p.replicaSeconds), r: 3 }));
  svg.append(s('path', { class: 's c0', d: r.frontier.map((p, i) => `${i ? 'L' : 'M'}${X(p.sloAttainment).toFixed(1)},${Y(p.replicaSeconds).toFixed(1)}`).join('') }));
  svg.append(s('circle', { class: 'c4', cx: X(r.current.sloAttainment), cy: Y(r.current.replicaSeconds), r: 6 }));
  svg.append(s('circle', { class: 'c1', cx: X(r.recommended.sloAttainment), cy: Y(r.recommended.replicaSeconds), r: 6 }));
  svg.append(s('text', { x: 4, y: 11 }, 'replica-seconds'));
  return h('div', { class: 'chart-wrap' }, svg,
    h('div', { class: 'legend' }, h('span', {}, h('i', { class: 'c4' }), 'current'), h('span', {}, h('i', { class: 'c1' }), 'recommended'),
      h('span', {}, h('i', { class: 'c0' }), 'frontier'), h('span', {}, h('i', { class: 'c5' }), 'settings replayed; dashed: target')));
}

function parseKnobs(text) {
  const out = {};
  for (const part of text.split(/[,\n]/)) {
    const p = part.trim();
    if (!p) continue;
    const i = p.indexOf('=');
    if (i < 1) throw new Error(`'${p}' is not knob=value`);
    const v = p.slice(i + 1).trim();
    out[p.slice(0, i).trim()] = v !== '' && !Number.isNaN(Number(v)) ? Number(v) : v;
  }
  return out;
}

async function simulatePage() {
  const traces = await api('GET', '/admin/console/traces');
  const trace = h('select', { id: 'trace' }, traces.map((t) => h('option', { value: t.id }, t.name)));
  const file = h('input', { type: 'file', id: 'trace-file', accept: '.csv,text/csv' });
  const a = h('input', { id: 'knobs-a', size: 48, value: '' , placeholder: 'Knative defaults, e.g. scaleToZeroAfter=30s' });
  const b = h('input', { id: 'knobs-b', size: 48, value: 'maxReplicas=2,scaleToZeroAfter=5m' });
  const service = h('input', { id: 'service-time', class: 'knob', value: '500ms' });
  const conc = h('input', { id: 'replica-concurrency', class: 'knob', value: '8' });
  const cold = h('input', { id: 'cold-start', class: 'knob', value: '1s' });
  const message = h('p', { id: 'simulate-message' });
  const out = h('div', { id: 'simulate-result' });
  const run = async () => {
    message.className = 'muted';
    message.textContent = 'Replaying…';
    out.replaceChildren();
    try {
      const body = {
        trace: trace.value, knobs: parseKnobs(a.value), compare: parseKnobs(b.value),
        serviceTime: service.value, replicaConcurrency: Number(conc.value), coldStart: cold.value,
      };
      if (trace.value === 'upload') {
        if (!file.files.length) throw new Error('choose a CSV file of timestamp,model rows');
        body.csv = await file.files[0].text();
      }
      const r = await api('POST', '/admin/console/simulate', body);
      message.textContent = `${r.trace}: ${r.models} model(s), ${fmt.n(r.durationSeconds / 60, 0)} minutes. A = ${a.value || 'defaults'}; B = ${b.value || '–'}.`;
      out.replaceChildren(h('div', { class: 'card' }, replayChart(r)), summaryTable(r.runs));
    } catch (e) {
      message.className = 'error';
      message.textContent = e.message;
    }
  };
  return [
    h('h1', {}, 'Simulate'),
    h('div', { class: 'card' },
      h('div', { class: 'toolbar' }, h('label', {}, 'Trace ', trace), file),
      h('div', { class: 'toolbar' }, h('label', {}, 'Setting A ', a)),
      h('div', { class: 'toolbar' }, h('label', {}, 'Setting B ', b)),
      h('div', { class: 'toolbar' }, h('label', {}, 'Service time ', service), h('label', {}, 'Requests per replica ', conc),
        h('label', {}, 'Cold start ', cold), h('button', { type: 'button', id: 'simulate-button', onclick: run }, 'Replay')),
      message),
    out,
    h('p', { class: 'muted' }, 'The replay runs the autoscaler\'s own decider on a virtual clock (as kairos simulate does); knobs not named keep Knative\'s defaults with maxReplicas=1000 and targetConcurrency = requests per replica.'),
  ];
}

// ---- router ---------------------------------------------------------------------------------

const ROUTES = {
  models: (arg) => (arg ? modelDetailPage(arg) : modelsPage()),
  autoscaling: autoscalingPage,
  devices: devicesPage,
  tune: tunePage,
  simulate: simulatePage,
};
const LIVE = new Set(['models', 'autoscaling', 'devices']);

async function render(initial) {
  clearTimeout(timer);
  if (!sessionStorage.getItem(KEY)) return showLogin();
  const [, name = 'models', arg] = (location.hash || '#/models').split('/');
  const route = ROUTES[name] ? name : 'models';
  for (const a of document.querySelectorAll('#nav a')) a.classList.toggle('active', a.dataset.page === route);
  try {
    const content = await ROUTES[route](arg ? decodeURIComponent(arg) : undefined);
    if (initial || LIVE.has(route)) {
      const keep = document.activeElement && document.activeElement.id === 'model-select';
      if (!keep) page.replaceChildren(...content.filter(Boolean));
    }
    document.getElementById('status').textContent = 'updated ' + fmt.time(Date.now());
    page.dataset.page = route;
  } catch (e) {
    if (e instanceof ApiError && e.status === 401) return;
    page.replaceChildren(h('p', { class: 'error' }, e.message));
  }
  if (LIVE.has(route)) timer = setTimeout(() => render(false), 2000);
}

function showLogin(message) {
  document.getElementById('login').hidden = false;
  document.getElementById('signout').hidden = true;
  page.replaceChildren();
  document.getElementById('login-error').textContent = message || '';
}

function signOut(message) {
  sessionStorage.removeItem(KEY);
  clearTimeout(timer);
  showLogin(message);
}

document.getElementById('login-form').addEventListener('submit', async (e) => {
  e.preventDefault();
  sessionStorage.setItem(KEY, document.getElementById('key').value.trim());
  try {
    await api('GET', '/admin/models');
  } catch (err) {
    return;
  }
  document.getElementById('key').value = '';
  document.getElementById('login').hidden = true;
  document.getElementById('signout').hidden = false;
  render(true);
});
document.getElementById('signout').addEventListener('click', () => signOut());
window.addEventListener('hashchange', () => render(true));

if (sessionStorage.getItem(KEY)) {
  document.getElementById('login').hidden = true;
  document.getElementById('signout').hidden = false;
}
render(true);
