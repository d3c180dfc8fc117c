"""The reason a gateway cannot be reached names what to check, never the Python exception behind it."""

from __future__ import annotations

import socket
import ssl

import httpx
import pytest

from linkus_companion.gateway.unreachable import unreachable

URL = "https://gw.example.com"


def _wrapped(cause: BaseException) -> httpx.ConnectError:
    """`cause` as httpx raises it: a ConnectError whose cause is the socket's error."""
    try:
        try:
            raise cause
        except BaseException as inner:
            raise httpx.ConnectError("connect failed") from inner
    except httpx.ConnectError as outer:
        return outer


@pytest.mark.parametrize(
    ("cause", "says"),
    [
        (ConnectionRefusedError(111, "Connection refused"), "nothing answers there"),
        (socket.gaierror(-2, "Name or service not known"), "cannot be found"),
        (ssl.SSLCertVerificationError("certificate verify failed"), "certificate is not trusted"),
        (TimeoutError(), "does not answer in time"),
        (ConnectionResetError(104, "reset"), "dropped"),
        (OSError(101, "Network is unreachable"), "check the network connection"),
    ],
)
def test_each_failure_reads_as_what_to_check(cause: BaseException, says: str) -> None:
    sentence = unreachable(URL, _wrapped(cause))
    assert says in sentence and URL in sentence
    assert type(cause).__name__ not in sentence and "Error" not in sentence
