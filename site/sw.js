// sw.js: the service worker that makes the translator work offline. It
// caches the page, the program and every model listed in models.json when
// installed, serves them cache-first afterwards, refreshes models.json from
// the network when it can, and caches models loaded later from this site.
// Requests to other origins (a ?model= link) are left to the browser.
'use strict';
const VERSION = 'dev'; // replaced by `cyclegan site` and `cyclegan publish` with a hash of the files
const CACHE = 'cyclegan-' + VERSION;
const CORE = ['./', 'index.html', 'bootstrap.js', 'app.js', 'pool.js', 'live.js', 'worker.js', 'wasm_exec.js', 'cyclegan.wasm',
  'styles.css', 'manifest.webmanifest', 'icon.svg', 'icon-maskable.svg', 'models.json'];

self.addEventListener('install', (event) => {
  event.waitUntil((async () => {
    const cache = await caches.open(CACHE);
    await cache.addAll(CORE.map((u) => new Request(u, { cache: 'no-cache' })));
    const list = await (await cache.match('models.json')).json();
    const files = (list.models || []).map((m) => m.file).filter((f) => typeof f === 'string');
    await cache.addAll(files.map((u) => new Request(u, { cache: 'no-cache' })));
    await self.skipWaiting();
  })());
});

self.addEventListener('activate', (event) => {
  event.waitUntil((async () => {
    for (const key of await caches.keys()) {
      if (key.startsWith('cyclegan-') && key !== CACHE) await caches.delete(key);
    }
    await self.clients.claim();
  })());
});

self.addEventListener('fetch', (event) => {
  const req = event.request;
  const url = new URL(req.url);
  if (req.method !== 'GET' || url.origin !== location.origin) return;
  if (url.pathname.endsWith('/models.json')) {
    event.respondWith(networkFirst(req));
  } else {
    event.respondWith(cacheFirst(req));
  }
});

async function networkFirst(req) {
  const cache = await caches.open(CACHE);
  try {
    const resp = await fetch(req);
    if (resp.ok) await cache.put(req, resp.clone());
    return resp;
  } catch (e) {
    const hit = await cache.match(req, { ignoreSearch: true });
    if (hit) return hit;
    throw e;
  }
}

async function cacheFirst(req) {
  const cache = await caches.open(CACHE);
  // The page may be opened as ./?model=URL; its cached copy is ./ .
  const hit = await cache.match(req, { ignoreSearch: req.mode === 'navigate' });
  if (hit) return hit;
  const resp = await fetch(req);
  if (resp.ok && resp.type === 'basic' && !req.headers.has('range')) await cache.put(req, resp.clone());
  return resp;
}
