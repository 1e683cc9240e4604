"""Requests no well-behaved client sends (raw bytes in headers, broken bodies), over a socket."""

import asyncio
import json
from typing import Any
from urllib.parse import urlsplit


async def raw_request(url: str, request: bytes) -> tuple[int, Any]:
    """Send `request` as it is to the server at `url`; the status and the JSON (or raw) body."""
    parts = urlsplit(url)
    reader, writer = await asyncio.open_connection(parts.hostname, parts.port)
    try:
        writer.write(request)
        await writer.drain()
        head = await reader.readuntil(b"\r\n\r\n")
        status = int(head.split(b" ", 2)[1])
        length = 0
        for line in head.split(b"\r\n")[1:]:
            name, _, value = line.partition(b":")
            if name.strip().lower() == b"content-length":
                length = int(value)
        body = await reader.readexactly(length) if length else b""
    finally:
        writer.close()
    try:
        return status, json.loads(body)
    except ValueError:
        return status, body


def http(method: str, path: str, headers: dict[str, bytes], body: bytes = b"") -> bytes:
    lines = [f"{method} {path} HTTP/1.1".encode(), b"Host: 127.0.0.1", b"Connection: close"]
    lines += [name.encode() + b": " + value for name, value in headers.items()]
    lines.append(f"Content-Length: {len(body)}".encode())
    return b"\r\n".join(lines) + b"\r\n\r\n" + body
