// The operator console: gateways, customers, devices, tariffs, communities and grid, demand response,
// quarantine, accounts.
import { api, requireRole, el, replace, table, say, power, time, signOut, onSubmit, showScope, number, showNotices, CATEGORY_KEYS } from './common.js';

const PAGE = 50;
const paging = { customers: { q: '', offset: 0 }, gateways: { q: '', offset: 0 }, devices: { q: '', offset: 0 } };
const me = await requireRole('operator');
let customers = [];
if (me) start();

async function start() {
  showScope(me, 'who');
  signOut(document.getElementById('signout'));
  showNotices();
  setInterval(showNotices, 15000);
  loadOverview();
  await loadCustomers();
  setUpGateways();
  setUpCustomers();
  searchBox('customer-search', paging.customers, loadCustomers);
  searchBox('gateway-search', paging.gateways, loadGateways);
  searchBox('device-search', paging.devices, findDevices);
  setUpDevices();
  loadTariffs();
  loadCommunities();
  setUpDr();
  loadQuarantine();
  setUpAccounts();
  setInterval(() => { loadOverview(); loadGateways(); loadDevices(); loadCommunities(); }, 15000);
}

function customerOptions(select, withOperator = false) {
  const opts = customers.map((c) => el('option', { value: String(c.id) }, `${c.name} (#${c.id})`));
  if (withOperator) opts.unshift(el('option', { value: '0' }, 'an operator'));
  replace(select, opts);
}

function online(v) {
  if (v === undefined || v === null) return el('span', { class: 'badge' }, 'unknown');
  return v ? el('span', { class: 'badge ok' }, 'online') : el('span', { class: 'badge bad' }, 'offline');
}

// ---- customers

/** Prev and next buttons under a paged list, and where it is ("51–100 of 100,000"). */
function pager(id, page, reload) {
  const last = Math.min(page.total, page.offset + page.items.length);
  replace(id,
    el('button', { type: 'button', class: 'secondary', disabled: page.offset === 0, 'aria-label': 'Previous page',
      onclick: () => reload(Math.max(0, page.offset - PAGE)) }, '‹ Previous'),
    el('span', { class: 'muted', role: 'status' }, page.total === 0 ? 'none found'
      : `${number(page.offset + 1)}–${number(last)} of ${number(page.total)}`),
    el('button', { type: 'button', class: 'secondary', disabled: last >= page.total, 'aria-label': 'Next page',
      onclick: () => reload(page.offset + PAGE) }, 'Next ›'));
}

function searchBox(formId, state, reload) {
  const form = document.getElementById(formId);
  let timer = null;
  form.addEventListener('submit', (ev) => ev.preventDefault());
  form.querySelector('input').addEventListener('input', (ev) => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      state.q = ev.target.value;
      Promise.resolve(reload(0)).catch(() => { /* the list keeps what it showed */ });
    }, 250);
  });
}

async function loadCustomers(offset = paging.customers.offset) {
  paging.customers.offset = offset;
  const q = encodeURIComponent(paging.customers.q);
  const page = await api('GET', `/api/v1/customers?q=${q}&offset=${offset}&limit=${PAGE}`);
  customers = page.items;
  replace('customer-list', table('Customers', ['#', 'Name', 'Site', 'Community', 'Zone', 'Since'],
    page.items.map((c) => {
      const s = c.sites[0] || {};
      return [String(c.id), c.name, s.name || '–', s.community || '–', s.zone || '–', time(c.created_at)];
    })));
  pager('customer-pages', page, loadCustomers);
  for (const id of ['gw-customer', 'dev-customer']) customerOptions(document.getElementById(id));
  customerOptions(document.getElementById('a-customer'), true);
}

// ---- overview

async function loadOverview() {
  try {
    const o = await api('GET', '/api/v1/overview');
    const card = (label, value, id) => el('div', { class: 'card' }, el('div', { class: 'label' }, label),
      el('div', { class: 'value', id }, value));
    replace('overview-cards',
      card('Customers', number(o.customers), 'ov-customers'),
      card('Gateways', number(o.gateways), 'ov-gateways'),
      card('Devices reporting', `${number(o.devices_reporting)} of ${number(o.devices)}`, 'ov-devices'),
      card('Readings stored (since start)', number(o.readings_stored), 'ov-readings'),
      card('Rejected (since start)', number(o.readings_rejected), 'ov-rejected'),
      card('Open alarms', number(o.open_alarms), 'ov-alarms'));
    replace('overview-grid', table('Grid state per community', ['Community', 'State', 'Load', 'Capacity', 'Why'],
      o.grid.map((g) => [g.community, el('span', { class: 'badge ' + (g.state === 'normal' ? 'ok' : g.state === 'peak' ? 'warn' : 'bad') }, g.state),
        power(g.load_w), g.capacity_w ? power(g.capacity_w) : '–', (g.reasons || []).join('; ') || '–']), [2, 3]));
  } catch (e) { /* the next refresh tries again */ }
}

