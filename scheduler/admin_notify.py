"""Operational reports (a source broke or recovered) to the admin chats.

Delivered through `alerts.admin.notify_admins` (escaping, splitting, rate limits), not through
the alert outbox, whose rows belong to events. `send` says whether the report is done with:
False only when admin chats are configured and none could be reached, so the health monitor
tries again at its next check instead of losing the report.
"""

from __future__ import annotations

import logging

from alerts.config import BotConfig
from alerts.transport import Transport

log = logging.getLogger("capwatch.health")


class AdminNotifier:
    def __init__(self, transport: Transport, chat_ids: list[int]) -> None:
        self.transport = transport
        self.chat_ids = chat_ids

    @classmethod
    def for_config(cls, config: BotConfig, transport: Transport) -> AdminNotifier:
        return cls(transport, list(config.admin_chat_ids))

    async def send(self, text: str) -> bool:
        from alerts.admin import notify_admins

        log.warning("%s", text)
        try:
            reached = await notify_admins(
                self.transport, self.chat_ids, text, title="capwatch source health"
            )
        except Exception as exc:  # a report must never break a crawl job
            log.warning("admin report failed: %s", exc)
            return False
        return reached > 0 or not self.chat_ids
