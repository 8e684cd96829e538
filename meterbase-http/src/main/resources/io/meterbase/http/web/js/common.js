// Shared by the Meterbase pages: the session, API calls with the CSRF token, safe DOM building, formatting.
export const session = { csrf: null, me: null };

/** The signed-in person, or null. */
export async function current() {
  const r = await fetch('/api/v1/session', { credentials: 'same-origin' });
  if (!r.ok) return null;
  const s = await r.json();
  session.csrf = s.csrf_token;
  session.me = s;
  return s;
}

/** Sends people to the sign-in page, or to their own page when they have the other role. */
export async function requireRole(role) {
  const s = await current();
  if (!s) { location.replace('/'); return null; }
  if (s.role !== role) { location.replace(s.role === 'operator' ? '/operator.html' : '/customer.html'); return null; }
  return s;
}

export class ApiError extends Error {
  constructor(status, reason, message) { super(message); this.status = status; this.reason = reason; }
}

/** Calls the API as the signed-in person; a change carries the CSRF token. */
export async function api(method, path, body) {
  const init = { method, credentials: 'same-origin', headers: { Accept: 'application/json' } };
  if (body !== undefined) {
    init.headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  if (method !== 'GET') init.headers['X-CSRF-Token'] = session.csrf;
  const r = await fetch(path, init);
  if (r.status === 401 && path !== '/api/v1/session') {
    location.replace('/');
    throw new ApiError(401, 'unauthorized', 'signed out');
  }
  const text = await r.text();
  let data = null;
  try { data = text ? JSON.parse(text) : null; } catch (e) { data = text; }
  if (!r.ok) throw new ApiError(r.status, data && data.error, (data && data.message) || r.statusText);
  return data;
}

/** Builds an element; children are nodes or text (never parsed as HTML). */
export function el(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k.startsWith('on')) e.addEventListener(k.slice(2), v);
    else if (k === 'text') e.textContent = v;
    else e.setAttribute(k, v === true ? '' : v);
  }
  for (const c of children.flat()) {
    if (c === null || c === undefined) continue;
    e.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return e;
}

export function replace(target, ...children) {
  const t = typeof target === 'string' ? document.getElementById(target) : target;
  t.replaceChildren(...children.flat().filter((c) => c !== null && c !== undefined));
  return t;
}

/** A table with a caption for screen readers; rows are arrays of cells (text or nodes). */
export function table(caption, headers, rows, numeric = []) {
  return el('div', { class: 'scroll' }, el('table', {},
    el('caption', { class: 'visually-hidden' }, caption),
    el('thead', {}, el('tr', {}, headers.map((h, i) => el('th', { scope: 'col', class: numeric.includes(i) ? 'num' : null }, h)))),
    el('tbody', {}, rows.length === 0
      ? el('tr', {}, el('td', { colspan: headers.length, class: 'muted' }, 'Nothing yet.'))
      : rows.map((r) => el('tr', {}, r.map((c, i) => el('td', {
        class: numeric.includes(i) ? 'num' : null, 'data-label': headers[i] || '' }, c)))))));
}

/** Shows a message in a page's polite live region. */
export function say(id, message, error = false) {
  const s = document.getElementById(id);
  if (!s) return;
  s.textContent = message;
  s.classList.toggle('error', error);
}

export function number(v, digits = 0) {
  if (v === null || v === undefined || Number.isNaN(v)) return '–';
  return Number(v).toLocaleString(undefined, { maximumFractionDigits: digits, minimumFractionDigits: digits });
}

export function power(w) {
  if (w === null || w === undefined) return '–';
  return Math.abs(w) >= 1000 ? number(w / 1000, 2) + ' kW' : number(w, 0) + ' W';
}

export function energy(wh) {
  if (wh === null || wh === undefined) return '–';
  return Math.abs(wh) >= 1000 ? number(wh / 1000, 2) + ' kWh' : number(wh, 0) + ' Wh';
}

export function time(t) {
  if (!t) return '–';
  return new Date(t).toLocaleString();
}

const QUANTITIES = {
  active_power: 'Power', reactive_power: 'Reactive power', apparent_power: 'Apparent power', voltage: 'Voltage',
  current: 'Current', power_factor: 'Power factor', frequency: 'Frequency', energy_import: 'Energy used',
  energy_export: 'Energy sent to the grid', temperature: 'Temperature', humidity: 'Humidity', water_volume: 'Water',
  gas_volume: 'Gas', heat_energy: 'Heat', cooling_energy: 'Cooling', heat_power: 'Heat output', heat_volume:
  'Heating water', flow_temperature: 'Flow temperature', return_temperature: 'Return temperature', illuminance: 'Light',
  gas_concentration: 'Gas in the air', state_of_charge: 'Battery charge',
};
const UNITS = { '/': '', Cel: '°C', '%RH': '% RH', m3: 'm³', lx: 'lux' };
const SOURCES = { raw: 'as measured', hourly: 'hourly totals', daily: 'daily totals' };

