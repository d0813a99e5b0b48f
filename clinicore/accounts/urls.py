from django.urls import path

from clinicore.accounts import views

app_name = "accounts"

urlpatterns = [
    path("login/", views.SignInView.as_view(), name="login"),
    path("logout/", views.sign_out, name="logout"),
    path("signup/", views.sign_up, name="signup"),
    path("verify-email/resend/", views.verify_email_resend, name="verify-email-resend"),
    path("verify-email/<str:token>/", views.verify_email, name="verify-email"),
    path("password/reset/", views.password_reset, name="password-reset"),
    path(
        "password/reset/<uidb64>/<token>/",
        views.PasswordResetConfirm.as_view(),
        name="password-reset-confirm",
    ),
    path("password/change/", views.PasswordChange.as_view(), name="password-change"),
    path("2fa/", views.two_factor_setup, name="two-factor-setup"),
    path("2fa/verify/", views.two_factor_verify, name="two-factor-verify"),
    path("2fa/disable/", views.two_factor_disable, name="two-factor-disable"),
]
