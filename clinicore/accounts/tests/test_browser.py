"""Account journeys in a real Chromium against the real ASGI server, email over real SMTP."""

import os
import re

import pyotp
import pytest

from clinicore.accounts.models import TwoFactorDevice, User
from clinicore.clinics.permissions import Role
from clinicore.core.testing import PASSWORD, make_clinic, make_member, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

WIDTHS = {"phone": {"width": 375, "height": 812}, "desktop": {"width": 1280, "height": 860}}


@pytest.fixture(autouse=True)
def _fast_browser_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _shoot(page, screenshot_dir, name):
    for label, size in WIDTHS.items():
        page.set_viewport_size(size)
        page.screenshot(
            path=os.path.join(screenshot_dir, f"accounts-{name}-{label}.png"), full_page=True
        )


def test_it_signs_up_confirms_the_email_and_signs_in(page, asgi_server, smtp_inbox, screenshot_dir):
    page.goto(f"{asgi_server}/accounts/signup/")
    _shoot(page, screenshot_dir, "signup")
    page.set_viewport_size(WIDTHS["phone"])
    page.fill("#id_full_name", "Nisha Kapoor")
    page.fill("#id_email", "nisha@example.test")
    page.fill("#id_phone", "+91 98100 22222")
    page.fill("#id_password1", "a long passphrase 2026")
    page.fill("#id_password2", "a long passphrase 2026")
    page.click("main button[type=submit]")
    page.wait_for_selector("text=Check your email")
    _shoot(page, screenshot_dir, "signup-done")

    link = smtp_inbox.link(smtp_inbox.wait_for("nisha@example.test"))
    assert link.startswith(asgi_server)
    page.goto(link)
    page.wait_for_selector("text=Email confirmed")
    _shoot(page, screenshot_dir, "email-confirmed")
    assert User.objects.get(email="nisha@example.test").email_verified

    page.click("text=Sign in")
    page.fill("#id_username", "nisha@example.test")
    page.fill("#id_password", "a long passphrase 2026")
    page.click("main button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert "/accounts/login/" not in page.url
    assert page.locator("button", has_text="Sign out").count() == 1


def test_it_shows_the_error_for_a_wrong_password(page, asgi_server, screenshot_dir):
    user = make_user("wrong.pw@example.test")
    page.goto(f"{asgi_server}/accounts/login/")
    page.fill("#id_username", user.email)
    page.fill("#id_password", "not my password")
    page.click("main button[type=submit]")
    alert = page.locator("[role=alert]")
    alert.wait_for()
    assert "Email or password is wrong" in alert.inner_text()
    _shoot(page, screenshot_dir, "login-error")


def test_it_forces_an_owner_into_two_factor_setup_then_into_the_workspace(
    page, asgi_server, settings, screenshot_dir
):
    settings.TWO_FACTOR_ENFORCED = True
    clinic = make_clinic("sunrise-2fa", name="Sunrise Clinic")
    owner = make_member(clinic, Role.OWNER).user
    page.goto(f"{asgi_server}/accounts/login/?next=/c/{clinic.slug}/desk/patients/")
    page.fill("#id_username", owner.email)
    page.fill("#id_password", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url(re.compile(r".*/accounts/2fa/.*"))
    assert page.locator(".qr-box svg").count() == 1
    _shoot(page, screenshot_dir, "two-factor-setup")
    page.set_viewport_size(WIDTHS["phone"])
    page.click("summary")
    secret = page.locator("[data-testid=totp-secret]").inner_text().strip()
    page.fill("#id_code", pyotp.TOTP(secret).now())
    page.click("main button[type=submit]")
    page.wait_for_selector("[data-testid=recovery-codes]")
    assert page.locator("[data-testid=recovery-codes] li").count() == 10
    _shoot(page, screenshot_dir, "two-factor-recovery")
    assert TwoFactorDevice.objects.get(user=owner).is_enabled
    page.click("text=I saved them")
    page.wait_for_url(re.compile(rf".*/c/{clinic.slug}/desk/patients/.*"))

    # Next sign-in asks for the code after the password.
    page.context.clear_cookies()
    page.goto(f"{asgi_server}/accounts/login/?next=/c/{clinic.slug}/desk/patients/")
    page.fill("#id_username", owner.email)
    page.fill("#id_password", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url(re.compile(r".*/accounts/2fa/verify/.*"))
    _shoot(page, screenshot_dir, "two-factor-verify")
    page.set_viewport_size(WIDTHS["phone"])
    totp = pyotp.TOTP(secret)
    # The setup code's time step was spent: use the next one, as a person would a moment later.
    import time as _time

    page.fill("#id_code", totp.at(_time.time() + totp.interval))
    page.click("main button[type=submit]")
    page.wait_for_url(re.compile(rf".*/c/{clinic.slug}/desk/patients/.*"))
