"""Every server command reports a busy port in one line, without a traceback."""

from __future__ import annotations

import re
import socket
import subprocess
import sys
from collections.abc import Iterator

import pytest

from linkus_companion.ports import PortBusy, listening_socket
from linkus_companion.serving import start_server


@pytest.fixture
def taken() -> Iterator[int]:
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        yield int(holder.getsockname()[1])


def _refused(*command: str) -> list[str]:
    """The lines the command printed on stderr; it must exit with status 2."""
    done = subprocess.run(
        [sys.executable, "-m", "linkus_companion", *command], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 2
    return done.stderr.splitlines()


@pytest.mark.parametrize("command", [["sim", "pbx"], ["sim", "crm", "--kind", "hubspot"]])
def test_a_server_command_on_a_busy_port_says_so_in_one_line(taken: int, command: list[str]) -> None:
    assert _refused(*command, "--port", str(taken)) == [
        f"linkus-companion: port {taken} on 127.0.0.1 is already in use: stop the program using it or "
        "choose another port"
    ]


async def test_the_gateway_and_player_servers_raise_the_same_error(taken: int) -> None:
    with pytest.raises(PortBusy, match=re.escape(f"port {taken} on 127.0.0.1 is already in use")):
        await start_server(lambda *_: None, "127.0.0.1", taken)  # type: ignore[arg-type]


@pytest.mark.parametrize("port", ["99999", "-1"])
def test_a_port_out_of_range_says_so_in_one_line(port: str) -> None:
    assert _refused("sim", "pbx", "--port", port) == [
        f"linkus-companion: {port} is not a port number: choose one from 1 to 65535, or 0 for any free port"
    ]


def test_an_address_that_is_not_ours_is_named() -> None:
    with pytest.raises(PortBusy, match=re.escape("cannot listen on 192.0.2.1:0")):
        listening_socket("192.0.2.1", 0)