/** A quantity's name in words: "Power" for active_power. */
export function quantityName(q) {
  if (QUANTITIES[q]) return QUANTITIES[q];
  const words = String(q || '').replace(/_/g, ' ');
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** "Power (W)", "Power factor" (no unit for ratios). */
export function quantityLabel(q, unit) {
  const u = unit in UNITS ? UNITS[unit] : unit;
  return u ? `${quantityName(q)} (${u})` : quantityName(q);
}

const CATEGORIES = { ev_charger: 'EV charger', tv: 'TV', air_conditioner: 'Air conditioning', main: 'Whole home',
  solar: 'Solar panels', wind: 'Wind turbine' };

/** Every device category, in the order the pages offer them. */
export const CATEGORY_KEYS = ['fridge', 'freezer', 'air_conditioner', 'heating', 'water_heater', 'lighting',
  'ev_charger', 'washing_machine', 'dishwasher', 'kettle', 'oven', 'tv', 'computer', 'pump', 'main', 'solar', 'wind',
  'battery', 'other'];

/** An appliance category in words: "Water heater" for water_heater. */
export function categoryName(c) {
  if (CATEGORIES[c]) return CATEGORIES[c];
  const words = String(c || 'other').replace(/_/g, ' ');
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** Where history points come from, in words. */
export function sourceName(s) {
  return SOURCES[s] || s;
}

/** A duration in seconds in words: "1 min", "1 h", "1 day". */
export function span(seconds) {
  if (seconds % 86400 === 0) return seconds === 86400 ? '1 day' : `${seconds / 86400} days`;
  if (seconds % 3600 === 0) return `${seconds / 3600} h`;
  if (seconds % 60 === 0) return `${seconds / 60} min`;
  return `${seconds} s`;
}

/** What a key or account of a scope reaches, in words ({@code target}: a device or gateway key's node). */
export function scopeLabel(scope, target) {
  switch (scope) {
    case 'customer': return 'full access';
    case 'read_only': return 'read only';
    case 'device': return `uploads for device ${target}`;
    case 'gateway': return `uploads through gateway ${target}`;
    case 'admin': return 'admin';
    case 'operator': return 'operator';
    case 'support': return 'support (read only)';
    default: return scope || '–';
  }
}

/** Whether the signed-in person may look but not change (read-only customer accounts, support operators). */
export function readsOnly(me) {
  return me.scope === 'read_only' || me.scope === 'support';
}

/**
 * Shows the person's scope next to their name and, for those who read only, says so and disables the page's forms
 * (the server refuses their changes anyway).
 */
export function showScope(me, who) {
  replace(who, el('a', { href: '/account.html', title: 'Your account and password' }, me.username), ' ',
    el('span', { class: 'badge', id: 'scope' }, scopeLabel(me.scope)));
  if (!readsOnly(me)) return;
  const note = el('p', { class: 'notice', id: 'read-only-note', role: 'note' },
    'Read-only access: you can look at everything here and change nothing.');
  document.querySelector('main').prepend(note);
  for (const f of document.querySelectorAll('main form:not([data-reads])')) {
    for (const c of f.querySelectorAll('input, select, textarea, button')) c.disabled = true;
  }
}

/** Wires the sign-out button of a page. */
export function signOut(button) {
  button.addEventListener('click', async () => {
    try { await api('DELETE', '/api/v1/session'); } finally { location.replace('/'); }
  });
}

/** Runs a form's handler on submit and reports errors in the given live region. */
export function onSubmit(form, status, handler) {
  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const button = form.querySelector('button[type=submit]');
    if (button) button.disabled = true;
    try {
      await handler(new FormData(form));
    } catch (e) {
      say(status, e.message, true);
    } finally {
      if (button) button.disabled = false;
    }
  });
}

/** Shows what the installation says to everyone (e.g. the demo's history still loading) above the page's content. */
export async function showNotices() {
  let notices = [];
  try { notices = await api('GET', '/api/v1/notices'); } catch (e) { return; }
  let box = document.getElementById('notices');
  if (!box) {
    box = el('div', { id: 'notices', role: 'status', 'aria-live': 'polite' });
    document.querySelector('main').prepend(box);
  }
  replace(box, notices.map((n) => el('p', { class: 'notice', 'data-notice': n.id }, n.text)));
}
