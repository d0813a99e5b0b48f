"""Routes of the patient portal: clinic pages, booking, the patient area and the web app shell."""

from django.urls import path

from clinicore.portal.views import booking, me, payments, portal_page, public, pwa, visits

app_name = "portal"

urlpatterns = [
    path("manifest.webmanifest", pwa.manifest, name="manifest"),
    path("sw.js", pwa.service_worker, name="service-worker"),
    path("offline/", pwa.offline, name="offline"),
    path("c/<slug:clinic_slug>/", portal_page(public.clinic_landing), name="clinic"),
    path(
        "c/<slug:clinic_slug>/join/<str:token>/",
        portal_page(public.clinic_join),
        name="join",
    ),
    path(
        "c/<slug:clinic_slug>/desk/qr-poster/",
        portal_page(public.clinic_poster_page),
        name="poster-page",
    ),
    path(
        "c/<slug:clinic_slug>/desk/qr-poster.pdf",
        portal_page(public.clinic_poster),
        name="poster",
    ),
    path("c/<slug:clinic_slug>/book/", portal_page(booking.book), name="book"),
    path(
        "c/<slug:clinic_slug>/book/confirm/", portal_page(booking.book_submit), name="book-submit"
    ),
    path(
        "c/<slug:clinic_slug>/book/waitlist/",
        portal_page(booking.waitlist_join),
        name="waitlist-join",
    ),
    path("me/", portal_page(me.overview), name="me"),
    path("me/appointments/", portal_page(visits.appointment_list), name="appointments"),
    path(
        "me/appointments/<uuid:appointment_id>/",
        portal_page(visits.appointment_detail),
        name="appointment",
    ),
    path(
        "me/appointments/<uuid:appointment_id>/calendar.ics",
        portal_page(visits.appointment_ics),
        name="appointment-ics",
    ),
    path(
        "me/appointments/<uuid:appointment_id>/cancel/",
        portal_page(visits.appointment_cancel),
        name="appointment-cancel",
    ),
    path(
        "me/appointments/<uuid:appointment_id>/reschedule/",
        portal_page(visits.appointment_reschedule),
        name="appointment-reschedule",
    ),
    path("me/records/", portal_page(visits.records), name="records"),
    path("me/payments/", portal_page(payments.payment_list), name="payments"),
    path("me/card/", portal_page(me.card_list), name="card"),
    path("me/card/<uuid:patient_id>/", portal_page(me.card_full), name="card-full"),
    path("me/profile/", portal_page(me.profile), name="profile"),
    path("me/account/", portal_page(me.account), name="account"),
    path(
        "me/account/sessions/<uuid:session_id>/end/",
        portal_page(me.session_end),
        name="session-end",
    ),
    path("me/account/delete/", portal_page(me.deletion_request), name="deletion-request"),
    path("me/account/my-data.json", portal_page(me.data_export), name="data-export"),
]
