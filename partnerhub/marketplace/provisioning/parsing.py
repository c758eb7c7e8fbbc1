"""Strict readers of the vendor's answers: the shapes of docs/provisioning-api.yaml, nothing looser.

Each returns the checked object (usage quantities as Decimal) or raises ``Invalid`` naming the
first field that is missing or wrong, in words a vendor's developer can act on.
"""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal, InvalidOperation

CUSTOMER_STATES = frozenset({"active"})
SUBSCRIPTION_STATES = frozenset({"active", "suspended", "cancelled"})
OPERATION_STATES = frozenset({"pending", "succeeded", "failed"})
MAX_ID_LENGTH = 200


class Invalid(ValueError):
    """An answer that does not follow the contract."""


def _object(data, where: str) -> dict:
    if not isinstance(data, dict):
        raise Invalid(f"{where} must be a JSON object")
    return data


def _text(data: dict, name: str, where: str, *, choices=None, required: bool = True, max_length: int = 1000) -> str:
    value = data.get(name)
    if value is None and not required:
        return ""
    if not isinstance(value, str) or (required and not value.strip()):
        raise Invalid(f"{where}.{name} must be a non-empty string")
    if len(value) > max_length:
        raise Invalid(f"{where}.{name} is longer than {max_length} characters")
    if choices is not None and value not in choices:
        raise Invalid(f"{where}.{name} is {value!r}; expected one of {', '.join(sorted(choices))}")
    return value


def parse_customer(data) -> dict:
    data = _object(data, "customer")
    return {
        "id": _text(data, "id", "customer", max_length=MAX_ID_LENGTH),
        "external_id": _text(data, "external_id", "customer", max_length=MAX_ID_LENGTH),
        "status": _text(data, "status", "customer", choices=CUSTOMER_STATES),
    }


def parse_subscription(data) -> dict:
    data = _object(data, "subscription")
    quantities = _object(data.get("quantities"), "subscription.quantities")
    for name, count in quantities.items():
        if not isinstance(count, int) or isinstance(count, bool) or count < 0:
            raise Invalid(f"subscription.quantities.{name} must be a whole number, zero or more")
    return {
        "id": _text(data, "id", "subscription", max_length=MAX_ID_LENGTH),
        "customer_id": _text(data, "customer_id", "subscription", max_length=MAX_ID_LENGTH),
        "plan": _text(data, "plan", "subscription", max_length=MAX_ID_LENGTH),
        "quantities": dict(quantities),
        "status": _text(data, "status", "subscription", choices=SUBSCRIPTION_STATES),
    }


def parse_list(data) -> list[dict]:
    data = _object(data, "list")
    items = data.get("items")
    if not isinstance(items, list):
        raise Invalid("list.items must be an array")
    return [parse_subscription(item) for item in items]


def _timestamp(data: dict, name: str, where: str) -> datetime:
    text = _text(data, name, where)
    try:
        value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise Invalid(f"{where}.{name} must be an ISO 8601 date-time") from None
    if value.tzinfo is None:
        raise Invalid(f"{where}.{name} must carry a time zone offset")
    return value


def parse_usage(data) -> dict:
    data = _object(data, "usage")
    start, end = _timestamp(data, "period_start", "usage"), _timestamp(data, "period_end", "usage")
    if end <= start:
        raise Invalid("usage.period_end must be after usage.period_start")
    records = data.get("records")
    if not isinstance(records, list):
        raise Invalid("usage.records must be an array")
    parsed = []
    for index, record in enumerate(records):
        where = f"usage.records[{index}]"
        record = _object(record, where)
        raw = record.get("quantity")
        if not isinstance(raw, str):  # a JSON number may already have lost digits in a float
            raise Invalid(f"{where}.quantity must be a decimal number written as a string")
        try:
            quantity = Decimal(raw)
        except InvalidOperation:
            raise Invalid(f"{where}.quantity {raw!r} is not a decimal number") from None
        if not quantity.is_finite() or quantity < 0:
            raise Invalid(f"{where}.quantity must be zero or more")
        parsed.append(
            {"metric": _text(record, "metric", where), "quantity": quantity, "unit": _text(record, "unit", where)}
        )
    return {
        "subscription_id": _text(data, "subscription_id", "usage", max_length=MAX_ID_LENGTH),
        "period_start": start,
        "period_end": end,
        "records": parsed,
    }


def parse_operation(data) -> dict:
    data = _object(data, "operation")
    parsed = {
        "id": _text(data, "id", "operation", max_length=MAX_ID_LENGTH),
        "status": _text(data, "status", "operation", choices=OPERATION_STATES),
        "status_url": _text(data, "status_url", "operation", max_length=2000),
        "result": data.get("result"),
        "problem": data.get("problem"),
    }
    if parsed["status"] == "succeeded" and not isinstance(parsed["result"], dict):
        raise Invalid("operation.result must be an object once the operation succeeded")
    return parsed
