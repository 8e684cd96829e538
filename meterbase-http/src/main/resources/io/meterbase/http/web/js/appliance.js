// One appliance (?ref=) or one category of appliances (?category=): its name and category, live values, energy per
// day, schedules, demand-response enrolment, forecast, incidents and alarms.
import { api, requireRole, el, replace, table, say, power, energy, number, time, onSubmit, readsOnly, showScope,
  signOut, quantityLabel, categoryName, CATEGORY_KEYS } from './common.js';

const DAY = 86400000;
const DAYS = ['MONDAY', 'TUESDAY', 'WEDNESDAY', 'THURSDAY', 'FRIDAY', 'SATURDAY', 'SUNDAY'];
const params = new URLSearchParams(location.search);
const ref = params.get('ref');
const category = ref ? null : params.get('category');
let device = null;
let members = [];
const me = await requireRole('customer');
if (me) start().catch((e) => say('name-status', e.message, true));

async function start() {
  showScope(me, 'who');
  signOut(document.getElementById('signout'));
  const all = await api('GET', '/api/v1/devices');
  if (ref) {
    device = all.find((d) => d.ref === ref) || null;
    if (!device) { replace('main', el('p', { class: 'notice', role: 'alert' }, `You have no device '${ref}'.`)); return; }
    members = [device];
    setTitle(device.name);
    setUpName();
  } else {
    const c = category || 'other';
    members = all.filter((d) => d.category === c);
    setTitle(`${categoryName(c)} (${members.length})`);
    document.getElementById('name-form').hidden = true;
    replace('members', table(`Your ${categoryName(c).toLowerCase()} appliances`, ['Appliance', 'Reference'],
      members.map((d) => [el('a', { href: `/appliance.html?ref=${encodeURIComponent(d.ref)}` }, d.name), d.ref])));
  }
  const failed = (id) => (e) => say(id, e.message, true);
  loadNow().catch(failed('name-status'));
  loadEnergy().catch(failed('name-status'));
  setUpSchedules();
  loadPrograms().catch(failed('dr-status'));
  loadInsights().catch(failed('dr-status'));
}

function setTitle(name) {
  document.getElementById('title').textContent = name;
  document.title = `${name} · Meterbase`;
}

function selector() {
  return ref ? `device=${encodeURIComponent(ref)}` : `category=${encodeURIComponent(category || 'other')}`;
}

// ---- name and category

function setUpName() {
  const form = document.getElementById('name-form');
  replace('a-category', CATEGORY_KEYS.map((c) => el('option', { value: c }, categoryName(c))));
  form.name.value = device.name;
  form.category.value = device.category;
  onSubmit(form, 'name-status', async (f) => {
    device = Object.assign(device, await api('PATCH', `/api/v1/devices/${encodeURIComponent(ref)}`,
      { name: f.get('name'), category: f.get('category') }));
    setTitle(device.name);
    say('name-status', 'Saved.');
  });
}

// ---- now

async function loadNow() {
  const latest = await api('GET', '/api/v1/latest');
  const mine = latest.filter((d) => members.some((m) => m.ref === d.ref));
  const cards = [];
  let total = 0;
  for (const d of mine) {
    for (const r of d.readings) {
      if (r.quantity === 'active_power') total += r.value;
      if (ref) {
        const value = r.quantity === 'active_power' ? power(r.value) : `${number(r.value, 2)} ${r.unit || ''}`;
        cards.push(el('div', { class: 'card' }, el('div', { class: 'label' }, quantityLabel(r.quantity)),
          el('div', { class: 'value', 'data-quantity': r.quantity }, value),
          el('div', { class: 'muted' }, time(Date.parse(r.ts)))));
      }
    }
  }
  if (!ref) cards.push(el('div', { class: 'card' }, el('div', { class: 'label' }, 'Power now, together'),
    el('div', { class: 'value', id: 'category-power' }, power(total))));
  replace('now-cards', cards.length ? cards : el('p', { class: 'muted' }, 'Nothing reported yet.'));
}

// ---- energy

