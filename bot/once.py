"""Whether an update is new: decided once per update, here.

Telegram delivers an update at least once. Each update the engine handles gets one `Once`, and
every part of the engine asks it rather than deciding for itself. The decision is made in one
of two ways, never both: an update that writes (an answer, a narrative part) carries its id in
that write, and the collector decides in the write's own transaction (`in_write`); any other
update is marked on the collector first (`first`). Either way the collector is asked at most
once per update. The console has no updates: `Once(None)` is always new.
"""

from typing import Protocol

from bot.client import CollectorError, CollectorUnavailable


class _Marks(Protocol):
    async def mark_update(self, update_id: int) -> bool: ...


class Once:
    def __init__(self, client: _Marks, update_id: int | None) -> None:
        self.client, self.update_id = client, update_id
        self._first: bool | None = None if update_id is not None else True
        self._carried = False

    async def first(self) -> bool:
        """False for an update handled before. Asks the collector at most once; after the id
        went into a write, that write's answer decided (its `repeat`), so this says True."""
        if self._first is None:
            if self._carried:
                return True
            try:
                assert self.update_id is not None
                self._first = await self.client.mark_update(self.update_id)
            except (CollectorUnavailable, CollectorError):
                self._first = True  # cannot tell: a repeated reply is better than none
        return self._first

    def in_write(self) -> int | None:
        """The update id for the one write this update makes (None once decided otherwise)."""
        if self._first is not None:
            return None
        self._carried = True
        return self.update_id
