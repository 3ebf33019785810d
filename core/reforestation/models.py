"""Reforestation rows: plots, their measurements and events, issuance requests,
losses, and the tree orders that purchases turn into.

A Plot is one even-aged stand of one species in a reforestation project:
location, area (m², an integer), planting date, trees planted and alive, and
its rotation (years, chosen where the species' mean annual increment peaks,
stored so the "predetermined period" is explicit). It runs

    planted --first measurement or a year--> growing --rotation over--> harvested --replant--> planted ...
                          `--------- a total loss (fire, storm, pest) --> lost --replant--> planted

`rotation` counts the rotations (1 for the first); `calibration_ppm` scales
the species' curve to the producer's last measurement (10**6 = the curve as
published). Amounts are whole kg CO2e: `lta_kg` is the long-term average
stock across rotations (the issuance cap), `issued_kg` what was issued from
this plot (the buffer share included), `cancelled_kg` what losses cancelled
out of the buffer pool for it, `shortfall_kg` what a loss beyond the pool left.

A TreeOrder is a reduction order (a purchase, a code claim) turned into trees:
it waits while no plot has room, then names its plot.
"""

from __future__ import annotations

from enum import StrEnum

from tortoise import fields, models
from tortoise.migrations.constraints import CheckConstraint


class PlotStatus(StrEnum):
    PLANTED = "planted"
    GROWING = "growing"
    HARVESTED = "harvested"
    LOST = "lost"


class EventKind(StrEnum):
    PLANTED = "planted"
    MEASURED = "measured"
    HARVESTED = "harvested"
    REPLANTED = "replanted"
    LOSS = "loss"
    ISSUED = "issued"


class RequestStatus(StrEnum):
    REQUESTED = "requested"
    ISSUED = "issued"
    REFUSED = "refused"


class TreeOrderStatus(StrEnum):
    WAITING = "waiting"  # no plot had room yet
    PLANTED = "planted"


class Plot(models.Model):
    id = fields.BigIntField(primary_key=True)
    project = fields.ForeignKeyField("models.Project", related_name="plots", on_delete=fields.RESTRICT)
    name = fields.CharField(max_length=120)
    location = fields.CharField(max_length=200)
    country = fields.CharField(max_length=2)
    area_m2 = fields.BigIntField()
    species = fields.CharField(max_length=40)
    rotation_years = fields.SmallIntField()
    rotation = fields.IntField(default=1)
    planted_at = fields.DatetimeField()
    trees_planted = fields.IntField()
    trees_alive = fields.IntField()
    calibration_ppm = fields.BigIntField(default=1_000_000)
    status = fields.CharEnumField(PlotStatus, max_length=12, default=PlotStatus.PLANTED)
    lta_kg = fields.BigIntField()
    issued_kg = fields.BigIntField(default=0)
    cancelled_kg = fields.BigIntField(default=0)
    shortfall_kg = fields.BigIntField(default=0)
    last_issued_at = fields.DatetimeField(null=True)
    reminded_at = fields.DatetimeField(null=True)
    created_at = fields.DatetimeField()

    class Meta:
        table = "forest_plot"
        constraints = [
            CheckConstraint(check="area_m2 > 0", name="forest_plot_area_positive"),
            CheckConstraint(check="rotation_years > 0", name="forest_plot_rotation_positive"),
            CheckConstraint(
                check="trees_planted > 0 AND trees_alive >= 0 AND trees_alive <= trees_planted",
                name="forest_plot_trees_range",
            ),
            CheckConstraint(check="issued_kg >= 0 AND issued_kg - cancelled_kg <= lta_kg", name="forest_plot_issued_within_lta"),
            CheckConstraint(check="cancelled_kg >= 0 AND shortfall_kg >= 0", name="forest_plot_losses_nonnegative"),
        ]


