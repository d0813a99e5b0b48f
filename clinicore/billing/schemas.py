"""API shapes for invoices, payments, refunds and reports. Amounts are decimal strings, never floats."""

import datetime
import uuid
from decimal import Decimal

from ninja import Schema
from pydantic import Field

from clinicore.billing.models import Invoice, Method, Payment, PaymentSession, Provider, Refund

Amount = Decimal


class InvoiceLineIn(Schema):
    description: str = Field(
        ..., min_length=1, max_length=300, examples=["Consultation — general physician"]
    )
    quantity: Decimal = Field(Decimal("1"), gt=0, max_digits=10, decimal_places=2, examples=["1"])
    unit_price: Decimal = Field(..., ge=0, max_digits=14, decimal_places=2, examples=["800.00"])
    discount: Decimal = Field(Decimal("0"), ge=0, max_digits=14, decimal_places=2, examples=["0"])
    tax_rate: Decimal = Field(
        Decimal("0"), ge=0, le=100, max_digits=5, decimal_places=2, examples=["18"]
    )
    source: str = Field(
        "manual", pattern="^(manual|appointment|treatment|store_order)$", examples=["manual"]
    )
    source_id: str = Field("", max_length=64)


class InvoiceLineOut(Schema):
    id: uuid.UUID
    description: str
    quantity: Decimal
    unit_price: Decimal
    discount: Decimal
    tax_rate: Decimal
    net_amount: Decimal
    tax_amount: Decimal
    total: Decimal
    source: str
    source_id: str


class InvoiceIn(Schema):
    patient_id: uuid.UUID
    lines: list[InvoiceLineIn] = Field(..., min_length=1, max_length=100)
    currency: str | None = Field(None, pattern="^[A-Z]{3}$", examples=["INR"])
    discount: Decimal = Field(
        Decimal("0"), ge=0, max_digits=14, decimal_places=2, examples=["100.00"]
    )
    due_date: datetime.date | None = Field(None, examples=["2026-12-31"])
    notes: str = Field("", max_length=2000)
    practitioner_id: uuid.UUID | None = None
    issue: bool = Field(False, description="Issue at once (gives it its number).")


class InvoiceUpdate(Schema):
    lines: list[InvoiceLineIn] | None = Field(None, min_length=1, max_length=100)
    discount: Decimal | None = Field(None, ge=0, max_digits=14, decimal_places=2)
    due_date: datetime.date | None = None
    notes: str | None = Field(None, max_length=2000)
    status: str | None = Field(
        None,
        pattern="^(issued|void)$",
        description="Move the invoice: `issued` issues a draft, `void` voids it (as the action endpoints do).",
    )
    void_reason: str = Field("", max_length=300)


class InvoiceOut(Schema):
    id: uuid.UUID
    clinic_id: uuid.UUID
    patient_id: uuid.UUID
    patient_name: str
    number: str
    status: str = Field(..., examples=[Invoice.Status.ISSUED])
    currency: str
    subtotal: Decimal
    discount: Decimal
    discount_total: Decimal
    tax_total: Decimal
    total: Decimal
    amount_paid: Decimal
    amount_refunded: Decimal
    balance_due: Decimal
    issued_at: datetime.datetime | None
    due_date: datetime.date | None
    paid_at: datetime.datetime | None
    notes: str
    practitioner_id: uuid.UUID | None
    lines: list[InvoiceLineOut]

    @staticmethod
    def resolve_patient_name(obj):
        return obj.patient.full_name

    @staticmethod
    def resolve_lines(obj):
        return list(obj.lines.all())


class InvoiceSummaryOut(Schema):
    id: uuid.UUID
    patient_id: uuid.UUID
    patient_name: str
    number: str
    status: str
    currency: str
    total: Decimal
    amount_paid: Decimal
    balance_due: Decimal
    due_date: datetime.date | None
    issued_at: datetime.datetime | None

    @staticmethod
    def resolve_patient_name(obj):
        return obj.patient.full_name


class VoidIn(Schema):
    reason: str = Field("", max_length=300, examples=["Created for the wrong patient"])


class CreateOrderIn(Schema):
    invoice_id: uuid.UUID
    provider: str | None = Field(
        None,
        pattern="^(sandbox|stripe|razorpay|upi)$",
        examples=["sandbox"],
        description="Gateway to use; the clinic's default when left out.",
    )
    amount: Decimal | None = Field(
        None,
        gt=0,
        max_digits=14,
        decimal_places=2,
        examples=["500.00"],
        description="Part of the balance; the whole balance when left out.",
    )
    return_url: str = Field("", max_length=1000)


class SessionOut(Schema):
    id: uuid.UUID
    token: str
    provider: str
    status: str = Field(..., examples=[PaymentSession.Status.OPEN])
    expires_at: datetime.datetime
    checkout_url: str
    upi_link: str
    provider_session_id: str
    client_data: dict


