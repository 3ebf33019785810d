"""Certificates: a signed statement that credits were retired, bought or claimed.

A certificate row is written once and never changed. `payload` is exactly the
JSON object that was signed (canonical form: see `core.certs.signing`), and
`signature` its Ed25519 signature by the key `key_id`; the other columns copy
fields out of the payload so that they can be queried and shown. A verifier
trusts the payload and the signature, never the copied columns.

Invariants held by the database:
- `public_id` (what URLs and QR codes carry) is unique.
- `key` (the caller's idempotency key, e.g. ``retirement:42``) is unique:
  issuing twice for the same retirement returns the first certificate.
- `amount_kg` is positive.
"""

from __future__ import annotations

from enum import StrEnum

from tortoise import fields
from tortoise.migrations.constraints import CheckConstraint
from tortoise.models import Model


class CertificateKind(StrEnum):
    RETIREMENT = "retirement"
    PURCHASE = "purchase"
    PRODUCT = "product"


class Certificate(Model):
    id = fields.BigIntField(primary_key=True)
    public_id = fields.CharField(max_length=16, unique=True)
    key = fields.CharField(max_length=128, unique=True)
    kind = fields.CharEnumField(CertificateKind, max_length=16)
    beneficiary = fields.CharField(max_length=200)
    amount_kg = fields.BigIntField()
    reason = fields.CharField(max_length=500, default="")
    project_name = fields.CharField(max_length=200)
    methodology = fields.CharField(max_length=200, default="")
    country = fields.CharField(max_length=2, default="")
    vintage = fields.IntField(null=True)
    serial_ranges = fields.JSONField(default=list)
    retirement_id = fields.CharField(max_length=64, null=True, db_index=True)
    issued_at = fields.DatetimeField()
    payload = fields.JSONField()
    signature = fields.CharField(max_length=128)
    key_id = fields.CharField(max_length=32)
    # The buyer's language (en/de/fr): the PNG is drawn in it.
    language = fields.CharField(max_length=8, default="en")

    class Meta:
        table = "certificate"
        constraints = [
            CheckConstraint(check="amount_kg > 0", name="certificate_amount_kg_positive"),
        ]

    def __str__(self) -> str:
        return f"Certificate {self.public_id} ({self.amount_kg} kg, {self.beneficiary})"
