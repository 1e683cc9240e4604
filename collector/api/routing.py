"""Declare a route once, with its request and response models: aiohttp and OpenAPI both read it."""

import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field, replace
from typing import Any

from aiohttp import web
from pydantic import BaseModel, TypeAdapter, ValidationError

from collector.auth import TELEGRAM_HEADER, Actor, resolve_actor
from collector.errors import BadRequest
from collector.keys import DB, SETTINGS
from collector.services import members


@dataclass
class Call:
    """What a handler gets: the request, the acting member and the validated body."""

    request: web.Request
    actor: Actor | None
    body: Any

    def param(self, name: str) -> str:
        return self.request.match_info[name]

    def int_param(self, name: str) -> int:
        raw = self.request.match_info[name]
        if not raw.isdigit():
            raise BadRequest(f"'{raw}' is not a valid {name.replace('_', ' ')}: use a number.")
        return int(raw)


Handler = Callable[[Call], Awaitable[Any]]


@dataclass(eq=False)  # hashable by identity: the OpenAPI document is cached per app
class Endpoint:
    method: str
    path: str
    summary: str
    handler: Handler
    body: type[BaseModel] | None = None
    response: Any = None
    status: int = 200
    auth: bool = True
    query: dict[str, str] = field(default_factory=dict)
    raw: bool = False  # the handler returns its own web.Response (files, documents)


def describe_validation(exc: ValidationError) -> str:
    parts = []
    for err in exc.errors()[:5]:
        where = ".".join(str(p) for p in err["loc"]) or "body"
        parts.append(f"{where}: {err['msg']}")
    return "; ".join(parts)


async def _body(request: web.Request, model: type[BaseModel]) -> BaseModel:
    try:
        data = await request.json(loads=json.loads)
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise BadRequest("The request body is not valid JSON.", code="invalid_json") from None
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise BadRequest(f"The request body does not fit: {describe_validation(exc)}.") from None


class Api:
    """A registry of endpoints that becomes aiohttp routes and an OpenAPI document."""

    def __init__(self) -> None:
        self.endpoints: list[Endpoint] = []

    def route(
        self, method: str, path: str, summary: str, **options: Any
    ) -> Callable[[Handler], Handler]:
        def register(handler: Handler) -> Handler:
            self.endpoints.append(Endpoint(method, path, summary, handler, **options))
            return handler

        return register

    def include(self, other: "Api") -> None:
        self.endpoints.extend(other.endpoints)

    def aiohttp_routes(self) -> list[web.RouteDef]:
        return [web.route(e.method, e.path, _wrap(e)) for e in self.endpoints]


def _wrap(endpoint: Endpoint) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
    adapter = TypeAdapter(endpoint.response) if endpoint.response is not None else None

    async def handle(request: web.Request) -> web.StreamResponse:
        actor = None
        if endpoint.auth:
            settings = request.app[SETTINGS]
            async with request.app[DB].read() as session:
                actor = await resolve_actor(
                    session,
                    service_token=settings.service_token.get_secret_value(),
                    authorization=request.headers.get("Authorization"),
                    telegram_id=request.headers.get(TELEGRAM_HEADER),
                )
            if not actor.reachable:
                # The bot only acts for a member when they message it, so they have unblocked
                # it: reminders may reach them again. A write only on this rare change.
                async with request.app[DB].write() as session:
                    await members.mark_reachable(session=session, actor=actor)
                actor = replace(actor, reachable=True)
        body = await _body(request, endpoint.body) if endpoint.body else None
        result = await endpoint.handler(Call(request, actor, body))
        if endpoint.raw:
            return result
        payload = (
            adapter.dump_python(adapter.validate_python(result), mode="json") if adapter else result
        )
        return web.json_response(payload, status=endpoint.status)

    handle.__name__ = endpoint.handler.__name__
    return handle
