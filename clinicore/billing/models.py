"""Invoices, payments, refunds, checkout sessions, gateway calls and the webhook ledger."""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from clinicore.core.fields import EncryptedTextField
from clinicore.core.models import BaseModel, TenantModel

MONEY = {"max_digits": 14, "decimal_places": 2, "default": Decimal("0")}
ZERO = Decimal("0")


class Provider(models.TextChoices):
    SANDBOX = "sandbox", _("Sandbox")
    STRIPE = "stripe", _("Stripe")
    RAZORPAY = "razorpay", _("Razorpay")
    UPI = "upi", _("UPI")
    DESK = "desk", _("At the desk")


class Method(models.TextChoices):
    UPI = "upi", _("UPI")
    CARD = "card", _("Card")
    NETBANKING = "netbanking", _("Net banking")
    WALLET = "wallet", _("Wallet")
    CASH = "cash", _("Cash")
    BANK_TRANSFER = "bank_transfer", _("Bank transfer")


class BillingSettings(TenantModel):
    """A clinic's billing rules: default gateway, due days, refund-on-cancellation policy."""

    default_provider = models.CharField(
        max_length=12, choices=Provider.choices, default=Provider.SANDBOX
    )
    payment_due_days = models.PositiveSmallIntegerField(default=15)
    session_ttl_minutes = models.PositiveSmallIntegerField(default=15)
    # Cancelled at least `refund_full_hours` before the start: full refund; later: this percent.
    refund_full_hours = models.PositiveIntegerField(default=24)
    refund_late_percent = models.PositiveSmallIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["clinic"], name="billing_settings_one_per_clinic")
        ]


class GatewayAccount(TenantModel):
    """A clinic's credentials at one gateway; secrets encrypted at rest."""

    provider = models.CharField(max_length=12, choices=Provider.choices)
    is_active = models.BooleanField(default=True)
    public_key = models.CharField(max_length=200, blank=True)  # Stripe pk_…, Razorpay key_id
    secret_key = EncryptedTextField(blank=True, default="")
    webhook_secret = EncryptedTextField(blank=True, default="")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["clinic", "provider"], name="gateway_account_unique")
        ]


class InvoiceCounter(TenantModel):
    """The last invoice number issued by a clinic in a year; locked while issuing."""

    year = models.PositiveSmallIntegerField()
    last_number = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["clinic", "year"], name="invoice_counter_unique")
        ]


class Invoice(TenantModel):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        ISSUED = "issued", _("Issued")
        PARTIALLY_PAID = "partially_paid", _("Partially paid")
        PAID = "paid", _("Paid")
        OVERDUE = "overdue", _("Overdue")
        VOID = "void", _("Void")
        REFUNDED = "refunded", _("Refunded")

    OPEN_STATUSES = (Status.ISSUED, Status.PARTIALLY_PAID, Status.OVERDUE)

    patient = models.ForeignKey(
        "patients.Patient", on_delete=models.PROTECT, related_name="invoices"
    )
    number = models.CharField(max_length=24, blank=True, default="")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.DRAFT)
    currency = models.CharField(max_length=3)
    discount = models.DecimalField(**MONEY)  # whole-invoice discount, taken after tax
    subtotal = models.DecimalField(**MONEY)
    discount_total = models.DecimalField(**MONEY)
    tax_total = models.DecimalField(**MONEY)
    total = models.DecimalField(**MONEY)
    amount_paid = models.DecimalField(**MONEY)  # completed payments minus refunds
    amount_refunded = models.DecimalField(**MONEY)
    issued_at = models.DateTimeField(null=True, blank=True)
    due_date = models.DateField(null=True, blank=True)
    paid_at = models.DateTimeField(null=True, blank=True)
    voided_at = models.DateTimeField(null=True, blank=True)
    void_reason = models.CharField(max_length=300, blank=True)
    notes = EncryptedTextField(blank=True, default="")
    practitioner = models.ForeignKey(
        "clinics.Membership", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    appointment = models.ForeignKey(
        "scheduling.Appointment",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="invoices",
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["clinic", "number"],
                condition=~models.Q(number=""),
                name="invoice_number_unique_per_clinic",
            ),
            models.CheckConstraint(
                condition=models.Q(amount_paid__gte=0), name="invoice_paid_not_negative"
            ),
        ]
        indexes = [
            models.Index(fields=["clinic", "status", "due_date"], name="invoice_clinic_status_due"),
            models.Index(fields=["clinic", "patient"], name="invoice_clinic_patient"),
            # Reports join invoices by issue date, status and practitioner from the index alone.
            models.Index(
                fields=["clinic", "issued_at", "status", "practitioner", "id"],
                name="invoice_clinic_issued",
            ),
        ]

    def __str__(self):
        return self.number or f"Draft {str(self.pk)[:8]}"

    @property
    def label(self) -> str:
        return self.number or str(_("Draft invoice"))

    @property
    def balance_due(self) -> Decimal:
        return max(self.total - self.amount_paid, ZERO)

    @property
    def is_payable(self) -> bool:
        return self.status in self.OPEN_STATUSES and self.balance_due > 0


