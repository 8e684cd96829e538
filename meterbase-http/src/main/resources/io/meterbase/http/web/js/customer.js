// The customer dashboard: live values (Server-Sent Events), today, community, history with zoom, categories,
// water, gas and heat, relays with command status, alarms, API keys and third-party grants.
import { api, requireRole, el, replace, table, say, power, energy, number, time, signOut, onSubmit, scopeLabel,
  readsOnly, showScope, quantityName, quantityLabel, categoryName, sourceName, span, showNotices, CATEGORY_KEYS } from './common.js';

const DAY = 86400000;
/** The home's time zone: the server's days and months are the home's, and so are the labels here. */
let zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
const me = await requireRole('customer');
const canChange = me ? !readsOnly(me) : false;
if (me) start();

const devices = new Map(); // ref -> { device, cells: { quantity: td }, relay: button }
let liveEvents = 0;

async function start() {
  showScope(me, 'who');
  signOut(document.getElementById('signout'));
  showNotices();
  setInterval(showNotices, 15000);
  if (window.Chart && window.ChartZoom) window.Chart.register(window.ChartZoom);
  await loadAppliances();
  connectLive();
  refreshToday();
  setInterval(refreshToday, 60000);
  try {
    const mine = await api('GET', '/api/v1/me');
    if (mine.sites && mine.sites[0] && mine.sites[0].zone) zone = mine.sites[0].zone;
  } catch (e) { /* the browser's own zone */ }
  loadFlow().catch(() => { /* no balance: the section stays hidden */ });
  loadOverview();
  setUpBars();
  setUpBill();
  loadCommunity();
  setUpHistory();
  loadCategories();
  loadMeters().catch(() => { /* shown only when there is something to show */ });
  loadCommodities();
  loadAlarms();
  loadIncidents();
  setInterval(loadAlarms, 30000);
  setUpKeys();
  setUpGrants();
}

// ---- now

const LIVE = ['active_power', 'voltage', 'power_factor'];

async function loadAppliances() {
  const latest = await api('GET', '/api/v1/latest');
  const rows = [];
  for (const d of latest) {
    const cells = {};
    for (const q of LIVE) cells[q] = el('span', { id: `live-${d.ref}-${q}`, 'data-quantity': q }, '–');
    const entry = { device: d, cells, values: {} };
    devices.set(d.ref, entry);
    for (const r of d.readings) show(d.ref, r.quantity, r.value, Date.parse(r.ts), r.name);
    let relayCell = el('span', { class: 'muted' }, '–');
    if (d.type === 'smart_plug') {
      entry.relay = el('button', { type: 'button', class: 'relay', id: `relay-${d.ref}`, 'aria-pressed': 'true',
        'aria-label': `Switch ${d.name}`, disabled: !canChange, onclick: () => switchRelay(entry) }, 'On');
      entry.relayStatus = el('span', { id: `relay-status-${d.ref}`, class: 'muted' }, '');
      relayCell = el('span', {}, entry.relay, ' ', entry.relayStatus);
      api('GET', `/api/v1/devices/${encodeURIComponent(d.ref)}/relay`).then((s) => setRelay(entry, s.on)).catch(() => {});
    }
    rows.push([el('span', {}, el('a', { href: `/appliance.html?ref=${encodeURIComponent(d.ref)}`, id: `link-${d.ref}` }, d.name),
      el('br'), el('span', { class: 'muted' }, `${d.ref} · ${categoryName(d.category)}`)),
      cells.active_power, cells.voltage, cells.power_factor, relayCell]);
  }
  showNewDevices(latest);
  replace('appliances', table('Appliances and their live values', ['Appliance', 'Power', 'Voltage', 'Power factor', 'Relay'], rows, [1, 2, 3]));
  updateTotal();
}


/**
 * Devices that appeared on their own (named after their reference, category "other"): asks for a name and a
 * category once; "Later" hides the question until the next visit.
 */
function showNewDevices(latest) {
  const fresh = latest.filter((d) => d.name === d.ref && d.category === 'other'
    && !sessionStorage.getItem(`later-${d.ref}`));
  if (!fresh.length || !canChange) { replace('new-devices', ''); return; }
  const forms = fresh.map((d) => {
    const name = el('input', { id: `new-name-${d.ref}`, name: 'name', required: true, maxlength: 100, value: '' });
    const category = el('select', { id: `new-category-${d.ref}`, name: 'category' },
      CATEGORY_KEYS.map((c) => el('option', { value: c, selected: c === 'other' }, categoryName(c))));
    const form = el('form', { class: 'inline', id: `new-${d.ref}` },
      el('span', {}, 'New: ', el('code', {}, d.ref)),
      el('label', { for: `new-name-${d.ref}` }, 'Name ', name),
      el('label', { for: `new-category-${d.ref}` }, 'Category ', category),
      el('button', { type: 'submit' }, 'Save'),
      el('button', { type: 'button', class: 'secondary', onclick: () => {
        sessionStorage.setItem(`later-${d.ref}`, '1');
        form.remove();
      } }, 'Later'));
    onSubmit(form, 'relay-status', async (f) => {
      await api('PATCH', `/api/v1/devices/${encodeURIComponent(d.ref)}`,
        { name: f.get('name'), category: f.get('category') });
      say('relay-status', `${f.get('name')} is saved.`);
      form.remove();
      await loadAppliances();
    });
    return form;
  });
  replace('new-devices', el('div', { class: 'notice', role: 'region', 'aria-label': 'New devices' },
    el('p', {}, 'These devices reported for the first time. What are they?'), forms));
}

