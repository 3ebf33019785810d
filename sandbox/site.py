"""Starting an aiohttp app on a host and port (0: a free one) and learning its URL."""

from __future__ import annotations

from aiohttp import web


async def start_site(app: web.Application, host: str, port: int) -> tuple[web.AppRunner, str]:
    """Serve `app`; returns the runner (cleanup() stops it) and the URL it answers on."""
    runner = web.AppRunner(app, shutdown_timeout=2.0, access_log=None)
    await runner.setup()
    site = web.TCPSite(runner, host, port)
    await site.start()
    server = site._server  # noqa: SLF001 - aiohttp keeps the bound sockets here
    bound_port = server.sockets[0].getsockname()[1] if server and server.sockets else port
    shown_host = "127.0.0.1" if host in ("", "0.0.0.0") else host
    if ":" in shown_host:
        shown_host = f"[{shown_host}]"
    return runner, f"http://{shown_host}:{bound_port}"