function setUpCustomers() {
  onSubmit(document.getElementById('customer-form'), 'c-status', async (f) => {
    const c = await api('POST', '/api/v1/customers', { name: f.get('name'), site: { community: f.get('community'), zone: f.get('zone') } });
    replace('c-key', el('p', {}, `First API key of ${c.name} (shown once):`), el('code', { class: 'secret' }, c.api_key.secret));
    say('c-status', `Customer #${c.id} added.`);
    document.getElementById('customer-form').reset();
    await loadCustomers();
  });
}

// ---- gateways

function setUpGateways() {
  onSubmit(document.getElementById('gateway-form'), 'gw-status', async (f) => {
    const g = await api('POST', '/api/v1/gateways', {
      customer: Number(f.get('customer')), name: f.get('name'), address: f.get('address'), port: Number(f.get('port') || 0),
    });
    replace('gw-key', el('p', {}, `Key of gateway '${g.name}' (uploads as '${g.ref}'); copy it into the gateway now, it is not shown again:`),
      el('code', { class: 'secret', id: 'gateway-key-secret' }, g.key.secret));
    say('gw-status', `Gateway ${g.ref} registered.`);
    document.getElementById('gw-name').value = '';
    loadGateways();
  });
  loadGateways();
}

async function loadGateways(offset = paging.gateways.offset) {
  paging.gateways.offset = offset;
  const q = encodeURIComponent(paging.gateways.q);
  const page = await api('GET', `/api/v1/gateways?q=${q}&offset=${offset}&limit=${PAGE}`);
  const names = new Map(customers.map((c) => [c.id, c.name]));
  replace('gateway-list', table('Gateways', ['Gateway', 'Customer', 'Address', 'Devices', 'Status'],
    page.items.map((g) => [el('span', {}, g.name, el('br'), el('code', {}, g.ref)), names.get(g.customer) || '#' + g.customer,
      g.address ? `${g.address}:${g.port}` : '–', String(g.devices.length), online(g.online)])));
  pager('gateway-pages', page, loadGateways);
}

// ---- devices


/** Devices of every customer that match the search box, a page at a time (searched on the server). */
async function findDevices(offset = paging.devices.offset) {
  paging.devices.offset = offset;
  if (!paging.devices.q.trim()) {
    replace('device-found', '');
    replace('device-pages', '');
    return;
  }
  const q = encodeURIComponent(paging.devices.q.trim());
  const page = await api('GET', `/api/v1/devices?q=${q}&offset=${offset}&limit=${PAGE}`);
  replace('device-found', table('Devices found', ['Customer', 'Device', 'Type', 'Category'], page.items.map((d) => [
    `#${d.customer}`, el('span', {}, d.name, el('br'), el('code', {}, d.ref)), d.type, d.category])));
  pager('device-pages', page, findDevices);
}

function setUpDevices() {
  document.getElementById('dev-customer').addEventListener('change', loadDevices);
  loadDevices();
}

async function loadDevices() {
  const customer = document.getElementById('dev-customer').value;
  if (!customer) return;
  const [devs, latest, pending] = await Promise.all([
    api('GET', `/api/v1/devices?customer=${customer}`),
    api('GET', `/api/v1/latest?customer=${customer}`),
    api('GET', `/api/v1/devices/pending?customer=${customer}`),
  ]);
  const last = new Map(latest.map((d) => [d.ref, d.readings.reduce((m, r) => (r.ts > m ? r.ts : m), '')]));
  const power = new Map(latest.map((d) => [d.ref, (d.readings.find((r) => r.quantity === 'active_power') || {}).value]));
  replace('device-list', table('Devices of the customer', ['Device', 'Type', 'Category', 'Power', 'Last reading', 'Status'],
    devs.map((d) => {
      const select = el('select', { 'aria-label': `Category of ${d.name}`, onchange: (ev) => setCategory(customer, d, ev.target.value) },
        CATEGORY_KEYS.map((c) => el('option', { value: c, selected: c === d.category }, c)));
      return [el('span', {}, d.name, el('br'), el('code', {}, d.ref)), d.type, select, powerText(power.get(d.ref)),
        time(last.get(d.ref)), online(d.online !== undefined ? d.online : recent(last.get(d.ref)))];
    }), [3]));
  replace('pending-list', table('Devices waiting for approval', ['Device', 'Gateway', 'First seen', ''],
    pending.map((p) => [p.ref, p.gateway || '–', time(p.first_seen),
      el('button', { type: 'button', onclick: () => approve(customer, p.ref) }, 'Approve')])));
}

