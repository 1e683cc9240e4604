"""Declare a route once, with its request and response models: aiohttp and OpenAPI both read it."""

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from aiohttp import web
from pydantic import BaseModel, TypeAdapter, ValidationError

from collector.auth import SESSION_HEADER, TELEGRAM_HEADER, Actor, Credentials, read_credentials
from collector.db import Database
from collector.errors import BadRequest, DomainError
from collector.keys import DB, SETTINGS
from collector.services.acting import acting
from models.validators import ID_MAX, OutOfRange, bad_text, parse_int, suspect_body


@dataclass
class Call:
    """What a handler gets: the request, the acting member and the validated body."""

    request: web.Request
    actor: Actor | None
    body: Any
    credentials: Credentials | None = None

    def param(self, name: str) -> str:
        return self.request.match_info[name]

    def int_param(self, name: str, *, low: int = 1, high: int = ID_MAX) -> int:
        """A number in the path: an id unless low/high say otherwise (one validator for all)."""
        return _number(self.request.match_info[name], name.replace("_", " "), low, high)

    def int_query(self, name: str, default: int, *, low: int = 1, high: int = ID_MAX) -> int:
        raw = self.request.query.get(name)
        return default if raw is None else _number(raw, name, low, high)


def _number(raw: str, name: str, low: int, high: int) -> int:
    try:
        return parse_int(raw, low=low, high=high)
    except OutOfRange:
        raise BadRequest(f"The {name} must be a whole number from {low} to {high}.") from None


class UnsupportedMediaType(DomainError):
    status, code = 415, "unsupported_media_type"


JSON = "application/json"
Handler = Callable[[Call], Awaitable[Any]]


@dataclass(eq=False)  # hashable by identity: the OpenAPI document is cached per app
class Endpoint:
    method: str
    path: str
    summary: str
    handler: Handler
    body: type[BaseModel] | None = None
    body_optional: bool = False  # a request without a body is fine (the handler gets None)
    response: Any = None
    status: int = 200
    auth: bool = True
    query: dict[str, str] = field(default_factory=dict)
    raw: bool = False  # the handler returns its own web.Response (files, documents)
    # False: the handler resolves the actor itself from `Call.credentials`, inside its own write
    # (the answer write: one transaction, on SQLite one hand-off to the writer thread).
    resolve: bool = True


def describe_validation(exc: ValidationError) -> str:
    parts = []
    for err in exc.errors()[:5]:
        where = ".".join(str(p) for p in err["loc"]) or "body"
        parts.append(f"{where}: {err['msg']}")
    return "; ".join(parts)


NUL_TEXT = "Text may not hold NUL characters or unpaired surrogates."
UNREADABLE_COMPRESSED = (
    "The request body could not be read: its compressed stream is broken or holds no JSON."
)


async def _body(request: web.Request, model: type[BaseModel]) -> BaseModel:
    if request.content_type != JSON:
        raise UnsupportedMediaType(f"Send the body as JSON, with 'Content-Type: {JSON}'.")
    try:
        raw = await request.read()
    except web.HTTPException:
        raise  # e.g. 413: the error middleware words it
    except Exception:
        # A broken gzip/deflate stream, or a body cut short: aiohttp fails while reading it.
        raise BadRequest("The request body could not be read.", code="unreadable_body") from None
    try:
        body = model.model_validate_json(raw)
    except ValidationError as exc:
        if any(err["type"] == "json_invalid" for err in exc.errors()):
            if request.headers.get("Content-Encoding", "identity").lower() != "identity":
                # aiohttp does not check that a br (or gzip) stream reached its end: a broken
                # stream may decode, without an error, to a body cut short. Whether that is
                # what happened cannot be told apart from a whole stream of non-JSON here.
                raise BadRequest(UNREADABLE_COMPRESSED, code="unreadable_body") from None
            raise BadRequest("The request body is not valid JSON.", code="invalid_json") from None
        raise BadRequest(f"The request body does not fit: {describe_validation(exc)}.") from None
    # One check for every text field of every body (PostgreSQL refuses NUL in text).
    if suspect_body(raw) and bad_text(body.model_dump()):
        raise BadRequest(NUL_TEXT, code="invalid_text")
    return body


def _check_address(request: web.Request) -> None:
    """Slugs, keys and query values are text too: the same rule as for the body."""
    if bad_text(dict(request.match_info)) or bad_text(list(request.query.values())):
        raise BadRequest(NUL_TEXT, code="invalid_text")


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


async def actor_for(db: Database, credentials: Credentials) -> Actor:
    """Who the request acts for; marks a member reachable again when the bot acts for them."""
    return await db.run(partial(acting, credentials=credentials))


def _wrap(endpoint: Endpoint) -> Callable[[web.Request], Awaitable[web.StreamResponse]]:
    adapter = TypeAdapter(endpoint.response) if endpoint.response is not None else None

    async def handle(request: web.Request) -> web.StreamResponse:
        actor = credentials = None
        if endpoint.auth:
            credentials = read_credentials(
                service_token=request.app[SETTINGS].service_token.get_secret_value(),
                authorization=request.headers.get("Authorization"),
                telegram_id=request.headers.get(TELEGRAM_HEADER),
                session=request.headers.get(SESSION_HEADER),
            )
            # Credentials before the body: the service token is checked above without the
            # database; a personal token is looked up now even where the handler resolves
            # the actor inside its own write (which checks it again, in that transaction).
            if endpoint.resolve or not credentials.service:
                actor = await actor_for(request.app[DB], credentials)
        _check_address(request)
        try:
            wanted = endpoint.body and (request.body_exists or not endpoint.body_optional)
            body = await _body(request, endpoint.body) if wanted else None
        except BadRequest:
            if credentials is not None and actor is None:
                await actor_for(request.app[DB], credentials)  # bad credentials: 401 first
            raise
        result = await endpoint.handler(Call(request, actor, body, credentials))
        if endpoint.raw:
            return result
        if adapter is not None and type(result) is endpoint.response:  # built by the service
            body = adapter.dump_json(result)
            return web.Response(body=body, status=endpoint.status, content_type=JSON)
        if adapter is None:
            payload = result
        else:
            payload = adapter.dump_python(adapter.validate_python(result), mode="json")
        return web.json_response(payload, status=endpoint.status)

    handle.__name__ = endpoint.handler.__name__
    return handle
