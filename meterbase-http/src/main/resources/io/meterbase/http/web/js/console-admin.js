// The console's settings pages: tariffs (new ones and new versions), demand-response programs, the sign-in accounts
// (paged and searched on the server, removable) and this node's settings and commands.
import { api, requireRole, el, replace, table, say, onSubmit, readsOnly, showScope, signOut, categoryName,
  scopeLabel, time } from './common.js';

const me = await requireRole('operator');
const accountPage = { q: '', offset: 0, limit: 25 };
let node = null;
if (me) start().catch((e) => say('tariff-status', e.message, true));

async function start() {
  showScope(me, 'who');
  signOut(document.getElementById('signout'));
  document.getElementById('t-from').value = new Date().toISOString().slice(0, 10);
  const pricing = document.getElementById('t-pricing');
  pricing.addEventListener('change', () => {
    document.getElementById('t-periods-label').hidden = pricing.value !== 'time_of_use';
    document.getElementById('t-tiers-label').hidden = pricing.value !== 'tiered';
  });
  setUpTariffs();
  setUpPrograms();
  setUpAccounts();
  loadNode().catch((e) => replace('node-summary', e.message));
}

// ---- tariffs

async function loadTariffs() {
  const tariffs = await api('GET', '/api/v1/tariffs');
  replace('t-ids', tariffs.map((t) => el('option', { value: t.id }, t.name)));
  replace('tariff-list', table('Tariffs', ['Id', 'Name', 'Commodity', 'Group', 'Versions from'],
    tariffs.map((t) => [t.id, t.name, t.commodity, t.group, (t.versions || []).map((v) => `${v.effective_from} `
      + `(${v.pricing.replace(/_/g, ' ')}${v.price != null ? `, ${v.price} ${t.currency}` : ''})`).join('; ')])));
  return tariffs;
}

/** "peak, MON-FRI, 17:00, 21:00, 0.32" lines as periods; a day range such as MON-FRI is spelt out. */
function periods(text) {
  const DAYS = ['MON', 'TUE', 'WED', 'THU', 'FRI', 'SAT', 'SUN'];
  return String(text || '').split('\n').map((l) => l.trim()).filter((l) => l).map((line, i) => {
    const [name, days, from, to, price] = line.split(',').map((s) => s.trim());
    if (!price) throw new Error(`period line ${i + 1}: name, days, from, to, price`);
    const list = days.toUpperCase().split(/[ +]/).flatMap((d) => {
      const [a, b] = d.split('-');
      return b ? DAYS.slice(DAYS.indexOf(a), DAYS.indexOf(b) + 1) : [a];
    });
    return { name, days: list, from, to, price: Number(price) };
  });
}

/** "200, 0.12" lines as blocks; a line with no limit (", 0.25") is the last, open block. */
function tiers(text) {
  return String(text || '').split('\n').map((l) => l.trim()).filter((l) => l).map((line, i) => {
    const [upTo, price] = line.split(',').map((s) => s.trim());
    if (!price) throw new Error(`block line ${i + 1}: up to, price`);
    return { up_to: upTo ? Number(upTo) : null, price: Number(price) };
  });
}

function setUpTariffs() {
  let known = [];
  loadTariffs().then((t) => { known = t; }).catch((e) => say('tariff-status', e.message, true));
  onSubmit(document.getElementById('tariff-form'), 'tariff-status', async (f) => {
    const version = {
      effective_from: f.get('effective_from'),
      pricing: f.get('pricing'),
      price: Number(f.get('price')),
      standing_charge_per_day: Number(f.get('standing') || 0),
      billing_day: Number(f.get('billing_day') || 1),
      periods: f.get('pricing') === 'time_of_use' ? periods(f.get('periods')) : [],
      tiers: f.get('pricing') === 'tiered' ? tiers(f.get('tiers')) : [],
    };
    const id = f.get('id');
    if (known.some((t) => t.id === id)) {
      await api('POST', `/api/v1/tariffs/${encodeURIComponent(id)}/versions`, version);
      say('tariff-status', `A new version of ${id} from ${version.effective_from}.`);
    } else {
      await api('POST', '/api/v1/tariffs', { id, name: f.get('name'), commodity: f.get('commodity'),
        group: f.get('group') || 'default', currency: f.get('currency'), versions: [version] });
      say('tariff-status', `Tariff ${id} saved.`);
    }
    known = await loadTariffs();
  });
}

