"""`maa serve`, `bot`, `chat`, `chat-web` and `demo`: the commands that keep running."""

import asyncio
from typing import Annotated

import typer

from collector.cli_common import fail, out, run, run_async, settings, tally_table
from models.service_token import with_service_token


def serve(
    host: Annotated[str | None, typer.Option("--host")] = None,
    port: Annotated[int | None, typer.Option("--port")] = None,
    no_bot: Annotated[bool, typer.Option("--no-bot", help="the collector alone")] = False,
) -> None:
    """Run the collector, and the bot too when MAA_TELEGRAM_TOKEN is set."""
    from collector.serve import serve_forever

    conf = with_service_token(settings())
    if host:
        conf.host = host
    if port is not None:
        conf.port = port
    run_async(conf, lambda: serve_forever(conf, with_bot=not no_bot))


def bot() -> None:
    """Run the bot alone; it reaches the collector at MAA_PUBLIC_URL."""
    conf = with_service_token(settings())
    if not conf.telegram_token.get_secret_value():
        fail("setting MAA_TELEGRAM_TOKEN: the bot needs a token")
    from bot.app import run_until
    from collector.serve import until_signalled

    asyncio.run(until_signalled(lambda stop: run_until(conf, stop)))


def chat(
    telegram_id: Annotated[int, typer.Option("--as", help="the member's Telegram user id")],
) -> None:
    """Walk the audit in the terminal, as that member, against the running collector."""
    from bot.console import run_console

    conf = with_service_token(settings())
    problem = asyncio.run(run_console(conf, telegram_id))
    if problem:
        fail(problem)


def chat_web(
    listen: Annotated[
        str | None, typer.Option("--listen", help="host:port (default MAA_CHAT_LISTEN)")
    ] = None,
) -> None:
    """Run the browser chat (/chat/) alone, no Telegram needed; it reaches the collector at
    MAA_PUBLIC_URL."""
    from bot.chatweb import serve_chat
    from collector.serve import until_signalled

    conf = with_service_token(settings())
    conf.chat_listen = listen or conf.chat_listen or "127.0.0.1:8090"
    asyncio.run(until_signalled(lambda stop: serve_chat(conf, stop)))


def demo(no_serve: Annotated[bool, typer.Option("--no-serve")] = False) -> None:
    """Load the demo round, write every report format to ./out/, print the tally, then serve."""
    from collector.demo import run_demo

    conf = with_service_token(settings())
    result = run(lambda c: run_demo(c))
    out.print(tally_table(result))
    out.print(f"Reports written to {conf.out_dir}/ (open cne-2024-overview.html in a browser).")
    if not no_serve:
        out.print(
            "Next: the API needs a token: `maa member add --name You --role coordinator`, then "
            "`maa token create --member ID`. Set MAA_TELEGRAM_TOKEN to run the bot as well."
        )
    if not no_serve:
        from collector.serve import serve_forever

        run_async(conf, lambda: serve_forever(conf, with_bot=True))