class InvoiceLine(TenantModel):
    class Source(models.TextChoices):
        MANUAL = "manual", _("Typed by staff")
        APPOINTMENT = "appointment", _("Appointment")
        TREATMENT = "treatment", _("Treatment")
        STORE_ORDER = "store_order", _("Store order")

    invoice = models.ForeignKey(Invoice, on_delete=models.CASCADE, related_name="lines")
    position = models.PositiveSmallIntegerField(default=0)
    description = models.CharField(max_length=300)
    source = models.CharField(max_length=16, choices=Source.choices, default=Source.MANUAL)
    source_id = models.CharField(max_length=64, blank=True)
    quantity = models.DecimalField(max_digits=10, decimal_places=2, default=Decimal("1"))
    unit_price = models.DecimalField(**MONEY)
    discount = models.DecimalField(**MONEY)  # taken before tax
    tax_rate = models.DecimalField(max_digits=5, decimal_places=2, default=ZERO)  # percent
    net_amount = models.DecimalField(**MONEY)
    tax_amount = models.DecimalField(**MONEY)
    total = models.DecimalField(**MONEY)

    class Meta:
        ordering = ["position", "created_at"]
        # Billed-by-service reports sum a clinic's lines per description from the index alone.
        indexes = [
            models.Index(
                fields=["clinic", "invoice", "description", "total"],
                name="invoiceline_clinic_report",
            )
        ]


class Payment(TenantModel):
    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        COMPLETED = "completed", _("Completed")
        FAILED = "failed", _("Failed")
        PARTIALLY_REFUNDED = "partially_refunded", _("Partially refunded")
        REFUNDED = "refunded", _("Refunded")

    SETTLED_STATUSES = (Status.COMPLETED, Status.PARTIALLY_REFUNDED, Status.REFUNDED)

    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="payments")
    receipt_number = models.CharField(max_length=16)
    amount = models.DecimalField(max_digits=14, decimal_places=2)
    currency = models.CharField(max_length=3)
    method = models.CharField(max_length=16, choices=Method.choices)
    provider = models.CharField(max_length=12, choices=Provider.choices)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING)
    failure_reason = models.CharField(max_length=200, blank=True)
    provider_order_id = models.CharField(max_length=120, blank=True, db_index=True)
    provider_payment_id = models.CharField(max_length=120, blank=True, db_index=True)
    utr = models.CharField("UPI transaction reference", max_length=40, blank=True)
    reference = models.CharField(max_length=120, blank=True)  # card slip, cheque, transfer id
    gateway_response = models.JSONField(default=dict, blank=True)
    amount_refunded = models.DecimalField(**MONEY)
    paid_at = models.DateTimeField(null=True, blank=True)
    idempotency_key = models.CharField(max_length=120, blank=True, default="")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["clinic", "idempotency_key"],
                condition=~models.Q(idempotency_key=""),
                name="payment_idempotency_unique",
            ),
            models.UniqueConstraint(
                fields=["clinic", "receipt_number"], name="payment_receipt_unique"
            ),
            models.CheckConstraint(
                condition=models.Q(amount__gt=0), name="payment_amount_positive"
            ),
        ]
        indexes = [
            # Revenue reports sum amounts by method and invoice from the index alone.
            models.Index(
                fields=["clinic", "status", "paid_at", "method", "amount", "invoice"],
                name="payment_clinic_paid_report",
            ),
        ]

    def __str__(self):
        return self.receipt_number

    @property
    def refundable(self):
        return self.amount - self.amount_refunded if self.status in self.SETTLED_STATUSES else ZERO


