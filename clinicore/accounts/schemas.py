"""API shapes for sign-up, sign-in, tokens and passwords."""

import uuid

from ninja import Schema
from pydantic import Field


class RegisterIn(Schema):
    email: str = Field(..., min_length=3, max_length=254, examples=["asha.verma@example.com"])
    password: str = Field(..., min_length=1, max_length=200, examples=["a long passphrase 2026"])
    full_name: str = Field(..., min_length=1, max_length=200, examples=["Asha Verma"])
    phone: str = Field("", max_length=20, pattern=r"^[0-9+()\- ]*$", examples=["+91 98100 12345"])
    preferred_language: str = Field("en", max_length=10, examples=["en"])


class RegisterOut(Schema):
    id: uuid.UUID
    email: str
    full_name: str
    email_verified: bool
    detail: str = Field(..., examples=["We sent a confirmation link to your email address."])


class LoginIn(Schema):
    email: str = Field(..., min_length=1, max_length=254, examples=["owner@sunrise.example"])
    password: str = Field(..., min_length=1, max_length=200, examples=["a long passphrase"])
    clinic: str | None = Field(
        None,
        description="Slug of the clinic to act for (staff with several clinics).",
        examples=["sunrise"],
    )
    otp: str | None = Field(
        None,
        max_length=20,
        description="The 6-digit code of the authenticator app (or a recovery code); required when "
        "the account has two-factor authentication on.",
        examples=["123456"],
    )


class TokenOut(Schema):
    access_token: str
    token_type: str = "Bearer"
    expires_in: int = Field(..., description="Seconds the access token is valid.", examples=[900])
    refresh_token: str = Field(
        ..., description="Single-use; exchange it at /auth/refresh for a new pair."
    )
    refresh_expires_in: int = Field(..., examples=[604800])
    clinic_id: uuid.UUID | None = None
    two_factor_enrolment_required: bool = Field(
        False,
        description="True for owners and administrators without two-factor authentication: until "
        "they turn it on (at two_factor_setup_url), owner/admin-only operations answer 403.",
    )
    two_factor_setup_url: str | None = None


class RefreshIn(Schema):
    refresh_token: str = Field(
        ..., min_length=1, max_length=200, examples=["Q2xpbmljb3JlIHJlZnJlc2ggdG9rZW4"]
    )


class DetailOut(Schema):
    detail: str


class VerifyEmailIn(Schema):
    token: str = Field(
        ..., min_length=1, max_length=500, description="The token from the emailed link."
    )


class PasswordChangeIn(Schema):
    current_password: str = Field(..., min_length=1, max_length=200, examples=["my old passphrase"])
    new_password: str = Field(
        ..., min_length=1, max_length=200, examples=["a new long passphrase 2026"]
    )


class PasswordResetIn(Schema):
    email: str = Field(..., min_length=3, max_length=254, examples=["asha.verma@example.com"])


class PasswordResetConfirmIn(Schema):
    uid: str = Field(
        ..., min_length=1, max_length=100, description="The `uid` part of the emailed link."
    )
    token: str = Field(
        ..., min_length=1, max_length=100, description="The `token` part of the emailed link."
    )
    new_password: str = Field(
        ..., min_length=1, max_length=200, examples=["a new long passphrase 2026"]
    )


class MembershipOut(Schema):
    clinic_id: uuid.UUID
    clinic_slug: str
    clinic_name: str
    role: str


class MeOut(Schema):
    id: uuid.UUID
    email: str
    full_name: str
    phone: str
    preferred_language: str
    email_verified: bool
    two_factor_enabled: bool
    clinic_id: uuid.UUID | None
    role: str | None
    memberships: list[MembershipOut]