class Measurement(models.Model):
    id = fields.BigIntField(primary_key=True)
    plot = fields.ForeignKeyField("models.Plot", related_name="measurements", on_delete=fields.RESTRICT)
    rotation = fields.IntField()
    measured_at = fields.DatetimeField()
    volume_dm3_ha = fields.BigIntField()  # stem volume, dm³ (litres) per hectare: an integer
    trees_alive = fields.IntField()
    by_user_id = fields.BigIntField()
    key = fields.CharField(max_length=200, unique=True)

    class Meta:
        table = "forest_measurement"
        constraints = [
            CheckConstraint(check="volume_dm3_ha >= 0 AND trees_alive >= 0", name="forest_measurement_ranges"),
        ]


class PlotEvent(models.Model):
    id = fields.BigIntField(primary_key=True)
    plot = fields.ForeignKeyField("models.Plot", related_name="events", on_delete=fields.RESTRICT)
    kind = fields.CharEnumField(EventKind, max_length=12)
    rotation = fields.IntField()
    at = fields.DatetimeField()
    stock_kg = fields.BigIntField(default=0)  # the stand's estimated stock at the event
    amount_kg = fields.BigIntField(default=0)  # issued, lost, harvested
    details = fields.JSONField(default=dict)
    key = fields.CharField(max_length=200, unique=True)

    class Meta:
        table = "forest_event"
        indexes = (("plot_id", "at"),)


class IssuanceRequest(models.Model):
    id = fields.BigIntField(primary_key=True)
    plot = fields.ForeignKeyField("models.Plot", related_name="requests", on_delete=fields.RESTRICT)
    amount_kg = fields.BigIntField()  # what was issuable when asked
    status = fields.CharEnumField(RequestStatus, max_length=12, default=RequestStatus.REQUESTED)
    requested_at = fields.DatetimeField()
    decided_at = fields.DatetimeField(null=True)
    issued_kg = fields.BigIntField(default=0)
    batch_id = fields.BigIntField(null=True)
    key = fields.CharField(max_length=200, unique=True)

    class Meta:
        table = "forest_issuance_request"
        constraints = [CheckConstraint(check="amount_kg > 0", name="forest_request_amount_positive")]


class Loss(models.Model):
    id = fields.BigIntField(primary_key=True)
    plot = fields.ForeignKeyField("models.Plot", related_name="losses", on_delete=fields.RESTRICT)
    cause = fields.CharField(max_length=16)
    share_ppm = fields.BigIntField()  # of the stand lost, parts per million
    lost_kg = fields.BigIntField()  # estimated stock lost
    reversal_kg = fields.BigIntField()  # of it, what had been issued as credits
    cancelled_kg = fields.BigIntField()  # cancelled out of the buffer pool
    shortfall_kg = fields.BigIntField()  # reversal the pool could not cover
    at = fields.DatetimeField()
    key = fields.CharField(max_length=200, unique=True)

    class Meta:
        table = "forest_loss"
        constraints = [
            CheckConstraint(check="share_ppm > 0 AND share_ppm <= 1000000", name="forest_loss_share_range"),
            CheckConstraint(check="reversal_kg = cancelled_kg + shortfall_kg", name="forest_loss_adds_up"),
        ]


class TreeOrder(models.Model):
    id = fields.BigIntField(primary_key=True)
    reduction_order_id = fields.BigIntField(unique=True)
    user_id = fields.BigIntField(db_index=True)
    amount_kg = fields.BigIntField()
    trees = fields.IntField()
    status = fields.CharEnumField(TreeOrderStatus, max_length=12, default=TreeOrderStatus.WAITING)
    plot = fields.ForeignKeyField("models.Plot", related_name="tree_orders", null=True, on_delete=fields.RESTRICT)
    milestone = fields.SmallIntField(default=0)  # how many MILESTONES_KG were announced
    fund_amount = fields.BigIntField(default=0)
    fund_currency = fields.CharField(max_length=3, default="")
    created_at = fields.DatetimeField()
    planted_at = fields.DatetimeField(null=True)

    class Meta:
        table = "forest_tree_order"
        indexes = (("status", "id"),)
        constraints = [CheckConstraint(check="trees > 0", name="forest_tree_order_trees_positive")]
