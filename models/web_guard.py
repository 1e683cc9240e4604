"""What every MAA web page shares, whichever process serves it: the security headers, the CSRF
token rule and the session cookie's options. The desk (collector/desk) and the browser chat
(bot/chatweb) both import these; neither may import the other's package.
"""

import hashlib
from datetime import timedelta
from pathlib import Path
from typing import Any

# A session's life, the desk's and the browser chat's alike (collector/services/desk_auth.py
# enforces both; the chat's cookie lasts as long).
# Scripts both serve (passkeys): one copy, at /desk/shared/ and /chat/shared/.
WEB_STATIC = Path(__file__).parent / "web_static"

SESSION_IDLE = timedelta(minutes=30)
SESSION_ABSOLUTE = timedelta(hours=12)

HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'; "
        "form-action 'self'; base-uri 'none'; object-src 'none'"
    ),
    "Referrer-Policy": "no-referrer",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Cache-Control": "no-store",
}


def csrf_for(secret: str) -> str:
    # Derived from the session's secret: it changes with every session and needs no storage.
    return hashlib.sha256(("csrf:" + secret).encode()).hexdigest()


def cookie_options(*, secure: bool, path: str, max_age: int) -> dict[str, Any]:
    """A session cookie: never readable by scripts, not sent on other sites' posts."""
    return {"httponly": True, "samesite": "Lax", "secure": secure, "path": path, "max_age": max_age}
