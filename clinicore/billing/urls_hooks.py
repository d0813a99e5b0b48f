from django.urls import path

from clinicore.billing import views

app_name = "billing-hooks"

urlpatterns = [
    path("stripe/<slug:clinic_slug>/", views.stripe_hook, name="stripe"),
    path("razorpay/<slug:clinic_slug>/", views.razorpay_hook, name="razorpay"),
    path("sandbox/", views.sandbox_hook, name="sandbox"),
]
