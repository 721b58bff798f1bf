"""Control messages: tell every process's hub that someone's rights changed."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from redis.exceptions import RedisError

if TYPE_CHECKING:  # the bus module loads metrics, which the CLI's commands must not need
    from ocp.realtime.bus import Bus

log = logging.getLogger("ocp.bus")


async def rights_changed(bus: Bus, *, user_id: int) -> None:
    """Every socket of ``user_id``, in every process, re-checks its rights now.

    Call it after the change is committed. Best effort: when the bus is down the change
    still applies at the sockets' next periodic re-check.
    """
    try:
        await bus.publish_control({"user_id": user_id})
    except (RedisError, OSError) as error:
        log.warning("could not announce a rights change of user %s: %r", user_id, error)
