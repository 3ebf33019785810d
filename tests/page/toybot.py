"""A small PTB bot that does everything the sandbox page must show, and a running page for it.

The page's own tests use it so that they do not depend on the real bot's texts: it
greets with a reply keyboard, answers /menu with inline buttons and edits the message
on a press, sends an invoice, a photo on payment, a document, and echoes the rest.
"""

from __future__ import annotations

import io
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

from aiohttp import web
from PIL import Image
from telegram import (
    BotCommand,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    LabeledPrice,
    ReplyKeyboardMarkup,
    Update,
)
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    PreCheckoutQueryHandler,
    filters,
)

from sandbox.botapi import BotApiServer
from sandbox.page import SandboxPage
from sandbox.site import start_site

TOKEN = "7000000001:TOY-SANDBOX"


def png_bytes(width: int = 60, height: int = 40, colour: tuple[int, int, int] = (0, 128, 0)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), colour).save(buffer, format="PNG")
    return buffer.getvalue()


async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Greet; with a deep-link payload, name it."""
    name = update.effective_user.first_name
    keyboard = ReplyKeyboardMarkup([["Balance", "Help"]], resize_keyboard=True)
    if context.args:
        await update.message.reply_text(f"{name} opened code {context.args[0]}", reply_markup=keyboard)
    else:
        await update.message.reply_text(f"Welcome, {name}! Try <b>/menu</b>.", parse_mode="HTML", reply_markup=keyboard)


async def menu(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Offer inline buttons."""
    markup = InlineKeyboardMarkup([
        [InlineKeyboardButton("Yes", callback_data="choice:yes"), InlineKeyboardButton("No", callback_data="choice:no")],
        [InlineKeyboardButton("Read more", url="https://example.org/cccp")],
    ])
    await update.message.reply_text("Shall we?", reply_markup=markup)


async def chosen(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Answer the press and edit the question in place."""
    query = update.callback_query
    choice = query.data.split(":", 1)[1]
    await query.answer(f"Pressed {choice}")
    await query.edit_message_text(f"You chose {choice}")


async def invoice(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Send a Stars invoice."""
    await update.message.reply_invoice(
        title="Offset 50 kg CO2e",
        description="Credits from a reforestation project",
        payload="buy:50",
        currency="XTR",
        prices=[LabeledPrice("50 kg CO2e", 25)],
    )


async def pre_checkout(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Accept every payment."""
    await update.pre_checkout_query.answer(ok=True)


async def paid(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Send a certificate picture for the payment."""
    await update.message.reply_photo(png_bytes(300, 200, (20, 110, 60)), caption="Your certificate")


async def document(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Send a document."""
    await update.message.reply_document(b"%PDF-1.4 labels", filename="labels.pdf")


async def photo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Say what size the photo is."""
    size = update.message.photo[-1]
    await update.message.reply_text(f"Got your photo ({size.width}x{size.height})")


async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Echo text."""
    await update.message.reply_text(f"You said: {update.message.text}")


async def set_commands(application: Application) -> None:
    await application.bot.set_my_commands([
        BotCommand("start", "Start again"),
        BotCommand("menu", "Buttons to press"),
        BotCommand("invoice", "Something to pay"),
        BotCommand("doc", "A file to download"),
    ])


def build_toy_application(server: BotApiServer) -> Application:
    application = (
        Application.builder()
        .token(TOKEN)
        .base_url(server.base_url)
        .base_file_url(server.base_file_url)
        .build()
    )
    application.add_handler(CommandHandler("start", start))
    application.add_handler(CommandHandler("menu", menu))
    application.add_handler(CommandHandler("invoice", invoice))
    application.add_handler(CommandHandler("doc", document))
    application.add_handler(CallbackQueryHandler(chosen, pattern=r"^choice:"))
    application.add_handler(PreCheckoutQueryHandler(pre_checkout))
    application.add_handler(MessageHandler(filters.SUCCESSFUL_PAYMENT, paid))
    application.add_handler(MessageHandler(filters.PHOTO, photo))
    application.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, echo))
    return application


@dataclass
class ToySandbox:
    url: str
    server: BotApiServer
    page: SandboxPage
    application: Application


@asynccontextmanager
async def toy_sandbox() -> AsyncIterator[ToySandbox]:
    """The page, the stand-in and the toy bot on one free port, as `cccp sandbox` serves them."""
    server = BotApiServer(TOKEN)
    app = web.Application()
    server.mount(app)
    page = SandboxPage(server)
    page.add_routes(app)
    runner, url = await start_site(app, "127.0.0.1", 0)
    server.url = url
    application = build_toy_application(server)
    try:
        async with application:
            await set_commands(application)
            await application.start()
            await application.updater.start_polling(poll_interval=0, timeout=10)
            server.attach_application(application)
            try:
                yield ToySandbox(url, server, page, application)
            finally:
                await server.stop()
                await application.updater.stop()
                await application.stop()
    finally:
        await runner.cleanup()
