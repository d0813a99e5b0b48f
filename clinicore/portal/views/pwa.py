"""The installable web app: manifest, service worker at the site root, offline page."""

from django.http import HttpResponse, JsonResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET

# Bumped whenever the offline shell changes, so phones drop the old cache.
SHELL_VERSION = "portal-shell-v1"


@require_GET
@cache_control(max_age=3600, public=True)
def manifest(request):
    data = {
        "name": "Clinicore",
        "short_name": "Clinicore",
        "description": _("Book visits, pay and talk to your clinic from your phone."),
        "id": "/",
        "start_url": "/me/?source=pwa",
        "scope": "/",
        "display": "standalone",
        "background_color": "#f6f8fb",
        "theme_color": "#0b6bcb",
        "lang": request.LANGUAGE_CODE,
        "icons": [
            {"src": static("portal/icons/icon-192.png"), "sizes": "192x192", "type": "image/png"},
            {"src": static("portal/icons/icon-512.png"), "sizes": "512x512", "type": "image/png"},
            {
                "src": static("portal/icons/maskable-512.png"),
                "sizes": "512x512",
                "type": "image/png",
                "purpose": "maskable",
            },
            {"src": static("portal/icons/icon.svg"), "sizes": "any", "type": "image/svg+xml"},
        ],
        "shortcuts": [
            {"name": _("My appointments"), "url": "/me/"},
            {"name": _("My patient card"), "url": "/me/card/"},
        ],
    }
    response = JsonResponse(data, json_dumps_params={"ensure_ascii": False})
    response["Content-Type"] = "application/manifest+json"
    return response


SERVICE_WORKER = """// Clinicore service worker: keeps the offline page and the shell assets; pages stay live.
const CACHE = "%(version)s";
const OFFLINE_URL = "/offline/";
const PRECACHE = [OFFLINE_URL, "%(css)s", "%(icon)s"];

self.addEventListener("install", (event) => {
  event.waitUntil(caches.open(CACHE).then((cache) => cache.addAll(PRECACHE)).then(() => self.skipWaiting()));
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches.keys()
      .then((keys) => Promise.all(keys.filter((k) => k !== CACHE).map((k) => caches.delete(k))))
      .then(() => self.clients.claim())
  );
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") { return; }
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) { return; }
  if (request.mode === "navigate") {
    // Health data is never cached: pages come from the network, the offline page otherwise.
    event.respondWith(fetch(request).catch(() => caches.match(OFFLINE_URL)));
    return;
  }
  if (url.pathname.startsWith("/static/")) {
    event.respondWith(caches.match(request).then((hit) => hit || fetch(request)));
  }
});

// Web push from the clinic (notifications' webpush provider sends {title, body, url}).
self.addEventListener("push", (event) => {
  let data = {};
  try { data = event.data ? event.data.json() : {}; } catch (e) { data = { body: event.data ? event.data.text() : "" }; }
  let target = "/me/notifications/";
  try {
    const link = new URL(data.url || target, self.location.origin);
    if (link.origin === self.location.origin) { target = link.pathname + link.search; }
  } catch (e) { /* keep the notifications page */ }
  event.waitUntil(self.registration.showNotification(data.title || "Clinicore", {
    body: data.body || "",
    icon: "%(icon)s",
    badge: "%(icon)s",
    data: { url: target },
  }));
});

self.addEventListener("notificationclick", (event) => {
  event.notification.close();
  const target = (event.notification.data && event.notification.data.url) || "/me/notifications/";
  event.waitUntil(
    self.clients.matchAll({ type: "window", includeUncontrolled: true }).then((windows) => {
      for (const client of windows) {
        if (new URL(client.url).pathname === target.split("?")[0] && "focus" in client) { return client.focus(); }
      }
      return self.clients.openWindow(target);
    })
  );
});
"""


@require_GET
def service_worker(request):
    body = SERVICE_WORKER % {
        "version": SHELL_VERSION,
        "css": static("css/app.css"),
        "icon": static("portal/icons/icon-192.png"),
    }
    response = HttpResponse(body, content_type="application/javascript; charset=utf-8")
    response["Service-Worker-Allowed"] = "/"
    response["Cache-Control"] = "no-cache"
    return response


@require_GET
def offline(request):
    return render(request, "portal/offline.html")