/** Devices that upload over HTTP have no connection: heard from within 5 minutes counts as online. */
function recent(ts) {
  return ts ? Date.now() - Date.parse(ts) < 5 * 60000 : undefined;
}

function powerText(w) { return w === undefined ? '–' : power(w); }

async function setCategory(customer, d, category) {
  try {
    await api('PATCH', `/api/v1/devices/${encodeURIComponent(d.ref)}?customer=${customer}`, { category });
    say('dev-status', `${d.name} is now in ${category}.`);
  } catch (e) { say('dev-status', e.message, true); }
}

async function approve(customer, ref) {
  try {
    await api('POST', `/api/v1/devices/${encodeURIComponent(ref)}/approve?customer=${customer}`, {});
    say('dev-status', `${ref} approved.`);
    loadDevices();
  } catch (e) { say('dev-status', e.message, true); }
}

// ---- tariffs, communities

async function loadTariffs() {
  const tariffs = await api('GET', '/api/v1/tariffs');
  replace('tariff-list', table('Tariffs', ['Id', 'Name', 'Commodity', 'Group', 'Currency', 'Versions'],
    tariffs.map((t) => [t.id, t.name, t.commodity, t.group || '–', t.currency, String((t.versions || []).length)])));
}

async function loadCommunities() {
  const names = [...new Set(customers.flatMap((c) => c.sites.map((s) => s.community)))].sort();
  const rows = [];
  for (const n of names) {
    try {
      const g = await api('GET', `/api/v1/communities/${encodeURIComponent(n)}/grid`);
      const cls = g.state === 'normal' ? 'ok' : g.state === 'peak' ? 'warn' : 'bad';
      rows.push([n, el('span', { class: 'badge ' + cls }, g.state), power(g.load_w), g.capacity_w ? power(g.capacity_w) : '–',
        (g.reasons || []).join('; ') || '–']);
    } catch (e) {
      rows.push([n, '–', '–', '–', e.message]);
    }
  }
  replace('community-list', table('Communities', ['Community', 'Grid', 'Load', 'Capacity', 'Why'], rows, [2, 3]));
}

// ---- demand response

function setUpDr() {
  onSubmit(document.getElementById('event-form'), 'dr-status', async (f) => {
    const start = new Date(Date.now() + Number(f.get('start')) * 60000);
    const end = new Date(start.getTime() + Number(f.get('length')) * 60000);
    const e = await api('POST', '/api/v1/dr/events', { program: f.get('program'), start: start.toISOString(), end: end.toISOString() });
    say('dr-status', `Event ${e.id} scheduled.`);
    loadDr();
  });
  loadDr();
}

async function loadDr() {
  const [programs, events] = await Promise.all([api('GET', '/api/v1/dr/programs'), api('GET', '/api/v1/dr/events')]);
  replace('program-list', table('Programs', ['Program', 'Name', 'Community', 'Categories'],
    programs.map((p) => [p.id, p.name || '–', p.community, (p.categories || []).join(', ')])));
  replace(document.getElementById('ev-program'), programs.map((p) => el('option', { value: p.id }, p.id)));
  replace('event-list', table('Events', ['Event', 'Program', 'Start', 'End', 'Status', 'Switched', ''],
    events.map((e) => [e.id, e.program_id, time(e.start), time(e.end), e.status, String((e.switched || []).length),
      ['scheduled', 'active'].includes(e.status)
        ? el('button', { type: 'button', class: 'danger', onclick: () => cancel(e.id) }, 'Cancel') : ''])));
}

async function cancel(id) {
  try {
    await api('POST', `/api/v1/dr/events/${id}/cancel`, {});
    say('dr-status', `Event ${id} cancelled.`);
    loadDr();
  } catch (e) { say('dr-status', e.message, true); }
}

// ---- quarantine

async function loadQuarantine() {
  const q = await api('GET', '/api/v1/quarantine?limit=100');
  replace('quarantine-list', table('Rejected inputs', ['Received', 'Source', 'Customer', 'Reason', 'Detail', 'Payload'],
    q.map((e) => [time(e.received_at), e.source, e.customer_id ? String(e.customer_id) : '–', e.reason, e.detail || '',
      el('code', {}, (e.payload || '').slice(0, 120))])));
}

// ---- accounts

function setUpAccounts() {
  onSubmit(document.getElementById('account-form'), 'a-status', async (f) => {
    const a = await api('POST', '/api/v1/accounts', { username: f.get('username'), password: f.get('password'), customer: Number(f.get('customer')) });
    say('a-status', `Account ${a.username} (${a.role}) created.`);
    document.getElementById('account-form').reset();
  });
}