/**
 * Shows a live value. A device with several power channels (an emonTx's CT clamps, a meter's phases) shows its own
 * total where it reports one (a channel named active_power), else the sum of its channels, each named in the title.
 */
function show(ref, quantity, value, ts, name) {
  const entry = devices.get(ref);
  if (!entry) return;
  let parts = null;
  if (quantity === 'active_power' && name && name !== 'active_power') {
    entry.parts = entry.parts || {};
    entry.parts[name] = value;
    if (entry.ownPower) return;
    parts = Object.entries(entry.parts).sort();
    value = parts.reduce((s, [, v]) => s + v, 0);
  } else if (quantity === 'active_power') {
    entry.ownPower = true;
  }
  entry.values[quantity] = value;
  if (!(quantity in entry.cells)) return;
  const text = quantity === 'active_power' ? power(value) : quantity === 'voltage' ? number(value, 1) + ' V' : number(value, 2);
  entry.cells[quantity].textContent = text;
  entry.cells[quantity].setAttribute('title', 'at ' + time(ts)
    + (parts && parts.length > 1 ? ` · sum of ${parts.map(([n, v]) => `${n} ${power(v)}`).join(', ')}` : ''));
  entry.cells[quantity].dataset.channels = parts ? String(parts.length) : '1';
}

/**
 * The live flow between grid, panels, battery and home: what each category's devices measure now. Returns what the
 * home uses (null when it has no panels or battery, or no grid meter).
 */
function updateFlow() {
  const all = [...devices.values()];
  const sum = (category, quantity = 'active_power') => all.filter((e) => e.device.category === category)
    .reduce((s, e) => s + (e.values[quantity] || 0), 0);
  const has = (category) => all.some((e) => e.device.category === category);
  if (!has('solar') && !has('wind') && !has('battery')) return null;
  const grid = sum('main');
  const made = Math.abs(sum('solar')) + Math.abs(sum('wind'));
  const battery = sum('battery');
  document.getElementById('flow-grid').textContent = power(Math.abs(grid));
  document.getElementById('flow-grid-note').textContent = grid < 0 ? 'sent to the grid' : 'taken from the grid';
  document.getElementById('flow-solar').textContent = power(made);
  if (has('battery')) {
    document.getElementById('flow-battery-card').hidden = false;
    document.getElementById('flow-battery').textContent = power(Math.abs(battery));
    const soc = all.filter((e) => e.device.category === 'battery').map((e) => e.values.state_of_charge)
      .find((v) => v !== undefined);
    document.getElementById('flow-battery-note').textContent = (battery < 0 ? 'charging' : battery > 0 ? 'giving back' : 'resting')
      + (soc !== undefined ? ` · ${number(soc, 0)} % full` : '');
  }
  const home = has('main') ? Math.max(0, grid + made + battery) : null;
  document.getElementById('flow-home').textContent = home !== null ? power(home) : '–';
  return home;
}

/** The energy flow day by day (the last 7 days): shown only for homes that make, store or export energy. */
async function loadFlow() {
  const to = Date.now();
  const b = await api('GET', `/api/v1/energy/balance?interval=day&from=${startOfDay(to - 6 * DAY)}&to=${to}`);
  if (!b.applies) return;
  document.getElementById('flow').hidden = false;
  document.getElementById('flow-link').hidden = false;
  const pct = (v) => (v === null || v === undefined ? '–' : number(100 * v, 0) + ' %');
  const wh = (v) => (v === null || v === undefined ? '–' : energy(v));
  replace('flow-table', table('Energy flow per day', ['Day', 'From the grid', 'To the grid', 'Made', 'Used at home',
    'Own energy used', 'Covered by own energy'],
  b.points.map((p) => [homeDate(Date.parse(p.start)), wh(p.imported), wh(p.exported), wh(p.generated), wh(p.consumed),
    pct(p.self_consumption), pct(p.self_sufficiency)]).reverse(), [1, 2, 3, 4, 5, 6]));
  updateFlow();
}

/** Power now: what the home uses (its grid meter's flow, plus what its panels and battery give, where it has them). */
function updateTotal() {
  const home = updateFlow();
  const all = [...devices.values()];
  const mains = all.filter((e) => e.device.category === 'main');
  const counted = mains.length ? mains : all.filter((e) => !['solar', 'wind', 'battery'].includes(e.device.category));
  const sum = counted.reduce((s, e) => s + (e.values.active_power || 0), 0);
  document.getElementById('total-power').textContent = power(home !== null ? home : sum);
}

