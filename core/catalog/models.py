"""What can be bought: credit listings and CCCP products.

A Listing offers the credits one seller account holds from one batch (the
buyer picks a project, the serials come from that batch) at a price per tonne
in Telegram Stars and in the minor unit of a card currency. The seller is a
carbon account: a producer's wallet, or CCCP's inventory
(`system`/`inventory`). What it can still deliver is not stored here: it is
the seller's active (unheld) serial blocks in the batch, read from the
registry when a card is shown and re-checked when a payment is about to be
taken.

A Product is a CCCP product or service that carries a fixed number of credits
per unit (seed claim); its credits come from a listing and are retired for
the buyer when it is bought in the chat.

`owner` is who manages the entry: `system` for operators today; merchant
self-service (a later issue) sets it to the merchant's owner string.

Invariants in the schema: prices are positive in Stars and non-negative in
the card currency (0: not sold by card), a product carries at least 1 kg per
unit, a fee is between 0 and 100 %.
"""

from __future__ import annotations

from tortoise import fields, models
from tortoise.migrations.constraints import CheckConstraint


class Listing(models.Model):
    id = fields.BigIntField(primary_key=True)
    owner = fields.CharField(max_length=64, default="system", db_index=True)
    seller_account = fields.ForeignKeyField(
        "models.Account", related_name="listings", on_delete=fields.RESTRICT
    )
    project = fields.ForeignKeyField(
        "models.Project", related_name="listings", on_delete=fields.RESTRICT
    )
    batch = fields.ForeignKeyField("models.Batch", related_name="listings", on_delete=fields.RESTRICT)
    price_xtr_per_t = fields.BigIntField()
    price_cents_per_t = fields.BigIntField(default=0)
    currency = fields.CharField(max_length=3, default="EUR")
    fee_bps = fields.IntField(default=0)
    is_active = fields.BooleanField(default=True)
    created_at = fields.DatetimeField()

    class Meta:
        table = "catalog_listing"
        constraints = [
            CheckConstraint(check="price_xtr_per_t > 0", name="catalog_listing_price_xtr_positive"),
            CheckConstraint(
                check="price_cents_per_t >= 0", name="catalog_listing_price_cents_nonnegative"
            ),
            CheckConstraint(
                check="fee_bps >= 0 AND fee_bps <= 10000", name="catalog_listing_fee_range"
            ),
        ]


class Product(models.Model):
    id = fields.BigIntField(primary_key=True)
    owner = fields.CharField(max_length=64, default="system", db_index=True)
    name = fields.CharField(max_length=120)
    description = fields.CharField(max_length=1000, default="")
    kg_per_unit = fields.BigIntField()
    price_xtr = fields.BigIntField()
    price_cents = fields.BigIntField(default=0)
    currency = fields.CharField(max_length=3, default="EUR")
    listing = fields.ForeignKeyField(
        "models.Listing", related_name="products", on_delete=fields.RESTRICT
    )
    is_active = fields.BooleanField(default=True)
    created_at = fields.DatetimeField()

    class Meta:
        table = "catalog_product"
        constraints = [
            CheckConstraint(check="kg_per_unit > 0", name="catalog_product_kg_positive"),
            CheckConstraint(check="price_xtr > 0", name="catalog_product_price_xtr_positive"),
            CheckConstraint(check="price_cents >= 0", name="catalog_product_price_cents_nonnegative"),
        ]
