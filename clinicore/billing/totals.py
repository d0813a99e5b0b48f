"""The one place invoice totals are computed: per-line tax and discount, then the invoice discount.

Pure functions over Decimal amounts in one currency; floats are refused, currencies never mix.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext as _

from clinicore.core.money import quantize

ZERO = Decimal("0")
HUNDRED = Decimal("100")


@dataclass(frozen=True)
class LineInput:
    quantity: Decimal
    unit_price: Decimal
    discount: Decimal = ZERO
    tax_rate: Decimal = ZERO  # percent


@dataclass(frozen=True)
class LineTotals:
    net_amount: Decimal
    tax_amount: Decimal
    total: Decimal


@dataclass(frozen=True)
class InvoiceTotals:
    currency: str
    lines: tuple[LineTotals, ...]
    subtotal: Decimal  # sum of quantity × unit price
    discount_total: Decimal  # line discounts + invoice discount
    tax_total: Decimal
    total: Decimal


def _decimal(value, name: str) -> Decimal:
    if isinstance(value, float):
        raise TypeError(f"{name} must be Decimal, never float.")
    return Decimal(value)


def line_totals(line: LineInput, currency: str) -> LineTotals:
    quantity = _decimal(line.quantity, "quantity")
    unit_price = _decimal(line.unit_price, "unit_price")
    discount = quantize(_decimal(line.discount, "discount"), currency)
    rate = _decimal(line.tax_rate, "tax_rate")
    if quantity <= 0:
        raise ValueError(_("Quantity must be more than zero."))
    if unit_price < 0 or discount < 0 or rate < 0 or rate > HUNDRED:
        raise ValueError(
            _("Prices, discounts and tax rates cannot be negative; tax is at most 100%.")
        )
    gross = quantize(quantity * unit_price, currency)
    if discount > gross:
        raise ValueError(_("A line's discount cannot be more than the line's amount."))
    net = gross - discount
    tax = quantize(net * rate / HUNDRED, currency)
    return LineTotals(net_amount=net, tax_amount=tax, total=net + tax)


def invoice_totals(
    lines: list[LineInput], *, currency: str, discount: Decimal = ZERO
) -> InvoiceTotals:
    discount = quantize(_decimal(discount, "discount"), currency)
    if discount < 0:
        raise ValueError(_("The invoice discount cannot be negative."))
    computed = tuple(line_totals(line, currency) for line in lines)
    subtotal = sum(
        (quantize(_decimal(li.quantity, "quantity") * li.unit_price, currency) for li in lines),
        ZERO,
    )
    line_discounts = sum((quantize(li.discount, currency) for li in lines), ZERO)
    tax_total = sum((lt.tax_amount for lt in computed), ZERO)
    before_discount = sum((lt.total for lt in computed), ZERO)
    if discount > before_discount:
        raise ValueError(_("The invoice discount cannot be more than the invoice total."))
    return InvoiceTotals(
        currency=currency,
        lines=computed,
        subtotal=quantize(subtotal, currency),
        discount_total=quantize(line_discounts + discount, currency),
        tax_total=quantize(tax_total, currency),
        total=quantize(before_discount - discount, currency),
    )
