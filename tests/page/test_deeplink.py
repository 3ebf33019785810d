"""The deep-link field reads what a phone camera would open."""

import pytest

from sandbox.page import DeepLinkError, start_command

BOT = "cccp_sandbox_bot"


@pytest.mark.parametrize(
    ("link", "command"),
    [
        ("https://t.me/cccp_sandbox_bot?start=CCCP-7F3K", "/start CCCP-7F3K"),
        ("t.me/cccp_sandbox_bot?start=abc_123", "/start abc_123"),
        ("  https://telegram.me/CCCP_Sandbox_Bot?start=x  ", "/start x"),
        ("tg://resolve?domain=cccp_sandbox_bot&start=code42", "/start code42"),
        ("https://t.me/cccp_sandbox_bot", "/start"),
        ("CCCP-7F3K", "/start CCCP-7F3K"),
    ],
)
def test_links_and_bare_codes_become_a_start_command(link, command):
    assert start_command(link, BOT) == command


@pytest.mark.parametrize(
    ("link", "reason"),
    [
        ("", "Paste a link"),
        ("https://t.me/other_bot?start=abc", "@other_bot"),
        ("https://example.org/?start=abc", "not a Telegram link"),
        ("has spaces", "64 letters"),
        ("x" * 65, "64 letters"),
        ("https://t.me/cccp_sandbox_bot?start=a%20b", "64 letters"),
    ],
)
def test_anything_else_is_refused_with_a_reason(link, reason):
    with pytest.raises(DeepLinkError, match=reason):
        start_command(link, BOT)
