"""Which errors mean "a backing service is unavailable" (an answer of 503), not a bug (500).

An error counts when it, or an error it was raised from or while handling, says that the
database or Redis cannot be reached: refused or lost connections, a server shutting down or
refusing new connections, a closed pool, a SQLite file that cannot be opened.
"""

from __future__ import annotations

import errno
import socket
import sqlite3
from collections.abc import Iterator

import asyncpg
import redis.exceptions
import tortoise.exceptions

DATABASE = "database"
REDIS = "redis"
UNKNOWN = "a backing service"
MAX_CHAIN = 16  # links of __cause__/__context__ followed

# Errors of a connection that cannot be made or was lost, whatever the statement.
_POSTGRES_DOWN = (
    tortoise.exceptions.DBConnectionError,
    asyncpg.PostgresConnectionError,  # class 08: the connection failed or does not exist
    asyncpg.CannotConnectNowError,  # the server is starting up or shutting down
    asyncpg.AdminShutdownError,  # the server ended the connection (a stop, a terminate)
    asyncpg.CrashShutdownError,
    asyncpg.TooManyConnectionsError,
    # asyncpg's protocol met the server's "terminating connection" in the middle of a call
    asyncpg.exceptions.InternalClientError,
)
_CONNECT_ERRNOS = frozenset(
    {
        errno.ECONNREFUSED,
        errno.ECONNRESET,
        errno.ECONNABORTED,
        errno.EHOSTUNREACH,
        errno.ENETUNREACH,
        errno.ETIMEDOUT,
        errno.EADDRNOTAVAIL,
    }
)


def unavailable(error: BaseException) -> str | None:
    """The service ``error`` says is unreachable (``database``, ``redis`` or, for a bare
    socket error, ``a backing service``), or None when it is some other failure."""
    found: str | None = None
    for link in _chain(error):
        service = _classify(link)
        if service is not None and service != UNKNOWN:
            return service
        found = found or service
    return found


def _chain(error: BaseException) -> Iterator[BaseException]:
    seen: set[int] = set()
    link: BaseException | None = error
    while link is not None and id(link) not in seen and len(seen) < MAX_CHAIN:
        seen.add(id(link))
        yield link
        link = link.__cause__ or link.__context__


def _classify(error: BaseException) -> str | None:
    if isinstance(error, (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError)):
        return REDIS
    if isinstance(error, _POSTGRES_DOWN):
        return DATABASE
    if isinstance(error, asyncpg.ObjectNotInPrerequisiteStateError):
        # ALTER DATABASE ... ALLOW_CONNECTIONS false, or a database being dropped
        return DATABASE if "not currently accepting connections" in str(error) else None
    if isinstance(error, asyncpg.InterfaceError):
        return DATABASE if str(error).endswith(("pool is closed", "connection is closed")) else None
    if isinstance(error, sqlite3.OperationalError):
        return DATABASE if "unable to open" in str(error) else None
    if isinstance(error, (ConnectionError, socket.gaierror)):
        return UNKNOWN
    if isinstance(error, OSError) and (
        error.errno in _CONNECT_ERRNOS or "Connect call failed" in str(error)
    ):
        return UNKNOWN
    return None
