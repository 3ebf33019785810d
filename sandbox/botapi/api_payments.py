"""The stand-in's payment methods: invoices, pre-checkout, Telegram Stars."""

from __future__ import annotations

import re
from typing import Any

from . import errors, events
from .errors import bad_request
from .params import Params
from .state import Invoice

# The test card provider: card invoices with this token are paid with a sandbox card (the
# page's Pay button); no money moves. Telegram's own test tokens have the same form.
TEST_CARD_PROVIDER_TOKEN = "1000000000:TEST:cccp-sandbox-card"

MAX_INVOICE_PAYLOAD_BYTES = 128


class PaymentMethods:
    """Invoices, pre-checkout answers, Stars refunds and transactions (a BotApiServer mixin)."""

    # ---- payments ------------------------------------------------------------------------

    async def _api_sendInvoice(self, params: Params) -> dict[str, Any]:
        user = self._chat_to_write(params)
        title = params.str("title") or ""
        description = params.str("description") or ""
        payload = params.str("payload") or ""
        currency = params.str("currency") or ""
        provider_token = params.str("provider_token") or ""
        prices = params.json("prices", error="can't parse prices JSON object")
        if not 1 <= len(title) <= 32:
            raise bad_request("TITLE_INVALID" if title else "parameter \"title\" is required")
        if not 1 <= len(description) <= 255:
            raise bad_request("DESCRIPTION_INVALID")
        if not 1 <= len(payload.encode()) <= MAX_INVOICE_PAYLOAD_BYTES:
            raise bad_request("INVOICE_PAYLOAD_INVALID")
        if not re.fullmatch(r"[A-Z]{3}", currency):
            raise bad_request("CURRENCY_INVALID")
        if not isinstance(prices, list) or not prices or not all(
            isinstance(p, dict) and isinstance(p.get("label"), str) and str(p.get("amount", "")).lstrip("-").isdigit()
            for p in prices
        ):
            raise bad_request("can't parse prices JSON object")
        if currency == "XTR":
            # Stars: no payment provider, exactly one price, no tips.
            if provider_token:
                raise bad_request("PAYMENT_PROVIDER_INVALID")
            if len(prices) != 1 or params.int("max_tip_amount", 0):
                raise bad_request("STARS_INVOICE_INVALID")
        elif ":TEST:" not in provider_token:
            # Only test providers here: Telegram's test tokens read "<id>:TEST:<secret>", as
            # TEST_CARD_PROVIDER_TOKEN does; a live token is refused, as no money can move.
            raise bad_request("PAYMENT_PROVIDER_INVALID")
        elif params.bool("need_shipping_address", False) or params.bool("is_flexible", False):
            raise bad_request("this test card provider sells nothing that ships")
        invoice = Invoice(
            chat_id=user.id,
            message_id=0,
            title=title,
            description=description,
            payload=payload,
            provider_token=provider_token,
            currency=currency,
            prices=[{"label": p["label"], "amount": int(p["amount"])} for p in prices],
        )
        if invoice.total_amount <= 0:
            raise bad_request("CURRENCY_TOTAL_AMOUNT_INVALID")
        public = {
            "title": title,
            "description": description,
            "start_parameter": params.str("start_parameter") or "",
            "currency": currency,
            "total_amount": invoice.total_amount,
        }
        result = self._send(user, params, events.INVOICE_SENT, invoice=public)
        invoice.message_id = result["message_id"]
        self.invoices[(user.id, invoice.message_id)] = invoice
        return result

    async def _api_answerPreCheckoutQuery(self, params: Params) -> bool:
        query = self.pre_checkouts.get(params.str("pre_checkout_query_id") or "")
        if query is None or query.answer is not None:
            raise bad_request(errors.QUERY_TOO_OLD)
        is_ok = params.bool("ok")
        error_message = params.str("error_message")
        if not is_ok and not error_message:
            raise bad_request("ERROR_MESSAGE_EMPTY")
        query.answer = {"pre_checkout_query_id": query.id, "ok": is_ok, "error_message": error_message}
        self._publish(events.PRE_CHECKOUT_ANSWERED, query.user_id, dict(query.answer))
        return True

    async def _api_refundStarPayment(self, params: Params) -> bool:
        user_id = params.int("user_id", error="USER_ID_INVALID")
        if user_id not in self.users:
            raise bad_request("USER_ID_INVALID")
        payment = self.payments.get(params.str("telegram_payment_charge_id") or "")
        if payment is None or payment.user_id != user_id or payment.currency != "XTR":
            raise bad_request("CHARGE_NOT_FOUND")
        if payment.is_refunded:
            raise bad_request("CHARGE_ALREADY_REFUNDED")
        payment.is_refunded = True
        self.star_transactions.append((payment, True, self._now()))
        self._publish(
            events.REFUND,
            user_id,
            {
                "telegram_payment_charge_id": payment.telegram_payment_charge_id,
                "currency": payment.currency,
                "total_amount": payment.total_amount,
                "invoice_payload": payment.invoice_payload,
            },
        )
        return True


    async def _api_getStarTransactions(self, params: Params) -> dict[str, Any]:
        """The bot's Stars transactions in chronological order: payments in, refunds out."""
        offset = max(params.int("offset", 0) or 0, 0)
        limit = min(max(params.int("limit", 100) or 100, 1), 100)
        transactions = []
        for payment, is_refund, date in self.star_transactions[offset:offset + limit]:
            user = self.users.get(payment.user_id)
            partner = {"type": "user", "transaction_type": "invoice_payment",
                       "user": user.to_api() if user else {"id": payment.user_id, "is_bot": False, "first_name": "?"}}
            if not is_refund:
                partner["invoice_payload"] = payment.invoice_payload
            transactions.append({
                "id": payment.telegram_payment_charge_id, "amount": payment.total_amount, "date": date,
                ("receiver" if is_refund else "source"): partner,
            })
        return {"transactions": transactions}