class Refund(TenantModel):
    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        SUCCEEDED = "succeeded", _("Succeeded")
        FAILED = "failed", _("Failed")

    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, related_name="refunds")
    amount = models.DecimalField(max_digits=14, decimal_places=2)
    currency = models.CharField(max_length=3)
    reason = models.CharField(max_length=300)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.PENDING)
    provider_refund_id = models.CharField(max_length=120, blank=True, db_index=True)
    gateway_response = models.JSONField(default=dict, blank=True)
    processed_at = models.DateTimeField(null=True, blank=True)
    automatic = models.BooleanField(default=False)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="refund_amount_positive"),
        ]
        indexes = [models.Index(fields=["clinic", "processed_at"], name="refund_clinic_processed")]


class PaymentSession(TenantModel):
    """One checkout attempt (hosted page, gateway order or UPI link) with an expiry."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        COMPLETED = "completed", _("Completed")
        FAILED = "failed", _("Failed")
        CANCELLED = "cancelled", _("Cancelled")
        EXPIRED = "expired", _("Expired")

    payment = models.OneToOneField(Payment, on_delete=models.CASCADE, related_name="session")
    provider = models.CharField(max_length=12, choices=Provider.choices)
    token = models.CharField(max_length=64, unique=True)  # in public URLs instead of the id
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.OPEN)
    expires_at = models.DateTimeField(db_index=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    provider_session_id = models.CharField(max_length=160, blank=True, db_index=True)
    checkout_url = models.URLField(max_length=1000, blank=True)
    return_url = models.URLField(max_length=1000, blank=True)
    upi_link = models.TextField(blank=True)
    client_data = models.JSONField(default=dict, blank=True)  # what a browser SDK needs
    # Pay-first booking: the scheduling hold kept while the patient pays.
    hold_id = models.UUIDField(null=True, blank=True, db_index=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            # The sweep closing expired and cancelled checkouts at the gateways reads them by
            # status and provider, within the gateway's lifetime (created_at).
            models.Index(
                fields=["status", "provider", "created_at"], name="paymentsession_close_sweep"
            ),
        ]

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN and self.expires_at > timezone.now()


class GatewayCall(TenantModel):
    """Every call to a gateway, recorded before it is made, finished with its answer."""

    class Status(models.TextChoices):
        STARTED = "started", _("Started")
        SUCCEEDED = "succeeded", _("Succeeded")
        FAILED = "failed", _("Failed")

    provider = models.CharField(max_length=12, choices=Provider.choices)
    action = models.CharField(max_length=30)
    payment = models.ForeignKey(
        Payment, null=True, blank=True, on_delete=models.CASCADE, related_name="gateway_calls"
    )
    refund = models.ForeignKey(
        Refund, null=True, blank=True, on_delete=models.CASCADE, related_name="gateway_calls"
    )
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.STARTED)
    amount_minor = models.BigIntegerField(null=True, blank=True)
    currency = models.CharField(max_length=3, blank=True)
    response = models.JSONField(default=dict, blank=True)
    error = models.CharField(max_length=500, blank=True)
    retryable = models.BooleanField(default=False)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]


class WebhookEvent(BaseModel):
    """The ledger of every webhook received: stored once per provider event id."""

    class Outcome(models.TextChoices):
        PENDING = "pending", _("Not processed yet")
        PROCESSED = "processed", _("Processed")
        DUPLICATE = "duplicate", _("Already recorded")
        IGNORED = "ignored", _("Not handled")
        MISMATCH = "mismatch", _("Did not match our records")
        REJECTED = "rejected", _("Signature rejected")
        ERROR = "error", _("Failed while processing")

    provider = models.CharField(max_length=12, choices=Provider.choices)
    event_id = models.CharField(max_length=200)
    clinic = models.ForeignKey(
        "clinics.Clinic", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    type = models.CharField(max_length=100, blank=True)
    raw_body = models.TextField()
    signature_verified = models.BooleanField(default=False)
    received_at = models.DateTimeField(default=timezone.now)
    processed_at = models.DateTimeField(null=True, blank=True)
    deliveries = models.PositiveIntegerField(default=1)
    outcome = models.CharField(max_length=12, choices=Outcome.choices, default=Outcome.PENDING)
    detail = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["-received_at"]
        constraints = [
            models.UniqueConstraint(fields=["provider", "event_id"], name="webhook_event_unique")
        ]