function connectLive() {
  const badge = document.getElementById('live-state');
  const source = new EventSource('/api/v1/live');
  source.addEventListener('hello', () => { badge.textContent = 'live'; badge.className = 'badge ok'; });
  source.addEventListener('readings', (ev) => {
    for (const r of JSON.parse(ev.data)) show(r.device, r.quantity, r.value, r.ts, r.name);
    updateTotal();
    liveEvents++;
    badge.textContent = 'live · updated ' + new Date().toLocaleTimeString();
    badge.dataset.updates = String(liveEvents);
  });
  source.onerror = () => { badge.textContent = 'reconnecting…'; badge.className = 'badge warn'; };
}

async function refreshToday() {
  try {
    const s = await api('GET', '/api/v1/summary');
    document.getElementById('energy-today').textContent = energy(s.energy_today_wh);
  } catch (e) { /* shown as – */ }
  try {
    const c = await api('GET', '/api/v1/cost?period=today');
    document.getElementById('cost-today').textContent = number(c.total, 2) + ' ' + c.currency;
  } catch (e) {
    document.getElementById('cost-today').textContent = 'no tariff';
  }
  try {
    const g = await api('GET', '/api/v1/grid');
    document.getElementById('grid-state').textContent = g.state;
  } catch (e) { /* no community */ }
}

// ---- overview: today against yesterday, this month against the last and last year, the period's cost, bars, bills


/** A date in the home's zone. */
function homeDate(t, options = {}) {
  return new Date(t).toLocaleDateString(undefined, { timeZone: zone, ...options });
}

