"""The OpenAPI 3 document, generated from the registered endpoints and their pydantic models."""

import re
from functools import cache
from typing import Any

from aiohttp import web
from pydantic import TypeAdapter

from collector.api.routing import Endpoint
from collector.keys import ENDPOINTS

REF = "#/components/schemas/{model}"
ERROR = {
    "type": "object",
    "required": ["error", "message"],
    "properties": {"error": {"type": "string"}, "message": {"type": "string"}},
}


def _schema(tp: Any, components: dict[str, Any]) -> dict[str, Any]:
    schema = TypeAdapter(tp).json_schema(ref_template=REF, mode="serialization")
    components.update(schema.pop("$defs", {}))
    title = schema.get("title")
    if schema.get("type") == "object" and title and not title.startswith("list"):
        components[title] = schema
        return {"$ref": REF.format(model=title)}
    return schema


def _operation(e: Endpoint, components: dict[str, Any]) -> dict[str, Any]:
    params = [
        {"name": name, "in": "path", "required": True, "schema": {"type": "string"}}
        for name in re.findall(r"{(\w+)}", e.path)
    ] + [
        {
            "name": name,
            "in": "query",
            "required": False,
            "description": text,
            "schema": {"type": "string"},
        }
        for name, text in e.query.items()
    ]
    ok: dict[str, Any] = {"description": "OK"}
    if e.response is not None:
        ok["content"] = {"application/json": {"schema": _schema(e.response, components)}}
    op: dict[str, Any] = {
        "summary": e.summary,
        "operationId": e.handler.__name__,
        "parameters": params,
        "responses": {
            str(e.status): ok,
            "4XX": {
                "description": "A problem with the request",
                "content": {"application/json": {"schema": {"$ref": REF.format(model="Error")}}},
            },
        },
    }
    if e.body is not None:
        op["requestBody"] = {
            "required": not e.body_optional,
            "content": {"application/json": {"schema": _schema(e.body, components)}},
        }
    op["security"] = [{"bearer": []}] if e.auth else []
    return op


@cache
def _build(endpoints: tuple[Endpoint, ...]) -> dict[str, Any]:
    components: dict[str, Any] = {"Error": ERROR}
    paths: dict[str, Any] = {}
    for e in endpoints:
        paths.setdefault(e.path, {})[e.method.lower()] = _operation(e, components)
    return {
        "openapi": "3.1.0",
        "info": {"title": "MAA collector", "version": "1"},
        "paths": paths,
        "components": {
            "schemas": components,
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
        },
    }


def document(app: web.Application) -> dict[str, Any]:
    return _build(tuple(app[ENDPOINTS]))
