"""The practitioner's private calendar feed: no login, the secret token in the URL is the key."""

from django.http import Http404, HttpResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from clinicore.scheduling import ics, selectors
from clinicore.scheduling.models import CalendarFeed


@never_cache
@require_GET
def calendar_feed(request, token: str):
    feed = (
        CalendarFeed.objects.select_related("practitioner__user", "practitioner__clinic")
        .filter(token=token, practitioner__is_active=True)
        .first()
    )
    if feed is None or not feed.practitioner.clinic.is_active:
        raise Http404("No such calendar.")
    now = timezone.now()
    body = ics.practitioner_feed(
        feed.practitioner,
        selectors.feed_appointments(practitioner=feed.practitioner, now=now),
        now=now,
    )
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["X-Robots-Tag"] = "noindex"
    return response
