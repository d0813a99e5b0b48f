"""Web push in a real Chromium: the patient turns notifications on from their notifications
page, the subscription reaches the API, a message leaves VAPID-signed and encrypted to a local
push service, and the service worker shows what arrives.

Headless Chromium cannot subscribe at a real push service (that is Google's FCM, on the
internet), so the page's PushManager.subscribe is replaced by one that records the VAPID key it
was given and answers with a subscription at the local fake push service, whose keys the test
holds. Everything else is real: permission prompt answered, /sw.js registered, the key fetched
from the API, the subscription POSTed with the session cookie and CSRF token, the webpush
provider's request checked and decrypted, and the push delivered to the service worker through
the DevTools protocol (ServiceWorker.deliverPushMessage), which shows the notification."""

import json
import time

import pytest

from clinicore.notifications import delivery, services
from clinicore.notifications.models import Channel, PushSubscription
from clinicore.notifications.services import Recipient
from clinicore.notifications.tests.fakes import FakePushService

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SUBSCRIBE_STUB = """
(() => {
  const sub = %s;
  PushManager.prototype.subscribe = function (options) {
    const key = new Uint8Array(options.applicationServerKey);
    let raw = "";
    for (const b of key) { raw += String.fromCharCode(b); }
    window.__pushKey = btoa(raw).replace(/\\+/g, "-").replace(/\\//g, "_").replace(/=+$/, "");
    window.__userVisibleOnly = options.userVisibleOnly;
    return Promise.resolve({ endpoint: sub.endpoint, toJSON: () => sub });
  };
})();
"""


@pytest.fixture
def push_service(settings, tmp_path):
    from clinicore.notifications.vapid import _key

    settings.VAR_DIR = tmp_path
    _key.cache_clear()
    fake = FakePushService().start()
    yield fake
    fake.stop()
    _key.cache_clear()


def _sign_in(page, client, settings, user, base):
    client.force_login(user)
    page.context.add_cookies(
        [
            {
                "name": settings.SESSION_COOKIE_NAME,
                "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
                "url": base,
            }
        ]
    )


def test_it_turns_on_push_and_the_service_worker_shows_the_message(
    asgi_server, world, page, client, settings, push_service
):
    from clinicore.notifications.vapid import vapid_public_key

    user = world.patient_user
    subscription = push_service.subscription("chromium")
    _sign_in(page, client, settings, user, asgi_server)
    page.context.grant_permissions(["notifications"], origin=asgi_server)
    page.add_init_script(SUBSCRIBE_STUB % json.dumps(subscription))

    page.goto(f"{asgi_server}/me/notifications/")
    page.get_by_role("button", name="Turn on notifications").click()
    page.get_by_text("Notifications are on for this device.").wait_for(timeout=15000)

    # The browser subscribed with the server's VAPID key, and the server kept the subscription.
    assert page.evaluate("window.__pushKey") == vapid_public_key()
    assert page.evaluate("window.__userVisibleOnly") is True
    saved = PushSubscription.objects.get(user=user)
    assert saved.endpoint == subscription["endpoint"]
    assert saved.p256dh == subscription["keys"]["p256dh"]

    # A message for the patient leaves through the outbox, signed and encrypted.
    services.notify(
        clinic=world.clinic_a,
        event="payment_received",
        recipient=Recipient(key=f"patient:{world.patient_a.pk}", name="Asha", user_id=user.pk),
        context={
            "amount": "1500.00",
            "currency": "INR",
            "invoice_number": "INV-2026-000123",
            "link": f"{asgi_server}/me/notifications/",
        },
        channels=[Channel.PUSH],
    )
    assert delivery.deliver_due() == {"sent": 1}
    [received] = push_service.accepted
    payload = received["payload"]
    assert "1500.00 INR" in payload["body"]

    # What the push service would hand the browser reaches the service worker, which shows it.
    cdp = page.context.new_cdp_session(page)
    registrations = []
    cdp.on(
        "ServiceWorker.workerRegistrationUpdated",
        lambda event: registrations.extend(event["registrations"]),
    )
    cdp.send("ServiceWorker.enable")
    deadline = time.monotonic() + 10
    while not registrations and time.monotonic() < deadline:
        page.wait_for_timeout(100)
    [registration] = [r for r in registrations if not r.get("isDeleted")][:1]
    cdp.send(
        "ServiceWorker.deliverPushMessage",
        {
            "origin": asgi_server,
            "registrationId": registration["registrationId"],
            "data": json.dumps(payload),
        },
    )
    shown = []
    deadline = time.monotonic() + 10
    while not shown and time.monotonic() < deadline:
        shown = page.evaluate(
            """async () => {
                const reg = await navigator.serviceWorker.ready;
                const list = await reg.getNotifications();
                return list.map(n => ({ title: n.title, body: n.body, data: n.data }));
            }"""
        )
        if not shown:
            page.wait_for_timeout(100)
    assert shown, "the service worker showed no notification"
    assert shown[0]["title"] == payload["title"]
    assert "1500.00 INR" in shown[0]["body"]
    assert shown[0]["data"]["url"] == "/me/notifications/"


def test_it_says_so_when_the_person_blocks_notifications(
    asgi_server, world, page, client, settings, push_service
):
    _sign_in(page, client, settings, world.patient_user, asgi_server)
    page.context.clear_permissions()
    page.goto(f"{asgi_server}/me/notifications/")
    # Headless Chromium answers a permission prompt it cannot show with "denied".
    page.evaluate("() => { Notification.requestPermission = () => Promise.resolve('denied'); }")
    page.get_by_role("button", name="Turn on notifications").click()
    page.get_by_text("Your browser blocks notifications from us.").wait_for(timeout=10000)
    assert not PushSubscription.objects.filter(user=world.patient_user).exists()
