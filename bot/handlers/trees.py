"""/trees: the trees a person's purchases planted, and /forest: a producer's plots.

/trees lists each order's trees (where, species, age, the CO2 their share of
the stand holds now) and sends a chart of their growth over time (matplotlib,
drawn in a thread). The wording keeps one tonne claimed once: the trees are
the buyer's contribution to a project whose growth is issued as credits to
its producer, never credits of the buyer's.

/forest (producers) lists their plots with buttons to harvest, replant and
request an issuance; a measurement and a loss carry numbers, so they are
typed: `/measure <plot> <m³/ha> <trees alive>`, `/loss <plot> <cause> <percent>`.
An operator approves issuance requests (`cccp forest approve`) until the
staff tools exist.

Milestones, plantings, harvests, replantings and losses reach buyers through
the outbox (topic trees); producers' reminders through it too (no topic).
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import CommandHandler, ContextTypes

from bot import menu
from bot.callbacks import Codec, part, whole
from bot.clock import now_of
from bot.feature import Command, Feature, Job, Wiring
from bot.i18n import N_, Translator
from bot.members import member
from bot.replies import answer
from bot.texts import error_text, texts_of
from core import reforestation
from core.errors import DomainError
from core.outbox import OutboxMessage
from core.reforestation import chart as charts
from core.reforestation.models import Plot
from core.users import UserRole

TREES_DESCRIPTION = N_("The trees your purchases planted")
FOREST_DESCRIPTION = N_("Your plots (producers)")
NO_TREES = N_(
    "No trees yet. Every purchase plants trees: {per_tonne} for each tonne, on a plot of a "
    "reforestation project. Send /buy to start."
)
TREES_TITLE = N_("🌳 Your trees")
TREES_LINE = N_(
    "• {trees} trees of {species} on {plot} ({location}): {age} years old, rotation {rotation}, "
    "holding about {kg} CO2 now; {absorbed} absorbed since planting"
)
TREES_WAITING = N_("• {trees} trees waiting: no plot has room yet; they are planted as soon as one has.")
TREES_CLAIM = N_(
    "These trees are your contribution to the project. Their growth is issued as credits to the "
    "project's producer; your own credits are the ones you bought."
)
CHART_TITLE = N_("Growth of your trees")
CHART_X = N_("years since planting")
CHART_Y = N_("t CO2 held")
CHART_STOCK = N_("estimated CO2 held")
CHART_HARVEST = N_("harvest and replanting")
CHART_CAPTION = N_("Estimated CO2 held by your trees on {plot}, from the growth model and the producer's measurements.")

NOT_A_PRODUCER = N_("Only producers manage plots.")
NO_PLOTS = N_("You have no plots yet. An operator registers them with `cccp forest add-plot`.")
PLOT_LINE = N_(
    "• Plot {id}: {name} ({location}), {species}, {area} ha, rotation {rotation} of {years} years, "
    "{status}, {age} years old, {alive} of {planted} trees alive; stock about {stock}, "
    "issued {issued} of at most {lta}"
)
FOREST_USAGE = N_(
    "Record a measurement with /measure <plot> <stem volume m³/ha> <trees alive>, "
    "a loss with /loss <plot> <fire|storm|pest|drought|other> <percent>."
)
MEASURE_USAGE = N_("Send it like this: /measure {plot} 180.5 1050 (plot, stem volume in m³ per hectare, trees alive).")
LOSS_USAGE = N_("Send it like this: /loss {plot} fire 30 (plot, cause: fire, storm, pest, drought or other, percent lost).")
MEASURED = N_("Measurement recorded for plot {plot}: stock now about {stock}, {alive} trees alive.")
HARVESTED = N_("Plot {plot} harvested (rotation {rotation}). Replant it with the button or /forest.")
REPLANTED = N_("Plot {plot} replanted: rotation {rotation}, {trees} trees.")
REQUESTED = N_("Issuance of {amount} requested for plot {plot} (request {id}). An operator approves it.")
LOSS_RECORDED = N_(
    "Loss recorded on plot {plot}: about {lost} of stock. Cancelled from the buffer pool: {cancelled}; "
    "shortfall beyond the buffer: {shortfall}."
)
HARVEST_BUTTON = N_("🪓 Harvest {id}")
REPLANT_BUTTON = N_("🌱 Replant {id}")
ISSUE_BUTTON = N_("📜 Request issuance {id}")
STATUS_WORDS = {
    "planted": N_("planted"), "growing": N_("growing"), "harvested": N_("harvested"), "lost": N_("lost"),
}

PLANTED_MESSAGE = N_(
    "🌱 Your purchase planted {trees} trees on {plot} ({location}). Send /trees to watch them grow."
)
MILESTONE_MESSAGE = N_(
    "🌳 Your {trees} trees on {plot} have absorbed {milestone} of CO2 so far (about {absorbed}). "
    "Send /trees for the chart."
)
HARVESTED_MESSAGE = N_(
    "🪓 The stand with your trees on {plot} reached the end of its rotation {rotation} and was harvested; "
    "it is replanted next."
)
REPLANTED_MESSAGE = N_("🌱 {plot} was replanted (rotation {rotation}); your trees grow again.")
LOSS_MESSAGE = N_(
    "🔥 {plot} lost {percent}% of its stand ({cause}). Credits it had issued are covered from the "
    "project's buffer pool; what is left of the stand grows on."
)
REMINDER_MESSAGE = {
    "issuance": N_("📜 Plot {plot_id} ({plot}) has grown since its last issuance: request one in /forest."),
    "harvest": N_("🪓 Plot {plot_id} ({plot}) has reached the end of its rotation: harvest it in /forest."),
    "replant": N_("🌱 Plot {plot_id} ({plot}) waits to be replanted: replant it in /forest."),
}
CAUSE_WORDS = {
    "fire": N_("fire"), "storm": N_("storm"), "pest": N_("pest"), "drought": N_("drought"), "other": N_("other"),
}
ERROR_TEXTS = {
    "unknown_plot": N_("There is no plot {plot}. /forest lists yours."),
    "not_the_producer": N_("That plot belongs to another producer's project."),
    "wrong_plot_state": N_("Plot {plot} cannot do that now ({status})."),
    "bad_measurement": N_("That number does not fit ({field}). Check it and send it again."),
    "nothing_to_issue": N_("Plot {plot} has nothing to issue: no growth since the last issuance, or it reached its long-term average."),
    "invalid_plot": N_("That plot cannot be registered ({field})."),
}

FOREST = Codec("forest")


@FOREST.kind("h")
@dataclass(frozen=True)
class HarvestPressed:
    plot: int = part(whole(1, 10**12))


@FOREST.kind("r")
@dataclass(frozen=True)
class ReplantPressed:
    plot: int = part(whole(1, 10**12))


@FOREST.kind("i")
@dataclass(frozen=True)
class IssuePressed:
    plot: int = part(whole(1, 10**12))


def _years(t: Translator, years: float) -> str:
    return t.number(round(years, 1), 1)


def trees_text(t: Translator, trees: list[reforestation.TreesView]) -> str:
    lines = [t(TREES_TITLE)]
    for view in trees:
        if view.plot_id is None:
            lines.append(t(TREES_WAITING, trees=view.trees))
        else:
            lines.append(t(
                TREES_LINE, trees=view.trees, species=view.species_name, plot=view.plot_name,
                location=view.location, age=_years(t, view.age_years), rotation=view.rotation,
                kg=t.kg(view.estimated_kg), absorbed=t.kg(view.absorbed_kg),
            ))
    lines += ["", t(TREES_CLAIM)]
    return "\n".join(lines)


async def trees_chart(t: Translator, user_trees: list[reforestation.TreesView], now: datetime) -> tuple[bytes, str] | None:
    planted = [v for v in user_trees if v.plot_id is not None]
    if not planted:
        return None
    first = planted[0]
    plot = await Plot.get(id=first.plot_id)
    trees_there = sum(v.trees for v in planted if v.plot_id == first.plot_id)
    points, harvests = await charts.stand_history(plot, first.planted_at, now, share=trees_there / plot.trees_planted)
    chart = charts.Chart(
        title=t(CHART_TITLE), x_label=t(CHART_X), y_label=t(CHART_Y),
        series=[charts.Series(t(CHART_STOCK), points)], harvests=harvests, harvest_label=t(CHART_HARVEST),
    )
    png = await asyncio.to_thread(charts.render, chart)
    return png, t(CHART_CAPTION, plot=first.plot_name)


async def show_trees(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    user, t = await member(update, context)
    if user is None:
        return
    now = now_of(context)
    await reforestation.plant_orders(now=now, user_id=user.id)
    mine = await reforestation.trees_of(user.id, now=now)
    chat = update.effective_chat
    if not mine:
        await chat.send_message(t(NO_TREES, per_tonne=reforestation.TREES_PER_TONNE))
        return
    await chat.send_message(trees_text(t, mine))
    drawn = await trees_chart(t, mine, now)
    if drawn is not None:
        png, caption = drawn
        await chat.send_photo(photo=png, caption=caption)


def plot_line(t: Translator, plot: reforestation.PlotView) -> str:
    return t(
        PLOT_LINE, id=plot.id, name=plot.name, location=plot.location, species=plot.species_name,
        area=t.number(plot.area_m2 / 10_000, 2), rotation=plot.rotation, years=plot.rotation_years,
        status=t(STATUS_WORDS.get(plot.status, plot.status)), age=_years(t, plot.age_years),
        alive=plot.trees_alive, planted=plot.trees_planted, stock=t.kg(plot.stock_kg),
        issued=t.kg(plot.net_issued_kg), lta=t.kg(plot.lta_kg),
    )


def plot_buttons(t: Translator, plot: reforestation.PlotView) -> list[InlineKeyboardButton]:
    if plot.status in ("harvested", "lost"):
        return [InlineKeyboardButton(t(REPLANT_BUTTON, id=plot.id), callback_data=FOREST.encode(ReplantPressed(plot.id)))]
    return [
        InlineKeyboardButton(t(ISSUE_BUTTON, id=plot.id), callback_data=FOREST.encode(IssuePressed(plot.id))),
        InlineKeyboardButton(t(HARVEST_BUTTON, id=plot.id), callback_data=FOREST.encode(HarvestPressed(plot.id))),
    ]


async def _producer(update: Update, context: ContextTypes.DEFAULT_TYPE):
    user, t = await member(update, context)
    if user is None:
        return None, t
    if not user.has_role(UserRole.PRODUCER):
        await answer(update)
        await update.effective_chat.send_message(t(NOT_A_PRODUCER))
        return None, t
    return user, t


async def show_forest(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    user, t = await _producer(update, context)
    if user is None:
        return
    plots = await reforestation.list_plots(producer_id=user.id, now=now_of(context))
    if not plots:
        await update.effective_chat.send_message(t(NO_PLOTS))
        return
    text = "\n".join([*(plot_line(t, p) for p in plots), "", t(FOREST_USAGE)])
    keyboard = InlineKeyboardMarkup([plot_buttons(t, p) for p in plots[:20]])
    await update.effective_chat.send_message(text, reply_markup=keyboard)


async def _act(update: Update, context: ContextTypes.DEFAULT_TYPE, action) -> None:
    user, t = await _producer(update, context)
    if user is None:
        return
    try:
        text = await action(user, t, now_of(context))
    except DomainError as error:
        await answer(update)
        await update.effective_chat.send_message(error_text(t, error, texts_of(context)))
        return
    await answer(update)
    await update.effective_chat.send_message(text)


async def on_harvest(update: Update, context: ContextTypes.DEFAULT_TYPE, pressed: HarvestPressed) -> None:
    async def act(user, t, now):
        plot = await reforestation.harvest(pressed.plot, by_user_id=user.id, now=now)
        return t(HARVESTED, plot=plot.id, rotation=plot.rotation)
    await _act(update, context, act)


async def on_replant(update: Update, context: ContextTypes.DEFAULT_TYPE, pressed: ReplantPressed) -> None:
    async def act(user, t, now):
        plot = await reforestation.replant(pressed.plot, by_user_id=user.id, now=now)
        return t(REPLANTED, plot=plot.id, rotation=plot.rotation, trees=plot.trees_planted)
    await _act(update, context, act)


async def on_issue(update: Update, context: ContextTypes.DEFAULT_TYPE, pressed: IssuePressed) -> None:
    async def act(user, t, now):
        request = await reforestation.request_issuance(pressed.plot, by_user_id=user.id, now=now)
        return t(REQUESTED, amount=t.kg(request.amount_kg), plot=request.plot_id, id=request.id)
    await _act(update, context, act)


def _whole(text: str) -> int | None:
    return int(text) if text.isdigit() and len(text) < 12 else None


async def measure(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/measure <plot> <m³/ha> <trees alive>."""
    args = context.args or []

    async def act(user, t, now):
        if len(args) != 3 or _whole(args[0]) is None or _whole(args[2]) is None:
            return t(MEASURE_USAGE, plot=args[0] if args and _whole(args[0]) else 1)
        volume = reforestation.parse_volume(args[1])
        key = f"bot:{update.effective_message.chat_id}:{update.effective_message.message_id}"
        plot = await reforestation.record_measurement(
            int(args[0]), by_user_id=user.id, volume_dm3_ha=volume, trees_alive=int(args[2]), key=key, now=now)
        return t(MEASURED, plot=plot.id, stock=t.kg(plot.stock_kg), alive=plot.trees_alive)
    await _act(update, context, act)