let chart = null;

async function loadEnergy() {
  const to = Date.now();
  const from = to - 14 * DAY;
  const e = await api('GET', `/api/v1/energy?${selector()}&interval=day&group=total&from=${from}&to=${to}`);
  const points = e.points || [];
  const labels = points.map((p) => new Date(p.start).toLocaleDateString());
  replace('energy-table', table('Energy per day', ['Day', 'Energy'], points.map((p, i) => [labels[i],
    energy(p.amount) + (p.estimated ? ' (partly estimated)' : '')]), [1]));
  if (!window.Chart) return;
  if (chart) chart.destroy();
  chart = new window.Chart(document.getElementById('energy-chart'), {
    type: 'bar',
    data: { labels, datasets: [{ label: 'Energy (kWh)', data: points.map((p) => p.amount / 1000) }] },
    options: { animation: false, maintainAspectRatio: false, plugins: { legend: { display: false } } },
  });
}

// ---- schedules

function setUpSchedules() {
  replace('s-days', DAYS.map((d) => el('label', {}, el('input', { type: 'checkbox', name: 'days', value: d,
    checked: !d.startsWith('S') }), ' ', d.charAt(0) + d.slice(1, 3).toLowerCase())));
  if (!ref) document.getElementById('schedules-note').textContent =
    `Switch every ${categoryName(category || 'other').toLowerCase()} appliance off at set times (home time).`;
  onSubmit(document.getElementById('schedule-form'), 'schedule-status', async (f) => {
    const body = { days: f.getAll('days'), from: f.get('from'), to: f.get('to') };
    if (ref) body.device = ref; else body.category = category || 'other';
    await api('POST', '/api/v1/schedules', body);
    say('schedule-status', 'Schedule added.');
    await loadSchedules();
  });
  loadSchedules().catch((e) => say('schedule-status', e.message, true));
}

async function loadSchedules() {
  const all = await api('GET', '/api/v1/schedules');
  const mine = all.filter((s) => (ref ? s.device === ref : s.category === (category || 'other')));
  replace('schedule-list', mine.length
    ? table('Schedules', ['Days', 'Off from', 'until', ''], mine.map((s) => [s.days.map((d) => d.toUpperCase())
      .sort((a, b) => DAYS.indexOf(a) - DAYS.indexOf(b)).map((d) => d.charAt(0) + d.slice(1, 3).toLowerCase())
      .join(' '), s.from.slice(0, 5), s.to.slice(0, 5), el('button', { type: 'button', class: 'secondary',
      disabled: readsOnly(me), onclick: () => removeSchedule(s.id) }, 'Remove')]))
    : el('p', { class: 'muted' }, 'No schedule yet.'));
}

async function removeSchedule(id) {
  try {
    await api('DELETE', `/api/v1/schedules/${encodeURIComponent(id)}`);
    say('schedule-status', 'Removed.');
    await loadSchedules();
  } catch (e) { say('schedule-status', e.message, true); }
}

// ---- demand response

async function loadPrograms() {
  const [programs, enrolments] = await Promise.all([api('GET', '/api/v1/dr/programs'),
    api('GET', '/api/v1/dr/enrolments')]);
  const fit = programs.filter((p) => members.some((m) => p.categories.includes(m.category)));
  if (!fit.length) {
    replace('dr-list', el('p', { class: 'muted' }, 'No program of your utility takes this kind of appliance.'));
    return;
  }
  const rows = [];
  for (const p of fit) {
    for (const m of members.filter((d) => p.categories.includes(d.category))) {
      const enrolled = (enrolments[p.id] || []).includes(m.ref);
      const box = el('input', { type: 'checkbox', id: `dr-${p.id}-${m.ref}`, checked: enrolled,
        disabled: readsOnly(me), 'aria-label': `Enrol ${m.name} in ${p.name}` });
      box.addEventListener('change', () => enrol(p, m, box));
      rows.push([p.name, m.name, box]);
    }
  }
  replace('dr-list', table('Programs', ['Program', 'Appliance', 'Enrolled'], rows));
  loadEvents(fit, enrolments);
}

