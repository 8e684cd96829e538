// Your account: who is signed in, with which scope, and a change of password (which signs out every other browser).
import { api, current, el, replace, say, onSubmit, scopeLabel, session, showScope, signOut } from './common.js';

const me = await current();
if (!me) location.replace('/');
else start();

function start() {
  showScope(me, 'who');
  signOut(document.getElementById('signout'));
  if (me.role === 'operator') {
    const back = document.getElementById('back');
    back.href = '/operator.html';
    back.textContent = 'Operator console';
  }
  replace('me-list',
    el('dt', {}, 'Username'), el('dd', { id: 'me-username' }, me.username),
    el('dt', {}, 'Role'), el('dd', {}, me.role === 'operator' ? 'operator' : 'customer'),
    el('dt', {}, 'May'), el('dd', {}, scopeLabel(me.scope)));
  document.getElementById('p-username').value = me.username;
  const form = document.getElementById('password-form');
  onSubmit(form, 'password-status', async (data) => {
    if (data.get('new_password') !== data.get('again')) {
      say('password-status', 'The two new passwords differ.', true);
      return;
    }
    const s = await api('PUT', '/api/v1/session/password', {
      current_password: data.get('current_password'), new_password: data.get('new_password') });
    session.csrf = s.csrf_token; // the new session's token
    form.reset();
    document.getElementById('p-username').value = me.username;
    say('password-status', 'Password changed; other browsers are signed out.');
  });
}
