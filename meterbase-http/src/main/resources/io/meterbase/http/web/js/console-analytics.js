// The console's analytics: when they last ran, each community's forecast for the next hours with its likely range,
// and the customers' clusters by load profile.
import { api, requireRole, el, replace, table, say, number, time, readsOnly, showScope, signOut, onSubmit } from './common.js';

const me = await requireRole('operator');
let forecastChart = null;
if (me) start().catch((e) => say('run-status', e.message, true));

async function start() {
  showScope(me, 'who');
  signOut(document.getElementById('signout'));
  const run = document.getElementById('run-now');
  run.disabled = readsOnly(me);
  run.addEventListener('click', runNow);
  loadStatus();
  const overview = await api('GET', '/api/v1/overview');
  const names = (overview.grid || []).map((g) => g.community).sort();
  replace('fc-community', names.map((n) => el('option', { value: n }, n)));
  const select = document.getElementById('fc-community');
  select.addEventListener('change', () => loadForecast(select.value));
  if (names.length) loadForecast(names[0]);
  else replace('fc-summary', 'No community has customers yet.');
  loadClusters();
  setUpBalances();
}

// ---- district and feeder balances

const UNITS = { electricity: 'kWh', water: 'm³', gas: 'm³', heat: 'kWh' };
const SCALE = { electricity: 1000, water: 1000, gas: 1, heat: 1000 };

function setUpBalances() {
  const form = document.getElementById('bal-form');
  for (const c of form.querySelectorAll('input, select, button')) c.disabled = readsOnly(me);
  onSubmit(form, 'bal-status', async (f) => {
    const body = { supply_customer: Number(f.get('supply_customer')), supply_device: f.get('supply_device'),
      commodity: f.get('commodity') };
    if (f.get('alarm_above_percent')) body.alarm_above_percent = Number(f.get('alarm_above_percent'));
    await api('PUT', `/api/v1/balances/${encodeURIComponent(f.get('community'))}`, body);
    say('bal-status', `The balance of ${f.get('community')} is saved.`);
    await loadBalances();
  });
  loadBalances().catch((e) => say('bal-status', e.message, true));
}

async function loadBalances() {
  const all = await api('GET', '/api/v1/balances');
  if (!all.length) { replace('bal-list', el('p', { class: 'muted' }, 'No district is balanced yet.')); return; }
  const to = Date.now();
  const parts = [];
  for (const b of all) {
    const r = await api('GET', `/api/v1/balances/${encodeURIComponent(b.community)}?from=${to - 8 * 86400000}&to=${to}`);
    const unit = UNITS[b.commodity] || '';
    const f = (v) => `${number(v / (SCALE[b.commodity] || 1), 2)} ${unit}`;
    parts.push(el('h3', {}, `${b.community}: ${b.commodity}, supply ${b.supply_device} of customer #${b.supply_customer}`
      + (b.alarm_above_percent !== null && b.alarm_above_percent !== undefined ? `, alarm above ${b.alarm_above_percent} %` : '')));
    parts.push(table(`Balance of ${b.community} per day`, ['Day', 'Supply', 'Metered', 'Lost', 'Lost %', 'Meters', 'Complete'],
      r.days.map((d) => [new Date(d.day).toLocaleDateString(), f(d.supply), f(d.metered), f(d.losses),
        d.losses_percent === null ? '–' : number(d.losses_percent, 1) + ' %', String(d.meters),
        d.complete ? 'yes' : `no: ${d.missing.length} missing (${d.missing.slice(0, 3).join(', ')}${d.missing.length > 3 ? ', …' : ''})`]).reverse(),
      [1, 2, 3, 4, 5]));
  }
  replace('bal-list', parts);
}

async function loadStatus() {
  try {
    const s = await api('GET', '/api/v1/analytics');
    const last = s.last_run ? `Last run ${time(Date.parse(s.last_run.at))} (${number(s.last_run.millis / 1000, 1)} s).`
      : 'Not run yet.';
    const trained = s.models_trained_at ? ` Models trained ${time(Date.parse(s.models_trained_at))}.` : '';
    const waiting = s.waiting_for ? ` Waiting for: ${s.waiting_for}.` : '';
    replace('analytics-state', last + trained + waiting);
  } catch (e) { replace('analytics-state', e.message); }
}

