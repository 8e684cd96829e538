// Alerts: how alarms reach the signed-in person (e-mail, browser push, quiet hours, digest) and the alarm rules.
// Customers see their own; operators the operators' settings and every rule.
import { api, current, el, replace, table, say, onSubmit, readsOnly, showScope, signOut, quantityName,
  time } from './common.js';

const SEVERITIES = ['info', 'warning', 'alarm', 'critical'];
const RULE_QUANTITIES = ['active_power', 'voltage', 'current', 'power_factor', 'temperature', 'humidity',
  'frequency', 'gas_concentration'];
let settings = null;
let pushKey = null;
const me = await current();
if (!me) location.replace('/');
else start().catch((e) => say('notify-status', e.message, true));

function list(text) {
  return String(text || '').split(',').map((s) => s.trim().toLowerCase()).filter((s) => s);
}

async function start() {
  showScope(me, 'who');
  signOut(document.getElementById('signout'));
  if (me.role === 'operator') {
    const back = document.getElementById('back');
    back.href = '/operator.html';
    back.textContent = 'Operator console';
    document.getElementById('channels-note').prepend('These are the operators\' settings: every customer\'s alarms that match reach you. ');
  }
  for (const id of ['n-severity', 'n-push-severity', 'r-severity']) {
    replace(id, SEVERITIES.map((s) => el('option', { value: s }, s)));
  }
  replace('r-quantity', RULE_QUANTITIES.map((q) => el('option', { value: q }, quantityName(q))));
  await loadSettings();
  setUpForm();
  setUpPush();
  await loadDevices();
  setUpRules();
  loadRules().catch((e) => say('rule-status', e.message, true));
}

// ---- channels

async function loadSettings() {
  const n = await api('GET', '/api/v1/notifications');
  settings = n.settings;
  pushKey = n.push_key;
  const f = document.getElementById('notify-form');
  f.email.value = settings.email || '';
  f.min_severity.value = settings.min_severity;
  f.types.value = (settings.types || []).join(', ');
  f.push.checked = !!settings.push;
  f.push_min_severity.value = settings.push_min_severity;
  f.push_types.value = (settings.push_types || []).join(', ');
  f.quiet_from.value = settings.quiet_from ? settings.quiet_from.slice(0, 5) : '';
  f.quiet_to.value = settings.quiet_to ? settings.quiet_to.slice(0, 5) : '';
  f.digest_minutes.value = settings.digest_minutes;
  replace('n-smtp', n.can_send ? '' : 'This server has no mail server configured yet (notifications.smtp.host): '
    + 'e-mail waits until it has one.');
  showSubscriptions(n.push_subscriptions);
}

function setUpForm() {
  onSubmit(document.getElementById('notify-form'), 'notify-status', async (f) => {
    const body = {
      email: f.get('email') || null,
      min_severity: f.get('min_severity'),
      types: list(f.get('types')),
      push: f.get('push') === 'on',
      push_min_severity: f.get('push_min_severity'),
      push_types: list(f.get('push_types')),
      quiet_from: f.get('quiet_from') || null,
      quiet_to: f.get('quiet_to') || null,
      digest_minutes: Number(f.get('digest_minutes') || 0),
    };
    const saved = await api('PUT', '/api/v1/notifications', body);
    settings = saved.settings;
    say('notify-status', 'Saved.');
  });
}

// ---- push

function showSubscriptions(subs) {
  if (!subs || !subs.length) {
    replace('push-list', el('p', { class: 'muted' }, 'No browser is subscribed yet.'));
    return;
  }
  replace('push-list', table('Subscribed browsers', ['Push service', 'Since', ''], subs.map((s) => [s.service,
    time(Date.parse(s.added)), el('button', { type: 'button', class: 'secondary', disabled: readsOnly(me),
      onclick: () => unsubscribe(s.id) }, 'Remove')])));
}

function keyBytes(b64url) {
  const s = atob(b64url.replace(/-/g, '+').replace(/_/g, '/'));
  return Uint8Array.from(s, (c) => c.charCodeAt(0));
}