// ---- programs

async function loadPrograms() {
  const programs = await api('GET', '/api/v1/dr/programs');
  replace('program-list', table('Programs', ['Id', 'Name', 'Community', 'Appliances', 'Stagger'],
    programs.map((p) => [p.id, p.name, p.community, p.categories.map(categoryName).join(', '),
      `${p.stagger_seconds} s`])));
}

function setUpPrograms() {
  loadPrograms().catch((e) => say('program-status', e.message, true));
  onSubmit(document.getElementById('program-form'), 'program-status', async (f) => {
    await api('POST', '/api/v1/dr/programs', { id: f.get('id'), name: f.get('name'), community: f.get('community'),
      categories: String(f.get('categories')).split(',').map((s) => s.trim()).filter((s) => s),
      stagger_seconds: Number(f.get('stagger') || 0) });
    say('program-status', `Program ${f.get('id')} saved.`);
    await loadPrograms();
  });
}

// ---- accounts

function setUpAccounts() {
  const input = document.getElementById('acc-q');
  let timer = null;
  input.addEventListener('input', () => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      accountPage.q = input.value.trim();
      accountPage.offset = 0;
      loadAccounts().catch((e) => say('account-status', e.message, true));
    }, 250);
  });
  document.getElementById('account-search').addEventListener('submit', (e) => e.preventDefault());
  loadAccounts().catch((e) => say('account-status', e.message, true));
}

async function loadAccounts() {
  const q = new URLSearchParams({ q: accountPage.q, offset: accountPage.offset, limit: accountPage.limit });
  const page = await api('GET', `/api/v1/accounts?${q}`);
  replace('account-list', table('Accounts', ['Username', 'For', 'Scope', 'Locked until', ''], page.items.map((a) => [
    a.username, a.customer === 0 ? 'operators' : `customer #${a.customer}`, scopeLabel(a.scope),
    a.locked_until ? time(Date.parse(a.locked_until)) : '–',
    a.username === me.username || readsOnly(me) ? '' : el('button', { type: 'button', class: 'secondary',
      'data-account': a.username, onclick: () => removeAccount(a.username) }, 'Remove')])));
  const last = Math.min(page.total, page.offset + page.items.length);
  replace('account-pages', el('span', { class: 'muted' }, page.total ? `${page.offset + 1}–${last} of ${page.total}` : 'none'),
    el('button', { type: 'button', class: 'secondary', disabled: page.offset === 0,
      onclick: () => { accountPage.offset = Math.max(0, page.offset - page.limit); loadAccounts(); } }, 'Previous'),
    el('button', { type: 'button', class: 'secondary', disabled: last >= page.total,
      onclick: () => { accountPage.offset = page.offset + page.limit; loadAccounts(); } }, 'Next'));
}

async function removeAccount(username) {
  if (!window.confirm(`Remove the account ${username}? Its sessions end at once.`)) return;
  try {
    await api('DELETE', `/api/v1/accounts/${encodeURIComponent(username)}`);
    say('account-status', `${username} removed.`);
    await loadAccounts();
  } catch (e) { say('account-status', e.message, true); }
}

// ---- node

async function loadNode() {
  node = await api('GET', '/api/v1/node');
  replace('node-summary', `Meterbase ${node.version || '(development build)'} on Java ${node.java}; store `
    + `${node.store}; data in ${node.data_dir}.`);
  replace('node-commands', table('Commands', ['Command', 'What it does'], node.commands.map((c) => [
    el('code', {}, c.command), c.what])));
  const q = document.getElementById('set-q');
  const changed = document.getElementById('set-changed');
  q.addEventListener('input', showSettings);
  changed.addEventListener('change', showSettings);
  document.getElementById('setting-search').addEventListener('submit', (e) => e.preventDefault());
  showSettings();
}

function showSettings() {
  const q = document.getElementById('set-q').value.trim().toLowerCase();
  const onlyChanged = document.getElementById('set-changed').checked;
  const rows = node.settings.filter((s) => (!onlyChanged || s.changed)
    && (!q || s.key.includes(q) || s.description.toLowerCase().includes(q)));
  replace('node-settings', table('Settings', ['Setting', 'Value', 'Default', 'Environment variable', 'Meaning'],
    rows.map((s) => [el('code', {}, s.key), s.changed ? el('strong', {}, s.value) : s.value, s.default,
      el('code', {}, s.env), s.description])));
}
