"""Who may read a channel: the rule of the domain that owns its kind (``ocp/domains.py``)."""

from __future__ import annotations

from collections.abc import Mapping

from ocp.domains import ChannelRule
from ocp.users.models import Role, User


async def may_read(user: User, channel: str, rules: Mapping[str, ChannelRule]) -> bool:
    """A kind no domain rules is read by nobody; admins read every other channel; anyone else
    as the kind's rule says."""
    kind, _, ident = channel.partition(":")
    rule = rules.get(kind)
    if rule is None:
        return False
    if user.role == Role.ADMIN:
        return True
    return await rule(user, int(ident) if ident else 0)
