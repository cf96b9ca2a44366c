/* Frontline Connect kiosk service worker: content pages keep showing when the depot's network
   drops. Pages come from the network when it is there (so they are fresh) and from the cache
   when it is not; scripts and styles are versioned, so the cache serves them first. */
"use strict";
const CACHE = {{ cache | tojson }};
const PREFIX = {{ prefix | tojson }};
const PRECACHE = {{ precache | tojson }};
const HOME = {{ home | tojson }};

async function precache() {
  const cache = await caches.open(CACHE);
  // One page failing must not stop the rest from being cached.
  await Promise.all(PRECACHE.map(async (url) => {
    try {
      const response = await fetch(url, { cache: "no-store" });
      if (response.ok) await cache.put(url, response);
    } catch (_) { /* offline while installing: cached later, as pages are opened */ }
  }));
}

self.addEventListener("install", (event) => {
  event.waitUntil(precache().then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil((async () => {
    for (const name of await caches.keys()) {
      if (name.startsWith(PREFIX) && name !== CACHE) await caches.delete(name);
    }
    await self.clients.claim();
  })());
});

self.addEventListener("message", (event) => {
  if (event.data === "refresh") event.waitUntil(precache());
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  // Only reading content is cached; the code step, version checks and resets always go out.
  if (request.method !== "GET" || url.origin !== location.origin) return;
  if (url.pathname.endsWith("/version") || url.pathname.endsWith("/sw.js")) return;
  // A survey's page is never kept: the device holds nothing of anyone's answers, not even
  // which survey was being answered.
  if (url.pathname.includes("/survey/")) return;
  if (url.pathname.startsWith("/kiosk/static/")) {
    event.respondWith(caches.match(request).then((hit) => hit || fetch(request)));
    return;
  }
  if (request.mode !== "navigate") return;
  event.respondWith((async () => {
    try {
      const response = await fetch(request);
      if (response.ok) {
        const copy = response.clone();
        event.waitUntil(caches.open(CACHE).then((cache) => cache.put(request, copy)));
      }
      return response;
    } catch (_) {
      return (await caches.match(request)) || (await caches.match(HOME)) || Response.error();
    }
  })());
});
