from django.urls import path

from clinicore.desk.views import admin, billing, board, calendar, hours

app_name = "desk"

urlpatterns = [
    path("", board.board, name="board"),
    path("scan/", board.scan, name="scan"),
    path("walk-in/", board.walk_in, name="walk-in"),
    path("phone-booking/", board.phone_booking, name="phone-booking"),
    path("appointments/<uuid:appointment_id>/act/", board.appointment_act, name="appointment-act"),
    path("cards/<uuid:patient_id>/", board.patient_card, name="patient-card"),
    path("merge/", board.patient_merge_page, name="patient-merge"),
    path("calendar/", calendar.calendar, name="calendar"),
    path("calendar/schedule/", calendar.schedule_edit, name="schedule-edit"),
    path("till/", billing.till, name="billing"),
    path("till/new/", billing.invoice_new, name="invoice-new"),
    path("till/cash-up/", billing.cash_up, name="cash-up"),
    path("till/invoices/<uuid:invoice_id>/", billing.invoice_page, name="invoice"),
    path("till/invoices/<uuid:invoice_id>/pay/", billing.invoice_pay, name="invoice-pay"),
    path("till/payments/<uuid:payment_id>/refund/", billing.payment_refund, name="payment-refund"),
    path("staff/", admin.staff, name="staff"),
    path("staff/<uuid:practitioner_id>/hours/", hours.working_hours, name="working-hours"),
    path("settings/", admin.settings_page, name="settings"),
    path("audit/", admin.audit, name="audit"),
]