function setUpPush() {
  const button = document.getElementById('push-subscribe');
  if (!('serviceWorker' in navigator) || !('PushManager' in window)) {
    button.disabled = true;
    say('push-status', 'This browser cannot receive push notifications from this page (it needs HTTPS and a browser that supports Web Push).');
    return;
  }
  button.disabled = readsOnly(me);
  button.addEventListener('click', async () => {
    button.disabled = true;
    try {
      const registration = await navigator.serviceWorker.register('/sw.js');
      if ((await Notification.requestPermission()) !== 'granted') {
        throw new Error('notifications are not allowed for this site in the browser\'s settings');
      }
      const subscription = await registration.pushManager.subscribe({ userVisibleOnly: true,
        applicationServerKey: keyBytes(pushKey) });
      await api('POST', '/api/v1/notifications/push-subscriptions', subscription.toJSON());
      if (!settings.push) document.getElementById('n-push').checked = true;
      say('push-status', 'This browser is subscribed. Save to push alarms to it.');
      const n = await api('GET', '/api/v1/notifications');
      showSubscriptions(n.push_subscriptions);
    } catch (e) {
      say('push-status', 'This browser could not subscribe: ' + e.message, true);
    } finally {
      button.disabled = readsOnly(me);
    }
  });
}

async function unsubscribe(id) {
  try {
    await api('DELETE', `/api/v1/notifications/push-subscriptions/${encodeURIComponent(id)}`);
    const n = await api('GET', '/api/v1/notifications');
    showSubscriptions(n.push_subscriptions);
    say('push-status', 'Removed.');
  } catch (e) { say('push-status', e.message, true); }
}

// ---- rules

async function loadDevices() {
  let devices = [];
  if (me.role !== 'operator') {
    try { devices = await api('GET', '/api/v1/devices'); } catch (e) { devices = []; }
  }
  replace('r-device', el('option', { value: '' }, 'every device'),
    devices.map((d) => el('option', { value: d.ref }, d.name === d.ref ? d.ref : `${d.name} (${d.ref})`)));
}

function setUpRules() {
  const kind = document.getElementById('r-kind');
  const show = () => {
    for (const label of document.querySelectorAll('#rule-form [data-for]')) {
      label.hidden = label.dataset.for !== kind.value;
    }
  };
  kind.addEventListener('change', show);
  show();
  onSubmit(document.getElementById('rule-form'), 'rule-status', async (f) => {
    const body = { type: f.get('type'), kind: f.get('kind'), severity: f.get('severity') };
    if (body.kind === 'threshold') {
      Object.assign(body, { quantity: f.get('quantity'), direction: f.get('direction'),
        value: Number(f.get('value')), for_seconds: Number(f.get('for_seconds') || 0) });
    } else {
      Object.assign(body, { interval_seconds: Number(f.get('interval_seconds')),
        missed_intervals: Number(f.get('missed_intervals')) });
    }
    if (f.get('device')) body.device = f.get('device');
    await api('POST', '/api/v1/alarm-rules', body);
    say('rule-status', 'Rule added.');
    await loadRules();
  });
}

function describe(r) {
  const where = r.device ? ` on ${r.device}` : r.category ? ` on every ${r.category}` : '';
  if (r.kind === 'no_data') {
    return `no report for ${r.missed_intervals} × ${r.interval_seconds} s${where}`;
  }
  if (r.kind === 'rate_of_change') return `${quantityName(r.quantity)} changes faster than ${r.value} a minute${where}`;
  const held = r.for_seconds ? ` for ${r.for_seconds} s` : '';
  return `${quantityName(r.quantity)} ${r.direction} ${r.value}${held}${where}`;
}

async function loadRules() {
  const rules = await api('GET', '/api/v1/alarm-rules');
  replace('rule-list', table('Alarm rules', ['Alarm', 'When', 'Severity', 'Set by', ''], rules.map((r) => {
    const mine = me.role === 'operator' || r.customer_id != null;
    const by = r.customer_id == null ? 'operator' : me.role === 'operator' ? `customer #${r.customer_id}` : 'you';
    return [r.type, describe(r), r.severity, by,
      mine ? el('button', { type: 'button', class: 'secondary', disabled: readsOnly(me), 'data-rule': r.id,
        onclick: () => removeRule(r.id) }, 'Remove') : ''];
  })));
}

async function removeRule(id) {
  try {
    await api('DELETE', `/api/v1/alarm-rules/${encodeURIComponent(id)}`);
    say('rule-status', 'Removed.');
    await loadRules();
  } catch (e) { say('rule-status', e.message, true); }
}
