// First run: the first operator account, made from this machine (or elsewhere with the printed operator key).
import { api, say } from './common.js';

const state = await api('GET', '/api/v1/setup');
if (!state.needed) location.replace('/');
document.getElementById('operator-key-label').hidden = state.from_this_machine;

document.getElementById('setup').addEventListener('submit', async (ev) => {
  ev.preventDefault();
  const f = new FormData(ev.target);
  const button = document.getElementById('setup-button');
  button.disabled = true;
  say('setup-status', 'Creating the account…');
  try {
    const init = {
      method: 'POST', credentials: 'same-origin',
      headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
      body: JSON.stringify({ username: f.get('username'), password: f.get('password') }),
    };
    const key = f.get('operator_key');
    if (key) init.headers.Authorization = 'Bearer ' + key.trim();
    const r = await fetch('/api/v1/setup', init);
    const answer = await r.json().catch(() => ({}));
    if (!r.ok) throw new Error(answer.message || r.statusText);
    await api('POST', '/api/v1/session', { username: f.get('username'), password: f.get('password') });
    location.replace('/operator.html');
  } catch (e) {
    say('setup-status', e.message, true);
    button.disabled = false;
  }
});
