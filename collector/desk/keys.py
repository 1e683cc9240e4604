"""The desk's typed application keys."""

from aiohttp import web

from collector.desk.board_cache import BoardCache
from collector.desk.feed import ChangeFeed

FEED = web.AppKey("desk_feed", ChangeFeed)
BOARDS = web.AppKey("desk_boards", BoardCache)
