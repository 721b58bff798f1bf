"""The sockets of one credential in this process, whose rights are re-checked together.

Every socket opened with the same credential (a session, a token) in a process joins its
credential's watch: one task re-checks them all (views.py), asking once whether the
credential stands and once per channel whether the user may read it, however many sockets
share them; a control message about the user wakes it through ``now``.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Coroutine
from typing import TYPE_CHECKING, Any

from ocp.realtime.credentials import Credential

if TYPE_CHECKING:  # the hub holds the watches
    from ocp.realtime.hub import Connection


class Watch:
    def __init__(self) -> None:
        self.connections: set[Connection] = set()
        self.now = asyncio.Event()  # set: re-check at once
        self.task: asyncio.Task[None] | None = None

    def open(self) -> list[Connection]:
        """Its sockets not closed yet."""
        return [c for c in self.connections if not c.closed]


Watcher = Callable[[Credential, Watch], Coroutine[Any, Any, None]]


class Watches:
    """This process's watches by credential: one starts with its first socket, ends with
    its last."""

    def __init__(self) -> None:
        self._by_credential: dict[Credential, Watch] = {}

    def join(self, credential: Credential, watcher: Watcher) -> Watch:
        watch = self._by_credential.get(credential)
        if watch is None:
            watch = self._by_credential[credential] = Watch()
            watch.task = asyncio.create_task(watcher(credential, watch))
        return watch

    def leave(self, credential: Credential, watch: Watch, connection: Connection) -> None:
        watch.connections.discard(connection)
        if not watch.connections and self._by_credential.get(credential) is watch:
            del self._by_credential[credential]
            if watch.task is not None:
                watch.task.cancel()

    def __len__(self) -> int:
        return len(self._by_credential)