async def loss(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """/loss <plot> <cause> <percent>."""
    args = context.args or []

    async def act(user, t, now):
        percent = _whole(args[2].rstrip("%")) if len(args) == 3 else None
        if len(args) != 3 or _whole(args[0]) is None or percent is None or args[1].lower() not in reforestation.LOSS_CAUSES:
            return t(LOSS_USAGE, plot=args[0] if args and _whole(args[0]) else 1)
        key = f"bot:{update.effective_message.chat_id}:{update.effective_message.message_id}"
        done = await reforestation.record_loss(int(args[0]), by_user_id=user.id, cause=args[1].lower(),
                                               percent=percent, key=key, now=now)
        return t(LOSS_RECORDED, plot=done.plot_id, lost=t.kg(done.lost_kg), cancelled=t.kg(done.cancelled_kg),
                 shortfall=t.kg(done.shortfall_kg))
    await _act(update, context, act)


# ---- what core writes to the outbox (rendered at send time, in the person's language) ----

def _sender(text: str):
    async def send(bot: Bot, bot_data: Mapping, t: Translator, message: OutboxMessage) -> None:
        p = dict(message.params)
        if "milestone_kg" in p:
            p["milestone"] = t.kg(p["milestone_kg"])
            p["absorbed"] = t.kg(p["absorbed_kg"])
        if "cause" in p:
            p["cause"] = t(CAUSE_WORDS.get(p["cause"], p["cause"]))
        await bot.send_message(message.chat_id, t(text, **p))
    return send


async def _send_reminder(bot: Bot, bot_data: Mapping, t: Translator, message: OutboxMessage) -> None:
    p = message.params
    await bot.send_message(message.chat_id, t(REMINDER_MESSAGE[p["what"]], plot_id=p["plot_id"], plot=p["plot"]))


OUTBOX_RENDERERS = {
    "trees_planted": _sender(PLANTED_MESSAGE),
    "trees_milestone": _sender(MILESTONE_MESSAGE),
    "trees_harvested": _sender(HARVESTED_MESSAGE),
    "trees_replanted": _sender(REPLANTED_MESSAGE),
    "trees_loss": _sender(LOSS_MESSAGE),
    "forest_reminder": _send_reminder,
}


async def forest_job(context: ContextTypes.DEFAULT_TYPE) -> None:
    """What is due on the clock: plant waiting orders, milestones, producers' reminders."""
    await reforestation.tick(now_of(context))


def handlers(wiring: Wiring) -> list:
    return [
        CommandHandler("trees", show_trees),
        CommandHandler("forest", show_forest),
        CommandHandler("measure", measure),
        CommandHandler("loss", loss),
        FOREST.handler(HarvestPressed, on_harvest),
        FOREST.handler(ReplantPressed, on_replant),
        FOREST.handler(IssuePressed, on_issue),
    ]


FOREST_INTERVAL = timedelta(hours=1)

TREES_MENU = N_("🌳 My trees")
FOREST_MENU = N_("🌲 My forest")


FEATURE = Feature(
    name="trees",
    menu_items=[
        menu.MenuItem(TREES_MENU, show_trees, roles=frozenset({UserRole.CONSUMER.value}), order=40),
        menu.MenuItem(FOREST_MENU, show_forest, roles=frozenset({UserRole.PRODUCER.value}), order=30),
    ],
    handlers=handlers,
    commands=[
        Command("trees", TREES_DESCRIPTION, order=40),
        Command("forest", FOREST_DESCRIPTION, order=41),
    ],
    error_texts=ERROR_TEXTS,
    jobs=[Job("forest", forest_job, FOREST_INTERVAL)],
    outbox_renderers=OUTBOX_RENDERERS,
    codecs=[FOREST],
)