class PaymentOut(Schema):
    id: uuid.UUID
    clinic_id: uuid.UUID
    invoice_id: uuid.UUID
    invoice_number: str
    receipt_number: str
    amount: Decimal
    currency: str
    method: str = Field(..., examples=[Method.UPI])
    provider: str = Field(..., examples=[Provider.SANDBOX])
    status: str = Field(..., examples=[Payment.Status.COMPLETED])
    failure_reason: str
    provider_order_id: str
    provider_payment_id: str
    utr: str
    reference: str
    amount_refunded: Decimal
    paid_at: datetime.datetime | None
    created_at: datetime.datetime

    @staticmethod
    def resolve_invoice_number(obj):
        return obj.invoice.number


class OrderOut(Schema):
    payment: PaymentOut
    session: SessionOut


class VerifyIn(Schema):
    payment_id: uuid.UUID | None = Field(
        None, description="Our payment id (or send razorpay_order_id)."
    )
    razorpay_order_id: str = Field("", max_length=120, examples=["order_Nx1"])
    razorpay_payment_id: str = Field("", max_length=120, examples=["pay_Nx1"])
    razorpay_signature: str = Field("", max_length=200)
    session_id: str = Field("", max_length=200, description="Stripe Checkout Session id.")


class DeskPaymentIn(Schema):
    invoice_id: uuid.UUID
    amount: Decimal | None = Field(None, gt=0, max_digits=14, decimal_places=2, examples=["500.00"])
    method: str = Field(..., pattern="^(cash|card|bank_transfer|upi)$", examples=["cash"])
    reference: str = Field("", max_length=120, examples=["Card slip 004512"])


class RefundIn(Schema):
    amount: Decimal | None = Field(
        None,
        gt=0,
        max_digits=14,
        decimal_places=2,
        examples=["200.00"],
        description="Part of the payment; everything still refundable when left out.",
    )
    reason: str = Field(
        ..., min_length=1, max_length=300, examples=["Appointment cancelled by the clinic"]
    )


class RefundOut(Schema):
    id: uuid.UUID
    payment_id: uuid.UUID
    amount: Decimal
    currency: str
    reason: str
    status: str = Field(..., examples=[Refund.Status.SUCCEEDED])
    provider_refund_id: str
    automatic: bool
    processed_at: datetime.datetime | None
    created_at: datetime.datetime


class UtrIn(Schema):
    utr: str = Field(..., min_length=10, max_length=30, examples=["412345678901"])


class GroupRow(Schema):
    key: str
    currency: str
    count: int
    amount: Decimal
    refunded: Decimal
    net: Decimal
    label: str = ""


class TotalRow(Schema):
    currency: str
    count: int
    amount: Decimal
    refunded: Decimal
    net: Decimal


class OutstandingRow(Schema):
    currency: str
    count: int
    amount: Decimal


class ReportOut(Schema):
    date_from: datetime.date
    date_to: datetime.date
    time_zone: str
    totals: list[TotalRow]
    by_day: list[GroupRow]
    by_method: list[GroupRow]
    by_status: list[GroupRow]
    by_practitioner: list[GroupRow]
    outstanding: list[OutstandingRow]
    overdue_count: int


class BillingSettingsIO(Schema):
    default_provider: str = Field("sandbox", pattern="^(sandbox|stripe|razorpay|upi)$")
    payment_due_days: int = Field(15, ge=0, le=365)
    session_ttl_minutes: int = Field(15, ge=1, le=1440)
    refund_full_hours: int = Field(24, ge=0, le=24 * 60)
    refund_late_percent: int = Field(0, ge=0, le=100)


class GatewayAccountIn(Schema):
    public_key: str = Field("", max_length=200, examples=["rzp_test_abc"])
    secret_key: str = Field("", max_length=500, description="Write-only; kept encrypted.")
    webhook_secret: str = Field("", max_length=500, description="Write-only; kept encrypted.")
    is_active: bool = True


class GatewayAccountOut(Schema):
    provider: str
    public_key: str
    is_active: bool
    has_secret_key: bool
    has_webhook_secret: bool
    webhook_url: str


class PayFirstBookingIn(Schema):
    service_id: uuid.UUID
    practitioner_id: uuid.UUID
    start: datetime.datetime = Field(..., examples=["2026-12-01T04:30:00Z"])
    patient_id: uuid.UUID | None = Field(
        None, description="Staff: the patient. Patients book for themselves."
    )
    mode: str | None = Field(None, pattern="^(in_person|video)$")
    provider: str | None = Field(None, pattern="^(sandbox|stripe|razorpay|upi)$")
    return_url: str = Field("", max_length=1000)


class PayFirstBookingOut(Schema):
    appointment_id: uuid.UUID
    invoice_id: uuid.UUID
    payment: PaymentOut
    session: SessionOut


class CancelIn(Schema):
    reason: str = Field("", max_length=500, examples=["Feeling better"])
    refund_amount: Decimal | None = Field(
        None,
        ge=0,
        max_digits=14,
        decimal_places=2,
        description="Staff with the refund permission: override the clinic's policy.",
    )


class CancelOut(Schema):
    appointment_id: uuid.UUID
    status: str
    refunds: list[RefundOut]
