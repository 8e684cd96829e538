// The console's alarms and incidents: filtered on the server (state, least severity, type, customer), acknowledged
// and cleared from the list.
import { api, requireRole, el, replace, table, say, time, onSubmit, readsOnly, showScope, signOut } from './common.js';

const me = await requireRole('operator');
if (me) start().catch((e) => say('alarm-status', e.message, true));

async function start() {
  showScope(me, 'who');
  signOut(document.getElementById('signout'));
  onSubmit(document.getElementById('alarm-filter'), 'alarm-status', async () => {
    say('alarm-status', '');
    await loadAlarms();
  });
  onSubmit(document.getElementById('incident-filter'), 'incident-status', () => loadIncidents());
  loadAlarms();
  loadIncidents();
  setInterval(loadAlarms, 30000);
}

function query(form, names) {
  const f = new FormData(form);
  const q = new URLSearchParams();
  for (const n of names) if (f.get(n)) q.set(n, String(f.get(n)).trim());
  return q;
}

async function loadAlarms() {
  const q = query(document.getElementById('alarm-filter'), ['state', 'severity', 'type', 'customer']);
  q.set('limit', '500');
  try {
    const alarms = await api('GET', `/api/v1/alarms?${q}`);
    replace('alarm-count', alarms.length >= 500 ? 'The newest 500; narrow the filter to see older ones.'
      : `${alarms.length} alarm${alarms.length === 1 ? '' : 's'}.`);
    replace('alarm-list', table('Alarms', ['Raised', 'Customer', 'Device', 'Type', 'Severity', 'State', 'Message', ''],
      alarms.map((a) => [time(a.raised_at), `#${a.customer_id}`, a.device_ref || '–', a.type,
        el('span', { class: 'badge ' + (a.severity === 'critical' ? 'bad' : 'warn') }, a.severity), a.state,
        a.message || '', actions(a)])));
  } catch (e) { say('alarm-status', e.message, true); }
}

function actions(a) {
  if (readsOnly(me) || a.state === 'cleared') return '';
  const buttons = [];
  if (a.state === 'active') {
    buttons.push(el('button', { type: 'button', class: 'secondary', 'data-ack': a.id,
      onclick: () => change(a, 'acknowledge', 'Acknowledged.') }, 'Acknowledge'));
  }
  buttons.push(el('button', { type: 'button', class: 'secondary', 'data-clear': a.id,
    onclick: () => change(a, 'clear', 'Cleared.') }, 'Clear'));
  return el('span', {}, buttons);
}

async function change(a, action, done) {
  try {
    await api('POST', `/api/v1/alarms/${encodeURIComponent(a.id)}/${action}`, {});
    await loadAlarms();
    say('alarm-status', done);
  } catch (e) { say('alarm-status', e.message, true); }
}

async function loadIncidents() {
  const form = document.getElementById('incident-filter');
  const q = query(form, ['state', 'customer']);
  q.set('limit', '1000');
  const type = String(new FormData(form).get('type') || '').trim().toLowerCase();
  try {
    const incidents = (await api('GET', `/api/v1/incidents?${q}`)).filter((i) => !type || i.type.includes(type));
    replace('incident-list', table('Incidents', ['Found', 'Customer', 'Meter', 'Type', 'Confidence', 'State', 'Summary'],
      incidents.map((i) => [time(Date.parse(i.detected_at)), `#${i.customer}`, i.device, i.type,
        `${Math.round(i.confidence * 100)} %`, i.state, i.summary]), [4]));
    say('incident-status', '');
  } catch (e) {
    replace('incident-list', '');
    say('incident-status', e.message, true);
  }
}