async function runNow() {
  const button = document.getElementById('run-now');
  button.disabled = true;
  say('run-status', 'Running… (forecasts, incidents and clusters of every customer; this can take a while)');
  try {
    await api('POST', '/api/v1/analytics/run', {});
    say('run-status', 'Done.');
    loadStatus();
    loadForecast(document.getElementById('fc-community').value);
    loadClusters();
  } catch (e) { say('run-status', e.message, true); } finally { button.disabled = readsOnly(me); }
}

async function loadForecast(name) {
  if (!name) return;
  let f;
  try {
    f = await api('GET', `/api/v1/communities/${encodeURIComponent(name)}/forecast`);
  } catch (e) {
    replace('fc-summary', `No forecast for ${name} yet: ${e.message}`);
    replace('fc-table', '');
    if (forecastChart) { forecastChart.destroy(); forecastChart = null; }
    return;
  }
  const kwh = (v) => (v == null ? null : v / 1000);
  const total = f.hours.reduce((s, h) => s + h.value, 0);
  const ranged = f.hours.every((h) => h.low != null && h.high != null);
  const range = ranged ? ` (likely ${number(kwh(f.hours.reduce((s, h) => s + h.low, 0)), 1)}–`
    + `${number(kwh(f.hours.reduce((s, h) => s + h.high, 0)), 1)} kWh)` : '';
  replace('fc-summary', `${name}: about ${number(kwh(total), 1)} kWh in the next ${f.hours.length} hours${range}; `
    + `computed ${time(Date.parse(f.generated_at))} from data until ${time(Date.parse(f.based_on_data_until))}.`);
  const labels = f.hours.map((h) => new Date(h.start).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' }));
  replace('fc-table', table('Forecast per hour', ['Hour', 'Expected', 'Likely from', 'to'], f.hours.map((h, i) => [labels[i],
    `${number(kwh(h.value), 2)} kWh`, h.low == null ? '–' : `${number(kwh(h.low), 2)} kWh`,
    h.high == null ? '–' : `${number(kwh(h.high), 2)} kWh`]), [1, 2, 3]));
  if (!window.Chart) return;
  if (forecastChart) forecastChart.destroy();
  forecastChart = new window.Chart(document.getElementById('fc-chart'), {
    type: 'line',
    data: { labels, datasets: [
      { label: 'likely high', data: f.hours.map((h) => kwh(h.high)), borderWidth: 0, pointRadius: 0, fill: '+1', backgroundColor: 'rgba(11,92,173,0.15)' },
      { label: 'likely low', data: f.hours.map((h) => kwh(h.low)), borderWidth: 0, pointRadius: 0, fill: false },
      { label: 'expected (kWh)', data: f.hours.map((h) => kwh(h.value)), borderColor: '#0b5cad', pointRadius: 0 },
    ] },
    options: { animation: false, maintainAspectRatio: false },
  });
}

let clusterChart = null;

async function loadClusters() {
  let c;
  try {
    c = await api('GET', '/api/v1/clusters');
  } catch (e) {
    replace('cl-summary', e.message);
    replace('cl-table', '');
    return;
  }
  replace('cl-summary', `${c.customers} customers in ${c.k} clusters from ${c.days} days of data (silhouette `
    + `${number(c.silhouette, 2)}), computed ${time(Date.parse(c.generated_at))}.`);
  const peak = (p) => p.indexOf(Math.max(...p));
  replace('cl-table', table('Clusters', ['Cluster', 'Customers', 'What they do', 'Weekday peak', 'Weekend peak'],
    c.clusters.map((g) => [String(g.id), String(g.size), g.description, `${peak(g.weekday)}:00`, `${peak(g.weekend)}:00`]), [1]));
  if (!window.Chart) return;
  if (clusterChart) clusterChart.destroy();
  const colours = ['#0b5cad', '#b35c00', '#2e7d32', '#8e24aa', '#c62828', '#00838f', '#6d4c41', '#546e7a'];
  clusterChart = new window.Chart(document.getElementById('cl-chart'), {
    type: 'line',
    data: { labels: [...Array(24).keys()].map((h) => `${h}:00`), datasets: c.clusters.map((g, i) => ({
      label: `cluster ${g.id} (${g.size})`, data: g.weekday, borderColor: colours[i % colours.length], pointRadius: 0 })) },
    options: { animation: false, maintainAspectRatio: false },
  });
}
