"""The one list of domains, and what each one adds to the service.

Each domain package's ``__init__.py`` has ``domain() -> Domain`` (its imports inside, so that
importing a model never drags in the views). The app (routes, channel rules, file grants),
the ORM configuration (models), the worker and the embedded job queue (jobs) and the event
log (reactions) all read :func:`all_domains`. Adding a domain means a new package and one
line in ``DOMAINS``; docs/architecture.md shows an example.
"""

from __future__ import annotations

import importlib
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ocp.events.consumers import Consumer
    from ocp.events.reactions import Reaction
    from ocp.jobs import JobSpec
    from ocp.media.models import Upload
    from ocp.users.models import User
    from ocp.web.endpoint import Endpoint

DOMAINS: list[str] = [
    "ocp.events",
    "ocp.users",
    "ocp.media",
    "ocp.courses",
    "ocp.learning",
    "ocp.payments",
    "ocp.forum",
    "ocp.notifications",
    "ocp.analytics",
    "ocp.webhooks",
    "ocp.idempotency",
    "ocp.realtime",
]

ChannelRule = Callable[["User", int], Awaitable[bool]]
"""May this (non-admin) user read the channel ``<kind>:<id>``?"""
AccountField = Callable[["User"], Awaitable[object]]
"""A figure of the caller's own account (``GET /api/v1/users/me``) that a domain keeps."""
FileGrant = Callable[[Sequence["Upload"], "User | None"], Awaitable["tuple[int, bool] | None"]]
"""Of these ready uploads of one file, which may this caller download through this domain
(a lesson, a cover): ``(upload_id, public)`` or None."""


@dataclass(frozen=True)
class Domain:
    """What a domain adds: each part is optional."""

    name: str
    models: Sequence[str] = ()
    routes: Sequence[Endpoint] = ()
    jobs: Sequence[JobSpec] = ()
    reactions: Sequence[Reaction] = ()
    consumers: Sequence[Consumer] = ()
    channels: Mapping[str, ChannelRule] = field(default_factory=dict)
    file_grants: Sequence[FileGrant] = ()
    account_fields: Mapping[str, AccountField] = field(default_factory=dict)


@cache
def all_domains() -> tuple[Domain, ...]:
    """Every domain of ``DOMAINS``, in that order."""
    return tuple(importlib.import_module(path).domain() for path in DOMAINS)


def model_modules() -> list[str]:
    return [module for domain in all_domains() for module in domain.models]


def routes() -> list[Endpoint]:
    return [route for domain in all_domains() for route in domain.routes]


def jobs() -> list[JobSpec]:
    return [job for domain in all_domains() for job in domain.jobs]


def reactions() -> list[Reaction]:
    return [reaction for domain in all_domains() for reaction in domain.reactions]


def consumers() -> list[Consumer]:
    found = [consumer for domain in all_domains() for consumer in domain.consumers]
    names = [consumer.name for consumer in found]
    if len(names) != len(set(names)):
        raise ValueError(f"two consumers of the event log share a name: {sorted(names)}")
    return found


def channel_rules() -> dict[str, ChannelRule]:
    rules: dict[str, ChannelRule] = {}
    for domain in all_domains():
        for kind, rule in domain.channels.items():
            if kind in rules:
                raise ValueError(f"two domains rule the channel kind {kind!r}")
            rules[kind] = rule
    return rules


def file_grants() -> list[FileGrant]:
    return [grant for domain in all_domains() for grant in domain.file_grants]


def account_fields() -> dict[str, AccountField]:
    return {name: get for domain in all_domains() for name, get in domain.account_fields.items()}