/** Events now or to come of the programs it is enrolled in, each with a way to keep it on. */
async function loadEvents(programs, enrolments) {
  const ids = new Set(programs.map((p) => p.id));
  const events = (await api('GET', '/api/v1/dr/events'))
    .filter((e) => ids.has(e.program_id) && (e.status === 'scheduled' || e.status === 'active'));
  const rows = [];
  for (const e of events) {
    for (const m of members.filter((d) => (enrolments[e.program_id] || []).includes(d.ref))) {
      const kept = (e.overrides || []).includes(`${me.customer}/${m.ref}`);
      rows.push([`${time(Date.parse(e.start))} – ${time(Date.parse(e.end))}`, e.status, m.name, kept
        ? 'kept on'
        : el('button', { type: 'button', class: 'secondary', id: `override-${e.id}-${m.ref}`, disabled: readsOnly(me),
          onclick: () => override(e, m) }, 'Keep it on')]);
    }
  }
  if (rows.length) {
    document.getElementById('dr-list').append(table('Events', ['When', 'State', 'Appliance', ''], rows));
  }
}

async function override(event, member) {
  try {
    await api('POST', `/api/v1/dr/events/${encodeURIComponent(event.id)}/override`, { device: member.ref });
    say('dr-status', `${member.name} stays on during this event.`);
    await loadPrograms();
  } catch (e) { say('dr-status', e.message, true); }
}

async function enrol(program, member, box) {
  try {
    if (box.checked) {
      await api('POST', `/api/v1/dr/programs/${encodeURIComponent(program.id)}/enrolments`, { device: member.ref });
      say('dr-status', `${member.name} is enrolled in ${program.name}.`);
    } else {
      await api('DELETE', `/api/v1/dr/programs/${encodeURIComponent(program.id)}/enrolments/${encodeURIComponent(member.ref)}`);
      say('dr-status', `${member.name} left ${program.name}.`);
    }
  } catch (e) {
    box.checked = !box.checked;
    say('dr-status', e.message, true);
  }
}

// ---- forecast, incidents, alarms

async function loadInsights() {
  if (ref) {
    try {
      const f = await api('GET', `/api/v1/devices/${encodeURIComponent(ref)}/forecast`);
      const total = f.hours.reduce((s, h) => s + h.value, 0);
      const low = f.hours.every((h) => h.low != null) ? f.hours.reduce((s, h) => s + h.low, 0) : null;
      const high = f.hours.every((h) => h.high != null) ? f.hours.reduce((s, h) => s + h.high, 0) : null;
      const range = low != null && high != null ? ` (likely between ${number(low, 1)} and ${number(high, 1)})` : '';
      replace('forecast', el('p', { id: 'forecast-text' }, `Next ${f.hours.length} hours: about ${number(total, 1)} `
        + `${f.unit}${range}, forecast at ${time(Date.parse(f.generated_at))}.`));
    } catch (e) {
      replace('forecast', el('p', { class: 'muted', id: 'forecast-text' }, 'No forecast yet: it needs a few days of readings.'));
    }
  } else {
    replace('forecast', '');
  }
  const refs = new Set(members.map((m) => m.ref));
  const incidents = (await api('GET', '/api/v1/incidents?state=all').catch(() => [])).filter((i) => refs.has(i.device));
  replace('incidents', incidents.length
    ? table('Incidents', ['Found', 'What', 'State', 'Summary'], incidents.map((i) => [time(Date.parse(i.detected_at)),
      i.type, i.state, i.summary]))
    : el('p', { class: 'muted' }, 'No incident found in its consumption.'));
  const alarms = (await api('GET', '/api/v1/alarms')).filter((a) => refs.has(a.device_ref));
  replace('alarms', alarms.length
    ? table('Alarms', ['Raised', 'Type', 'Severity', 'State'], alarms.map((a) => [time(a.raised_at), a.type,
      a.severity, a.state]))
    : el('p', { class: 'muted' }, 'No alarm.'));
}
