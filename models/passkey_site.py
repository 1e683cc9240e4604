"""Where a passkey works: the relying party (a host name) and the origins it accepts.

One rule for the desk (collector/desk) and the browser chat (bot/chatweb, on its own listener):
a passkey is bound to the desk's host (MAA_PUBLIC_URL), and a browser may use it on that host or
on any subdomain of it. So the chat can offer passkeys only when its address
(MAA_CHAT_PUBLIC_URL) is on the desk's host or a subdomain of it; and neither may be an IP
address, which browsers refuse as a relying party. The collector verifies with these origins;
the chat asks `chat_passkeys` before it offers the button.
"""

import ipaddress
from dataclasses import dataclass
from urllib.parse import urlsplit

from models.settings import Settings

DEFAULT_PORTS = {"http": 80, "https": 443}


@dataclass(frozen=True)
class RelyingParty:
    """The passkeys' host (`rp_id`) and every origin whose signed response is accepted."""

    rp_id: str
    origins: tuple[str, ...]

    @property
    def origin(self) -> str:
        """The desk's own origin (the first)."""
        return self.origins[0]


def origin_of(url: str) -> str:
    """scheme://host[:port] as a browser names it in a signed response (no default port)."""
    parts = urlsplit(url)
    scheme, host = parts.scheme or "http", (parts.hostname or "localhost").lower()
    if ":" in host:
        host = f"[{host}]"
    port = parts.port
    return (
        f"{scheme}://{host}"
        if port in (None, DEFAULT_PORTS.get(scheme))
        else (f"{scheme}://{host}:{port}")
    )


def _is_name(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return bool(host)
    return False


def chat_host_fits(chat_host: str, rp_id: str) -> bool:
    """The chat's host is the relying party's or a subdomain of it, both host names."""
    chat_host, rp_id = chat_host.lower(), rp_id.lower()
    if not (_is_name(chat_host) and _is_name(rp_id)):
        return False
    return chat_host == rp_id or chat_host.endswith("." + rp_id)


def relying_party(settings: Settings, asked: str | None = None) -> RelyingParty:
    """The desk's host from MAA_PUBLIC_URL (else `asked`, the address a desk page was asked
    for, else the collector's listen address); the chat's origin beside the desk's when the
    browser chat is on and its host fits."""
    desk = settings.public_url or asked or settings.collector_url
    rp_id = (urlsplit(desk).hostname or "localhost").lower()
    origins = [origin_of(desk)]
    chat_on = bool(settings.chat_listen or settings.chat_public_url)
    if chat_on and chat_host_fits(urlsplit(settings.chat_url).hostname or "", rp_id):
        chat = origin_of(settings.chat_url)
        if chat not in origins:
            origins.append(chat)
    return RelyingParty(rp_id=rp_id, origins=tuple(origins))


def chat_passkeys(settings: Settings) -> bool:
    """Whether the browser chat can offer passkeys with these settings (see the module)."""
    return origin_of(settings.chat_url) in relying_party(settings).origins
