"""Why the gateway cannot be reached, as a sentence the user can act on (never a Python exception's name)."""

from __future__ import annotations

from linkus_companion.net_cause import Cause, cause_of
from linkus_companion.texts import Text


def unreachable(url: str, error: BaseException) -> Text:
    """The sentence for a connection to the gateway at `url` that failed with `error`."""
    cause = cause_of(error)
    if cause is Cause.CERTIFICATE:
        return Text(
            "The gateway at {url} did not prove its identity (its certificate is not trusted on this "
            "computer); ask your administrator.",
            url=url,
        )
    if cause is Cause.TLS:
        return Text(
            "The secure connection to the gateway at {url} failed; check the address in Settings with your "
            "administrator.",
            url=url,
        )
    if cause is Cause.ADDRESS:
        return Text(
            "The gateway's address {url} cannot be found; check it in Settings and that this computer is on "
            "the network.",
            url=url,
        )
    if cause is Cause.REFUSED:
        return Text(
            "Cannot reach the gateway at {url}: nothing answers there. Check that the gateway service runs "
            "and that the address in Settings is right.",
            url=url,
        )
    if cause is Cause.TIMEOUT:
        return Text(
            "The gateway at {url} does not answer in time; check the network connection (VPN, firewall) "
            "and try again.",
            url=url,
        )
    if cause is Cause.DROPPED:
        return Text("The connection to the gateway at {url} dropped; reconnecting.", url=url)
    if cause is Cause.HANDSHAKE:
        return Text(
            "The server at {url} did not accept the desktop connection (not a gateway, or a proxy is in the "
            "way); check the address in Settings.",
            url=url,
        )
    return Text(
        "Cannot reach the gateway at {url}; check the network connection and that the gateway service runs.",
        url=url,
    )
