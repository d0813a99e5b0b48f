"""Money as Decimal with an ISO currency; minor units only at a gateway's edge. No floats."""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

# ISO 4217 minor-unit exponents for the currencies clinics use here.
EXPONENTS = {
    "INR": 2,
    "USD": 2,
    "EUR": 2,
    "GBP": 2,
    "AUD": 2,
    "JPY": 0,
    "CNY": 2,
    "SGD": 2,
    "AED": 2,
}
CURRENCIES = tuple(sorted(EXPONENTS))


class CurrencyMismatch(ValueError):
    pass


def exponent(currency: str) -> int:
    try:
        return EXPONENTS[currency.upper()]
    except KeyError as exc:
        raise ValueError(f"Unsupported currency {currency!r}") from exc


def quantize(amount: Decimal, currency: str) -> Decimal:
    if isinstance(amount, float):
        raise TypeError("Money amounts must be Decimal, never float.")
    try:
        value = Decimal(amount)
    except (InvalidOperation, TypeError) as exc:
        raise ValueError(f"Not an amount: {amount!r}") from exc
    return value.quantize(Decimal(1).scaleb(-exponent(currency)), rounding=ROUND_HALF_UP)


def to_minor(amount: Decimal, currency: str) -> int:
    return int(quantize(amount, currency).scaleb(exponent(currency)))


def from_minor(minor: int, currency: str) -> Decimal:
    return quantize(Decimal(minor).scaleb(-exponent(currency)), currency)


@dataclass(frozen=True)
class Money:
    amount: Decimal
    currency: str

    def __post_init__(self):
        object.__setattr__(self, "currency", self.currency.upper())
        object.__setattr__(self, "amount", quantize(self.amount, self.currency))

    def _same(self, other: "Money") -> None:
        if other.currency != self.currency:
            raise CurrencyMismatch(f"Cannot mix {self.currency} and {other.currency}")

    def __add__(self, other: "Money") -> "Money":
        self._same(other)
        return Money(self.amount + other.amount, self.currency)

    def __sub__(self, other: "Money") -> "Money":
        self._same(other)
        return Money(self.amount - other.amount, self.currency)

    def __str__(self) -> str:
        return f"{self.amount} {self.currency}"
