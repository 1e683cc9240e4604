"""The desk's typed application keys."""

from aiohttp import web

from collector.desk.feed import ChangeFeed

FEED = web.AppKey("desk_feed", ChangeFeed)
