"""A German and a French person, from sign-up to certificate through the local Bot API:
not one English sentence on the way (every text and button the bot shows is checked)."""

from __future__ import annotations

import re

import pytest

from tests.purchases.conftest import make_shop

# Words that only English sentences have (none is a German or French word: "Source",
# "Total", "Standard", "Name" and "in" are left out for that reason).
ENGLISH = {
    "the", "you", "your", "is", "are", "with", "this", "here", "please", "have", "has",
    "will", "was", "what", "which", "would", "choose", "credits", "certificate", "offset",
    "and", "for", "now", "buy", "retire", "retired", "pay", "done", "welcome", "where",
    "how", "many", "from", "to", "of", "on", "at", "it", "we", "our", "flight",
    "return", "economy", "passenger", "footprint", "sheet", "row",
    "cancel", "keep", "account", "someone", "else", "includes", "radiative",
    "forcing", "without", "understood", "rounded", "whole", "up", "reason", "project",
    "amount", "price", "check", "signature", "key", "image", "yes", "no",
}
FLOWS = {
    "de": dict(language_button="✓ Deutsch", accept="✅ Ich akzeptiere", done="Fertig",
               footprint="Flug FRA nach CDG hin und zurück", offset="✅ Jetzt ausgleichen",
               retire_prefix="🌱 Jetzt"),
    "fr": dict(language_button="✓ Français", accept="✅ J’accepte", done="Terminé",
               footprint="vol de Paris à Francfort aller-retour", offset="✅ Compenser maintenant",
               retire_prefix="🌱 Retirer"),
}


def english_sentences(texts: list[str], allowed: set[str]) -> list[str]:
    found = []
    for text in texts:
        for name in allowed:
            text = text.replace(name, " ")
        text = re.sub(r"https?://\S+|/\w+|\b[A-Z0-9]{3,}\b|\{[^}]*\}", " ", text)
        for sentence in re.split(r"[.!?\n•:;()]+", text):
            words = set(re.findall(r"[^\W\d_]+", sentence.lower()))
            hits = words & ENGLISH
            if hits:
                found.append(f"{sentence.strip()!r} ({', '.join(sorted(hits))})")
    return found


@pytest.mark.parametrize("language", ["de", "fr"])
async def test_sign_up_to_certificate_has_no_english_sentence(bot, language):
    flow = FLOWS[language]
    shop = await make_shop()
    texts: list[str] = []

    def keep(reply) -> None:
        for event in reply.events:
            if event.message is not None:
                texts.append(event.message.text or event.message.caption or "")
        texts.extend(person.keyboard_labels())

    person = bot.user("Zoé", language_code=language)
    keep(await person.send("/start"))
    keep(await person.press(flow["language_button"]))
    keep(await person.press(flow["accept"]))
    keep(await person.press(person.keyboard_labels()[0]))  # ☐ consumer, in the person's words
    keep(await person.press(flow["done"]))
    reply = await person.send(flow["footprint"])
    keep(reply)
    while not reply.text.startswith("🌍"):  # a city with several airports: the main one
        reply = await person.press(person.keyboard_labels()[0])
        keep(reply)
    assert "CDG" in reply.text and ("FRA" in reply.text)
    keep(await person.press(flow["offset"]))
    keep(await person.press(data=f"buy:item:{shop.listing.ref}"))
    retire = next(label for label in person.keyboard_labels() if label.startswith(flow["retire_prefix"]))
    keep(await person.press(retire))
    keep(await person.press(person.keyboard_labels()[0]))  # pay ... ⭐
    paid = await person.pay()
    assert paid.is_paid
    if paid.reply is not None:
        keep(paid.reply)
    certificate = await person.wait_for(lambda m: bool(m.photo))  # sent when drawn, through the outbox
    texts.extend(m.text or m.caption or "" for m in person.messages)
    assert re.search(r"/c/[A-Za-z0-9_-]+", certificate.caption), certificate.caption
    allowed = {shop.project.name, shop.project.methodology, "Defra", "Ember", "CO2e", "CO₂e",
               "Zoé", "Paris Charles de Gaulle", "Frankfurt am Main", "Factors by Category",
               "RF", "Stars", "⭐", "CCCP", "Trader", "Business", "Economy", "First", "Premium"}
    found = english_sentences(texts, allowed)
    assert not found, "\n".join(found)
    assert bot.unexpected_errors == 0