/** The day (YYYY-MM-DD) of an instant in the home's zone. */
function homeDay(t) {
  return new Intl.DateTimeFormat('en-CA', { timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(t);
}

/** Watt-hours of electricity in [from, to): the home's total (its grid meter's where it has one). */
async function energyBetween(from, to, interval = 'hour') {
  const e = await api('GET', `/api/v1/energy?commodity=electricity&interval=${interval}&group=total&from=${Math.round(from)}&to=${Math.round(to)}`);
  return e.points.reduce((s, p) => s + p.amount, 0);
}

/** "12 % less than …" or "5 % more than …"; null when there is nothing to compare with. */
function compared(now, before, what) {
  if (!before) return null;
  const change = (100 * (now - before)) / before;
  return `${number(Math.abs(change), 0)} % ${change <= 0 ? 'less' : 'more'} than ${what} (${energy(before)})`;
}

function startOfDay(t) {
  const d = new Date(t);
  d.setHours(0, 0, 0, 0);
  return d.getTime();
}

function monthStart(t, back = 0) {
  const d = new Date(t);
  return new Date(d.getFullYear(), d.getMonth() - back, 1).getTime();
}

async function loadOverview() {
  const now = Date.now();
  try {
    const today = await energyBetween(startOfDay(now), now);
    const yesterday = await energyBetween(startOfDay(now - DAY), now - DAY);
    document.getElementById('today-vs').textContent = energy(today);
    document.getElementById('today-vs-note').textContent = compared(today, yesterday, 'yesterday') || 'nothing from yesterday to compare with';
  } catch (e) { /* shown as – */ }
  try {
    const month = await energyBetween(monthStart(now), now, 'day');
    const elapsed = now - monthStart(now);
    const lastMonth = await energyBetween(monthStart(now, 1), monthStart(now, 1) + elapsed, 'day');
    const lastYear = await energyBetween(monthStart(now, 12), monthStart(now, 12) + elapsed, 'day');
    document.getElementById('month-so-far').textContent = energy(month);
    document.getElementById('month-vs').textContent = [compared(month, lastMonth, 'last month by this day'),
      compared(month, lastYear, 'a year ago')].filter((x) => x).join('; ') || 'no earlier month to compare with';
  } catch (e) { /* shown as – */ }
  try {
    const c = await api('GET', '/api/v1/cost?period=billing_period');
    const from = Date.parse(c.from);
    const to = Date.parse(c.to);
    const [y, m] = homeDay(from).split('-').map(Number);
    const end = from + new Date(Date.UTC(y, m, 0)).getUTCDate() * DAY; // the period's month, in days
    document.getElementById('period-cost').textContent = `${number(c.total, 2)} ${c.currency}`;
    const projected = to > from ? (Number(c.total) * (end - from)) / (to - from) : Number(c.total);
    document.getElementById('period-projected').textContent =
      `since ${homeDate(from)}; at this pace about ${number(projected, 2)} ${c.currency} by ${homeDate(end - 1)}`;
  } catch (e) {
    document.getElementById('period-cost').textContent = 'no tariff';
  }
  loadForecast();
}

/** The home's forecast for the next hours (its meters' together), or why there is none yet. */
async function loadForecast() {
  try {
    const f = await api('GET', '/api/v1/forecasts');
    if (!f.meters || !f.meters.length) {
      document.getElementById('forecast-note').textContent = f.waiting_for
        ? `not yet: ${f.waiting_for}` : 'not yet: forecasts need a few weeks of readings';
      return;
    }
    document.getElementById('forecast-total').textContent = energy(f.next_24h_total);
    const ranged = f.meters.every((m) => m.hours.every((h) => h.low != null && h.high != null));
    const sum = (key) => f.meters.reduce((s, m) => s + m.hours.reduce((t, h) => t + h[key], 0), 0);
    document.getElementById('forecast-note').textContent = ranged
      ? `likely between ${energy(sum('low'))} and ${energy(sum('high'))}` : `from ${f.meters.length} meter(s)`;
  } catch (e) {
    document.getElementById('forecast-note').textContent = 'no forecast';
  }
}

let barsChart = null;

function setUpBars() {
  const buttons = document.querySelectorAll('#bar-intervals button');
  buttons.forEach((b) => b.addEventListener('click', () => {
    buttons.forEach((x) => x.setAttribute('aria-pressed', String(x === b)));
    loadBars(b.dataset.bars);
  }));
  loadBars('day');
}

/** The Monday of a day's week (in the home's zone), as midnight UTC of that date. */
function weekOf(t) {
  const d = new Date(homeDay(t) + 'T00:00:00Z');
  d.setUTCDate(d.getUTCDate() - ((d.getUTCDay() + 6) % 7));
  return d.getTime();
}

async function loadBars(per) {
  const now = Date.now();
  const from = per === 'month' ? monthStart(now, 11) : per === 'week' ? weekOf(now - 11 * 7 * DAY) : startOfDay(now - 29 * DAY);
  const e = await api('GET', `/api/v1/energy?commodity=electricity&interval=${per === 'month' ? 'month' : 'day'}&group=total&from=${from}&to=${now}`);
  const sums = new Map();
  for (const p of e.points) {
    const t = Date.parse(p.start);
    const key = per === 'week' ? weekOf(t) : t;
    sums.set(key, (sums.get(key) || 0) + p.amount);
  }
  const keys = [...sums.keys()].sort((a, b) => a - b);
  const label = (t) => (per === 'month'
    ? homeDate(t, { month: 'short', year: 'numeric' })
    : per === 'week' ? 'week of ' + new Date(t).toLocaleDateString(undefined, { timeZone: 'UTC' }) : homeDate(t));
  document.getElementById('bars-unit').textContent = per;
  if (barsChart) barsChart.destroy();
  barsChart = new window.Chart(document.getElementById('bars-chart'), {
    type: 'bar',
    data: { labels: keys.map(label), datasets: [{ label: 'kWh', data: keys.map((k) => sums.get(k) / 1000), backgroundColor: '#0b5cad' }] },
    options: { maintainAspectRatio: false, animation: false, plugins: { legend: { display: false } },
      scales: { y: { title: { display: true, text: 'kWh' } } } },
  });
  replace('bars-table', table(`Energy per ${per}`, [per === 'month' ? 'Month' : per === 'week' ? 'Week' : 'Day', 'Energy'],
    keys.map((k) => [label(k), energy(sums.get(k))]).reverse(), [1]));
}

function setUpBill() {
  const now = new Date();
  const iso = (d) => `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
  document.getElementById('bill-from').value = iso(new Date(now.getFullYear(), now.getMonth() - 1, 1));
  document.getElementById('bill-to').value = iso(new Date(now.getFullYear(), now.getMonth(), 0));
  onSubmit(document.getElementById('bill-form'), 'bill-status', async (f) => {
    const from = new Date(f.get('from') + 'T00:00:00').getTime();
    const to = new Date(f.get('to') + 'T00:00:00').getTime() + DAY;
    if (!(to > from)) throw new Error('the period must end after it starts');
    const b = await api('GET', `/api/v1/bill?from=${from}&to=${to}`);
    replace('bill', table(`Bill from ${f.get('from')} to ${f.get('to')}`, ['Line', 'Quantity', 'Unit price', 'Amount'],
      [...b.lines.map((l) => [l.description, `${number(l.quantity, 3)} ${l.unit}`, `${number(l.unit_price, 4)} ${b.currency}`,
        `${number(l.amount, 2)} ${b.currency}`]), [el('strong', {}, 'Total'), `${number(b.consumption, 3)} ${b.unit}`, '',
        el('strong', { id: 'bill-total' }, `${number(b.total, 2)} ${b.currency}`)]], [1, 2, 3]));
    const csv = document.getElementById('bill-csv');
    csv.href = `/api/v1/bill.csv?from=${from}&to=${to}`;
    csv.hidden = false;
    const pdf = document.getElementById('bill-pdf');
    pdf.href = `/api/v1/bill.pdf?from=${from}&to=${to}`;
    pdf.hidden = false;
    say('bill-status', `Bill under tariff ${b.tariff_id}: ${number(b.total, 2)} ${b.currency}.`);
  });
}

// ---- relays

function setRelay(entry, on) {
  entry.relay.setAttribute('aria-pressed', on ? 'true' : 'false');
  entry.relay.textContent = on ? 'On' : 'Off';
}

async function switchRelay(entry) {
  const on = entry.relay.getAttribute('aria-pressed') === 'true';
  const ref = entry.device.ref;
  entry.relay.disabled = true;
  try {
    let c = await api('POST', `/api/v1/devices/${encodeURIComponent(ref)}/commands`, { type: on ? 'relay_off' : 'relay_on' });
    entry.relayStatus.textContent = c.status;
    const until = Date.now() + 120000;
    while (!['done', 'failed', 'expired', 'cancelled'].includes(c.status) && Date.now() < until) {
      await new Promise((r) => setTimeout(r, 1000));
      c = await api('GET', `/api/v1/commands/${c.id}`);
      entry.relayStatus.textContent = c.status + (c.via ? ' via ' + c.via : '');
    }
    if (c.status === 'done') {
      const s = await api('GET', `/api/v1/devices/${encodeURIComponent(ref)}/relay`);
      setRelay(entry, s.on);
    }
    say('relay-status', `${entry.device.name}: ${c.status}${c.detail ? ' (' + c.detail + ')' : ''}`, c.status !== 'done');
  } catch (e) {
    entry.relayStatus.textContent = 'failed';
    say('relay-status', e.message, true);
  } finally {
    entry.relay.disabled = false;
  }
}

// ---- community

async function loadCommunity() {
  const [c, t] = await Promise.all([api('GET', '/api/v1/community'), api('GET', '/api/v1/community/trend?days=14')]);
  const p = c.power || {};
  document.getElementById('community-text').textContent = p.withheld
    ? `Community '${c.community}': ${p.withheld}.`
    : `Community '${c.community}': ${p.customers} customers; your power ranks ${p.rank} (${number(p.percentile, 0)} % use less).`;
  const labels = t.days.map((d) => new Date(d.day).toLocaleDateString());
  const series = (key) => t.days.map((d) => (d[key] === null || d[key] === undefined ? null : d[key] / 1000));
  new window.Chart(document.getElementById('trend-chart'), {
    type: 'line',
    data: { labels, datasets: [
      { label: 'You', data: series('you'), borderColor: '#0b5cad', backgroundColor: '#0b5cad', borderWidth: 3 },
      { label: 'Community average', data: series('average'), borderColor: '#1d6b2f', borderDash: [6, 4] },
      { label: 'Community minimum', data: series('min'), borderColor: '#8a8a8a', borderDash: [2, 3] },
      { label: 'Community maximum', data: series('max'), borderColor: '#a4161a', borderDash: [2, 3] },
    ] },
    options: { maintainAspectRatio: false, animation: false, scales: { y: { title: { display: true, text: 'kWh per day' } } } },
  });
  replace('trend-table', table('Daily energy, you and the community', ['Day', 'You', 'Min', 'Average', 'Max'],
    t.days.map((d) => [new Date(d.day).toLocaleDateString(), energy(d.you), energy(d.min), energy(d.average), energy(d.max)]), [1, 2, 3, 4]));
}

// ---- history

let historyChart = null;
let range = { from: 0, to: 0 };
let reloadTimer = null;

async function setUpHistory() {
  const devicesList = await api('GET', '/api/v1/devices');
  const select = document.getElementById('history-channel');
  for (const d of devicesList) {
    for (const c of d.channels) {
      select.append(el('option', { value: String(c.id), 'data-quantity': c.quantity },
        `${d.name} — ${quantityLabel(c.quantity, c.unit)}`));
    }
  }
  const firstPower = [...select.options].find((o) => o.dataset.quantity === 'active_power');
  if (firstPower) select.value = firstPower.value;
  select.addEventListener('change', () => loadHistory(range.from, range.to));
  document.querySelectorAll('#ranges button').forEach((b) => b.addEventListener('click', () => {
    const to = Date.now();
    loadHistory(to - Number(b.dataset.range), to);
  }));
  document.getElementById('zoom-out').addEventListener('click', () => {
    const mid = (range.from + range.to) / 2;
    const half = (range.to - range.from);
    loadHistory(Math.round(mid - half), Math.min(Date.now(), Math.round(mid + half)));
  });
  const canvas = document.getElementById('history-chart');
  historyChart = new window.Chart(canvas, {
    type: 'line',
    data: { datasets: [
      { label: 'average', data: [], borderColor: '#0b5cad', backgroundColor: '#0b5cad', pointRadius: 0, borderWidth: 2 },
      { label: 'minimum', data: [], borderColor: '#9bb8d6', pointRadius: 0, borderWidth: 1, fill: false },
      { label: 'maximum', data: [], borderColor: '#9bb8d6', pointRadius: 0, borderWidth: 1, fill: '-1', backgroundColor: 'rgba(11,92,173,0.12)' },
    ] },
    options: {
      maintainAspectRatio: false, animation: false, parsing: false, normalized: true, spanGaps: false,
      interaction: { mode: 'nearest', axis: 'x', intersect: false },
      scales: { x: { type: 'linear', ticks: { maxTicksLimit: 8, callback: (v) => tick(v) } } },
      plugins: {
        tooltip: { callbacks: { title: (items) => items.length ? new Date(items[0].parsed.x).toLocaleString() : '' } },
        zoom: {
          zoom: { drag: { enabled: true }, wheel: { enabled: true }, pinch: { enabled: true }, mode: 'x',
            onZoomComplete: ({ chart }) => scheduleReload(chart) },
          pan: { enabled: true, mode: 'x', modifierKey: 'shift', onPanComplete: ({ chart }) => scheduleReload(chart) },
        },
      },
    },
  });
  const to = Date.now();
  await loadHistory(to - 86400000, to);
}

function tick(v) {
  const span = range.to - range.from;
  const d = new Date(v);
  if (span <= 2 * 86400000) return d.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
  if (span <= 400 * 86400000) return d.toLocaleDateString([], { month: 'short', day: 'numeric' });
  return d.toLocaleDateString([], { year: 'numeric', month: 'short' });
}

function scheduleReload(chart) {
  clearTimeout(reloadTimer);
  reloadTimer = setTimeout(() => loadHistory(Math.round(chart.scales.x.min), Math.round(chart.scales.x.max)), 250);
}

async function loadHistory(from, to) {
  const channel = document.getElementById('history-channel').value;
  if (!channel) { say('history-status', 'No measurements yet.'); return; }
  if (to - from < 60000) to = from + 60000;
  range = { from, to };
  const canvas = document.getElementById('history-chart');
  say('history-status', 'Loading…');
  try {
    const h = await api('GET', `/api/v1/channels/${channel}/history?from=${from}&to=${to}&points=600`);
    const pts = h.points;
    historyChart.data.datasets[0].data = pts.map((p) => ({ x: p[0], y: p[1] }));
    historyChart.data.datasets[1].data = pts.map((p) => ({ x: p[0], y: p[2] }));
    historyChart.data.datasets[2].data = pts.map((p) => ({ x: p[0], y: p[3] }));
    historyChart.options.scales.x.min = from;
    historyChart.options.scales.x.max = to;
    historyChart.options.scales.y = { title: { display: true, text: quantityLabel(h.channel.quantity, h.channel.unit) } };
    historyChart.update('none');
    canvas.dataset.from = String(from);
    canvas.dataset.to = String(to);
    canvas.dataset.bucketSeconds = String(h.bucket_seconds);
    canvas.dataset.points = String(pts.length);
    say('history-status', `${new Date(from).toLocaleString()} – ${new Date(to).toLocaleString()}: ${pts.length} points, one per ${span(h.bucket_seconds)} (${sourceName(h.source)}).`);
  } catch (e) {
    say('history-status', e.message, true);
  }
}

// ---- sites and sub-meters: each meter with sub-meters, day by day, with what none of them measured

async function loadMeters() {
  const [sites, parents] = await Promise.all([api('GET', '/api/v1/sites'), api('GET', '/api/v1/meters/parents')]);
  const meters = [...new Set(Object.values(parents))].sort();
  if (sites.length < 2 && !meters.length) return;
  document.getElementById('meters').hidden = false;
  document.getElementById('meters-link').hidden = false;
  if (sites.length > 1) {
    replace('site-list', table('Your sites', ['Site', 'Community', 'Time zone'],
      sites.map((x) => [x.name, x.community, x.zone])));
  }
  const to = Date.now();
  const parts = [];
  for (const meter of meters) {
    const t = await api('GET', `/api/v1/meters/tree?meter=${encodeURIComponent(meter)}&interval=day&from=${startOfDay(to - 6 * DAY)}&to=${to}`);
    const subs = Object.keys(parents).filter((c) => parents[c] === meter).sort();
    parts.push(el('h3', {}, `${devices.get(meter) ? devices.get(meter).device.name : meter} and its sub-meters`));
    parts.push(table(`${meter} and its sub-meters per day`, ['Day', 'Meter', ...subs, 'Not sub-metered'],
      t.points.map((p) => [homeDate(Date.parse(p.start)), energy(p.meter), ...subs.map((c) => energy(p.sub_meters[c] || 0)),
        p.untracked !== null ? energy(p.untracked) : el('span', { class: 'bad' }, `sub-meters exceed it by ${energy(p.excess)}`)]).reverse(),
      [1, ...subs.map((_, i) => i + 2), subs.length + 2]));
  }
  replace('tree-list', parts);
}

// ---- categories

async function loadCategories() {
  const to = Date.now();
  const e = await api('GET', `/api/v1/energy?commodity=electricity&interval=day&group=category&from=${to - 7 * 86400000}&to=${to}`);
  const sums = new Map();
  for (const p of e.points) sums.set(p.group, (sums.get(p.group) || 0) + p.amount);
  const sorted = [...sums.entries()].sort((a, b) => b[1] - a[1]);
  const total = sorted.reduce((s, [, v]) => s + v, 0);
  new window.Chart(document.getElementById('category-chart'), {
    type: 'bar',
    data: { labels: sorted.map(([k]) => categoryName(k)), datasets: [{ label: 'kWh', data: sorted.map(([, v]) => v / 1000), backgroundColor: '#0b5cad' }] },
    options: { maintainAspectRatio: false, animation: false, indexAxis: 'y', plugins: { legend: { display: false } } },
  });
  replace('category-table', table('Energy per category, last 7 days', ['Category', 'Energy', 'Share'],
    sorted.map(([k, v]) => [el('a', { href: `/appliance.html?category=${encodeURIComponent(k)}` }, categoryName(k)),
      energy(v), total > 0 ? number((100 * v) / total, 1) + ' %' : '–']), [1, 2]));
}

// ---- water, gas, heat and cooling

const COMMODITIES = [
  ['water', 'Water', (v) => (v >= 1000 ? number(v / 1000, 2) + ' m³' : number(v, 0) + ' L')],
  ['gas', 'Gas', (v) => number(v, 2) + ' m³'],
  ['heat', 'Heat', energy],
  ['cooling', 'Cooling', energy],
];

/** "average 3.2 m³ (60 % use less)", or why there is no comparison. */
function againstCommunity(c, format) {
  if (!c) return '–';
  if (c.withheld) return c.withheld;
  if (c.value === null || c.value === undefined) return '–';
  return `average ${format(c.average)} (${number(c.percentile, 0)} % use less)`;
}

async function loadCommodities() {
  const to = Date.now();
  const rows = [];
  let community = {};
  try { community = await api('GET', '/api/v1/community'); } catch (e) { /* no community */ }
  for (const [commodity, label, format] of COMMODITIES) {
    const e = await api('GET', `/api/v1/energy?commodity=${commodity}&interval=day&group=total&from=${to - 7 * 86400000}&to=${to}`);
    if (e.points.length === 0) continue;
    const last = e.points[e.points.length - 1];
    const total = e.points.reduce((s, p) => s + p.amount, 0);
    const estimated = e.points.some((p) => p.estimated || p.gap_hours);
    const month = community[`${commodity}_month`];
    rows.push([label, `${format(last.amount)} (${new Date(last.start).toLocaleDateString()})`, format(total),
      month && month.value !== null && month.value !== undefined ? format(month.value) : '–',
      el('span', { id: `community-${commodity}` }, againstCommunity(month, format)),
      estimated ? 'partly estimated or missing' : 'measured']);
  }
  replace('commodity-table', table('Water, gas and heat, last 7 days and this month',
    ['Commodity', 'Latest day', '7 days', 'This month', 'Your community this month', 'Data'], rows, [1, 2, 3]));
}

// ---- alarms

async function loadAlarms() {
  const alarms = await api('GET', '/api/v1/alarms');
  replace('alarm-list', table('Alarms', ['Raised', 'Device', 'Type', 'Severity', 'State', 'Message', ''],
    alarms.map((a) => [time(a.raised_at), a.device_ref || '–', a.type,
      el('span', { class: 'badge ' + (a.severity === 'critical' ? 'bad' : 'warn') }, a.severity), a.state, a.message || '',
      a.state === 'active' && canChange ? el('button', { type: 'button', class: 'secondary', onclick: () => acknowledge(a.id) }, 'Acknowledge') : '']), []));
}

/** Leaks, bursts and other incidents the analytics found in the home's consumption, open or closed. */
async function loadIncidents() {
  try {
    const incidents = await api('GET', '/api/v1/incidents?state=all&limit=20');
    replace('incident-list', incidents.length
      ? table('Incidents', ['Found', 'Meter', 'What', 'State', 'Summary'], incidents.map((i) => [
        time(Date.parse(i.detected_at)), i.device, i.type.replace(/_/g, ' '), i.state, i.summary]))
      : el('p', { class: 'muted' }, 'Nothing unusual found (leaks, bursts, a home standing empty).'));
  } catch (e) {
    replace('incident-list', el('p', { class: 'muted' }, e.message));
  }
}

async function acknowledge(id) {
  try {
    await api('POST', `/api/v1/alarms/${id}/acknowledge`, {});
    say('alarm-status', 'Acknowledged.');
    loadAlarms();
  } catch (e) { say('alarm-status', e.message, true); }
}

// ---- API keys

function setUpKeys() {
  const scope = document.getElementById('key-scope');
  const target = document.getElementById('key-target');
  replace('key-devices', [...devices.keys()].map((ref) => el('option', { value: ref })));
  scope.addEventListener('change', () => {
    const named = scope.value === 'device' || scope.value === 'gateway';
    document.getElementById('key-target-label').hidden = !named;
    target.required = named;
  });
  onSubmit(document.getElementById('key-form'), 'key-status', async (f) => {
    const body = { label: f.get('label') || 'web', scope: f.get('scope') };
    if (body.scope === 'device' || body.scope === 'gateway') body[body.scope] = f.get('target');
    showNewKey(await api('POST', '/api/v1/keys', body), 'created');
    document.getElementById('key-form').reset();
    scope.dispatchEvent(new Event('change'));
  });
  loadKeys();
}

/** A key just made or rotated: its secret (and a device or gateway key's CoAP pre-shared key), shown once. */
function showNewKey(k, what) {
  replace('key-secret', el('p', {}, `Your new key, ${scopeLabel(k.scope, k.target)} (copy it now; it is not shown again):`),
    el('code', { class: 'secret', id: 'new-key-secret' }, k.secret),
    k.psk ? el('p', {}, 'For CoAP devices (coaps://), its pre-shared key: identity ',
      el('code', { id: 'new-key-psk-identity' }, k.psk.identity), ', key ',
      el('code', { class: 'secret', id: 'new-key-psk' }, k.psk.key)) : null);
  say('key-status', `Key ${k.prefix}… ${what}.`);
  loadKeys();
}

function keyState(k) {
  if (k.revoked_at) return el('span', { class: 'badge bad' }, 'revoked');
  if (k.expires_at && Date.parse(k.expires_at) <= Date.now()) return el('span', { class: 'badge bad' }, 'expired');
  if (k.expires_at) return el('span', { class: 'badge warn' }, `ends ${time(k.expires_at)}`);
  return el('span', { class: 'badge ok' }, 'active');
}

async function loadKeys() {
  const keys = await api('GET', '/api/v1/keys');
  replace('key-list', table('Your API keys', ['Label', 'Reaches', 'Starts with', 'Created', 'State', ''],
    keys.map((k) => [k.label, el('span', { 'data-key-scope': String(k.id) }, scopeLabel(k.scope, k.target)),
      el('code', {}, k.prefix + '…'), time(k.created_at), keyState(k),
      k.revoked_at || !canChange ? '' : el('span', {},
        k.expires_at ? '' : el('button', { type: 'button', class: 'secondary', 'aria-label': `Rotate key ${k.label}`,
          onclick: () => rotateKey(k) }, 'Rotate'), ' ',
        el('button', { type: 'button', class: 'danger', 'data-key': String(k.id),
          'aria-label': `Revoke key ${k.label}`, onclick: () => revokeKey(k) }, 'Revoke'))])));
}

async function rotateKey(k) {
  if (!confirm(`Make a new key to replace '${k.label}'? The old one keeps working for 24 hours.`)) return;
  try {
    showNewKey(await api('POST', `/api/v1/keys/${k.id}/rotate`, { overlap: 'PT24H' }), 'made; the old one ends in 24 hours');
  } catch (e) { say('key-status', e.message, true); }
}

async function revokeKey(k) {
  if (!confirm(`Revoke the key '${k.label}'? Programs using it stop working.`)) return;
  try {
    await api('DELETE', `/api/v1/keys/${k.id}`);
    say('key-status', `Key ${k.prefix}… revoked.`);
    loadKeys();
  } catch (e) { say('key-status', e.message, true); }
}

// ---- third-party grants

function setUpGrants() {
  const quantities = new Set();
  for (const { device } of devices.values()) for (const r of device.readings) quantities.add(r.quantity);
  replace('grant-devices', [...devices.values()].map(({ device: d }) =>
    el('label', {}, el('input', { type: 'checkbox', name: 'devices', value: d.ref }), ` ${d.name} (${d.ref})`)));
  replace('grant-quantities', [...quantities].sort().map((q) =>
    el('label', {}, el('input', { type: 'checkbox', name: 'quantities', value: q }), ' ' + quantityName(q))));
  onSubmit(document.getElementById('grant-form'), 'grant-status', async (f) => {
    const day = (v) => (v ? new Date(v + 'T00:00:00').toISOString() : null);
    const g = await api('POST', '/api/v1/grants', {
      application: f.get('application'), devices: f.getAll('devices'), quantities: f.getAll('quantities'),
      from: day(f.get('from')), to: day(f.get('to')), aggregated_only: f.get('aggregated_only') === 'on',
    });
    replace('grant-token', el('p', {}, `Token for ${g.application} (give it to the application now; it is not shown again):`),
      el('code', { class: 'secret', id: 'new-grant-token' }, g.token));
    say('grant-status', 'Access granted.');
    document.getElementById('grant-form').reset();
    loadGrants();
  });
  loadGrants();
}

async function loadGrants() {
  const grants = await api('GET', '/api/v1/grants');
  const rows = [];
  for (const g of grants) {
    let reads = '–';
    try { reads = String((await api('GET', `/api/v1/grants/${g.id}/accesses`)).total); } catch (e) { /* keep – */ }
    rows.push([g.application, g.devices.join(', '), g.quantities.join(', ') + (g.aggregated_only ? ' (hourly only)' : ''),
      (g.from ? time(g.from) : 'any') + ' – ' + (g.to ? time(g.to) : 'any'), reads,
      g.revoked_at ? el('span', { class: 'badge bad' }, 'revoked')
        : el('button', { type: 'button', class: 'danger', 'aria-label': `Revoke access of ${g.application}`,
          onclick: () => revokeGrant(g) }, 'Revoke')]);
  }
  replace('grant-list', table('Applications with access', ['Application', 'Devices', 'Quantities', 'Period', 'Reads', ''], rows, [4]));
}

async function revokeGrant(g) {
  if (!confirm(`Revoke the access of ${g.application}?`)) return;
  try {
    await api('DELETE', `/api/v1/grants/${g.id}`);
    say('grant-status', `${g.application} has no access any more.`);
    loadGrants();
  } catch (e) { say('grant-status', e.message, true); }
}
