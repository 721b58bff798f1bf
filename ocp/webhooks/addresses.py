"""Where webhooks may go: ``https://`` URLs whose host resolves only to public addresses.

The check runs when an endpoint is registered or its URL changed, and again on every
delivery, where the resolver below is the one the connection uses: the addresses checked are
the addresses connected to, so a name that changes its answer in between (DNS rebinding)
cannot slip through. ``OCP_WEBHOOKS_ALLOW_PRIVATE=true`` lifts both rules (development and
tests: a receiver on this machine over plain HTTP).
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket

from aiohttp.abc import AbstractResolver, ResolveResult
from aiohttp.resolver import ThreadedResolver
from yarl import URL

MAX_URL = 2048
RESOLVE_TIMEOUT = 5.0  # seconds a registration waits for DNS


class AddressRefused(OSError):
    """A webhook URL that may not be called; the message says why, for people."""


# IPv6 ranges that carry or translate IPv4 (and so may reach a private IPv4 address through a
# gateway), or that are deprecated: Python's ``is_global`` takes some of them for global.
_IPV6_REFUSED = tuple(
    ipaddress.IPv6Network(network)
    for network in (
        "64:ff9b::/96",  # NAT64 (64:ff9b::a9fe:a9fe is 169.254.169.254 behind the gateway)
        "64:ff9b:1::/48",  # local-use NAT64
        "::/96",  # IPv4-compatible (deprecated)
        "::ffff:0:0:0/96",  # IPv4-translated
        "fec0::/10",  # site-local (deprecated)
    )
)


def is_public(address: str) -> bool:
    """A global unicast address: not loopback, private, link-local (the cloud metadata
    service's 169.254.169.254 among them), shared, multicast, reserved or unspecified, nor an
    IPv6 address that stands for an IPv4 one (NAT64, compatible, translated)."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address):
        if ip.teredo is not None or any(ip in network for network in _IPV6_REFUSED):
            return False
        embedded = ip.ipv4_mapped or ip.sixtofour
        if embedded is not None:
            return is_public(str(embedded))
    return ip.is_global and not ip.is_multicast


def _literal(host: str) -> str | None:
    try:
        return str(ipaddress.ip_address(host.strip("[]")))
    except ValueError:
        return None


def parse(raw: str, *, allow_private: bool) -> URL:
    """The URL if its form is allowed: https (http too when private is allowed), a host, no
    credentials. Raises :class:`AddressRefused`."""
    if len(raw) > MAX_URL:
        raise AddressRefused(f"The URL is longer than {MAX_URL} characters")
    try:
        url = URL(raw)
    except ValueError:
        raise AddressRefused("Not a URL") from None
    schemes = {"https", "http"} if allow_private else {"https"}
    if url.scheme not in schemes or not url.host or not url.is_absolute():
        raise AddressRefused("The URL must be https:// with a host name")
    if url.user is not None or url.password is not None:
        raise AddressRefused("The URL must not carry a user name or password")
    if url.fragment:
        raise AddressRefused("The URL must not have a #fragment")
    if len(str(url)) > MAX_URL:
        raise AddressRefused(f"The URL is longer than {MAX_URL} characters once encoded")
    return url


async def check(url: URL, *, allow_private: bool) -> None:
    """Every address ``url``'s host resolves to is public (or private ones are allowed).
    Raises :class:`AddressRefused`."""
    if allow_private:
        return
    host = url.raw_host or ""
    literal = _literal(host)
    if literal is not None:
        addresses = [literal]
    else:
        try:
            async with asyncio.timeout(RESOLVE_TIMEOUT):
                found = await asyncio.get_running_loop().getaddrinfo(
                    host, url.port or 443, type=socket.SOCK_STREAM
                )
        except (OSError, UnicodeError, TimeoutError):
            raise AddressRefused(f"The host {host} does not resolve") from None
        addresses = [str(info[4][0]) for info in found]
    refused = sorted({address for address in addresses if not is_public(address)})
    if refused:
        raise AddressRefused(
            f"The host {host} resolves to an address that is not public ({', '.join(refused)})"
        )


class PublicResolver(AbstractResolver):
    """aiohttp's resolver that refuses a name with any address that is not public."""

    def __init__(self, *, allow_private: bool) -> None:
        self._inner = ThreadedResolver()
        self._allow_private = allow_private

    async def resolve(
        self, host: str, port: int = 0, family: socket.AddressFamily = socket.AF_INET
    ) -> list[ResolveResult]:
        found = await self._inner.resolve(host, port, family)
        if not self._allow_private:
            refused = sorted({r["host"] for r in found if not is_public(r["host"])})
            if refused:
                raise AddressRefused(
                    f"{host} resolves to an address that is not public ({', '.join(refused)})"
                )
        return found

    async def close(self) -> None:
        await self._inner.close()


def literal_refused(url: URL, *, allow_private: bool) -> str | None:
    """Why a URL whose host is an IP literal may not be called (aiohttp does not ask the
    resolver about those), or None."""
    literal = _literal(url.raw_host or "")
    if allow_private or literal is None or is_public(literal):
        return None
    return f"{literal} is not a public address"
