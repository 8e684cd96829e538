// Meterbase's service worker: shows the alarms the server pushes, and opens the page they concern when clicked.
self.addEventListener('push', (event) => {
  let m = { title: 'Meterbase', body: 'An alarm was raised.', url: '/', tag: 'meterbase-alarms' };
  try { m = Object.assign(m, event.data ? event.data.json() : {}); } catch (e) { /* a plain text payload */ }
  event.waitUntil(self.registration.showNotification(m.title, { body: m.body, tag: m.tag, data: { url: m.url } }));
});

self.addEventListener('notificationclick', (event) => {
  event.notification.close();
  const url = (event.notification.data && event.notification.data.url) || '/';
  event.waitUntil(self.clients.matchAll({ type: 'window' }).then((windows) => {
    for (const w of windows) {
      if (new URL(w.url).pathname === new URL(url, self.location.origin).pathname && 'focus' in w) return w.focus();
    }
    return self.clients.openWindow(url);
  }));
});
