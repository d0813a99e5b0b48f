from django.urls import path

from clinicore.billing import views

app_name = "billing-pay"

urlpatterns = [
    path("sandbox/<str:token>/", views.sandbox_checkout, name="sandbox-checkout"),
    path("upi/<str:token>/", views.upi_checkout, name="upi-checkout"),
    path("razorpay/<str:token>/", views.razorpay_checkout, name="razorpay-checkout"),
    path("razorpay/<str:token>/verify/", views.razorpay_verify, name="razorpay-verify"),
    path("status/<str:token>/", views.checkout_status, name="status"),
]
