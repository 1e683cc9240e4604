"""Typed application keys."""

from aiohttp import web

from collector.db import Database
from collector.metrics import Metrics
from collector.services.report_cache import ReportCache
from models.settings import Settings

SETTINGS = web.AppKey("settings", Settings)
DB = web.AppKey("db", Database)
ENDPOINTS = web.AppKey("endpoints", list)  # list[collector.api.routing.Endpoint]
METRICS = web.AppKey("metrics", Metrics)
REPORTS = web.AppKey("reports", ReportCache)  # the report and its drafts, per round
