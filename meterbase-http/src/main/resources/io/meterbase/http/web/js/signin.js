import { api, current, say } from './common.js';

function home(s) {
  location.replace(s.role === 'operator' ? '/operator.html' : '/customer.html');
}

const s = await current();
if (s) home(s);
else if ((await api('GET', '/api/v1/setup')).needed) location.replace('/setup.html');

document.getElementById('signin').addEventListener('submit', async (ev) => {
  ev.preventDefault();
  const f = new FormData(ev.target);
  say('signin-status', 'Signing in…');
  try {
    const r = await api('POST', '/api/v1/session', { username: f.get('username'), password: f.get('password') });
    home(r);
  } catch (e) {
    say('signin-status', e.message, true);
    document.getElementById('password').select();
  }
});
