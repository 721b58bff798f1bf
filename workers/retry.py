"""Retrying jobs when a dependency hiccups, with exponential backoff."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from typing import Any

from arq import Retry
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import TimeoutError as RedisTimeoutError
from tortoise.exceptions import DBConnectionError, OperationalError, TransactionManagementError

TRANSIENT = (
    DBConnectionError,
    OperationalError,
    TransactionManagementError,
    RedisConnectionError,
    RedisTimeoutError,
    ConnectionError,
    TimeoutError,
)


def backoff(job_try: int) -> float:
    """Seconds before try ``job_try + 1``: 1, 2, 4, ... up to a minute."""
    return float(min(60, 2 ** max(0, job_try - 1)))


@contextlib.asynccontextmanager
async def transient_failures_retry(ctx: dict[str, Any]) -> AsyncIterator[None]:
    """Turn a transient failure into arq's ``Retry`` with backoff (in-process: re-raise)."""
    try:
        yield
    except TRANSIENT as error:
        if "redis" in ctx and ctx.get("job_id") is not None:
            raise Retry(defer=backoff(int(ctx.get("job_try", 1)))) from error
        raise
