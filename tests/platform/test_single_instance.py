"""Single instance: a second launch hands its arguments to the first over a real local socket."""

from __future__ import annotations

import json
import os
import socket
import stat
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import PySide6.QtWidgets  # noqa: F401  (binding before qasync)
import pytest
from PySide6.QtCore import QCoreApplication, QEvent
from PySide6.QtNetwork import QLocalSocket
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from linkus_companion.platform import local_pipe, local_socket, single_instance
from linkus_companion.platform.single_instance import (
    AddressInUse,
    InstanceServer,
    claim,
    send,
    server_name,
)


@pytest.fixture(autouse=True, params=["stdlib", "qt"])
def transport(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Each test with the stdlib's Unix sockets (Linux, macOS) and Qt's local sockets (Windows' named
    pipes; here over a Unix socket): the same hand-over either way. Child processes use their own OS's."""
    monkeypatch.setattr(single_instance, "transport", local_pipe if request.param == "qt" else local_socket)
    return str(request.param)


@pytest.fixture
def name(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """A server name of this test's profile, in a short runtime dir."""
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(tmp_path))
    return server_name()


@pytest.fixture
def primary(name: str, qapp: QApplication) -> Iterator[InstanceServer]:
    server = claim([], name)
    assert server is not None
    yield server
    server.close()
    server.deleteLater()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)


def _raw_client(name: str, data: bytes) -> QLocalSocket:
    client = QLocalSocket()
    client.connectToServer(name)
    assert client.waitForConnected(1000)
    client.write(data)
    assert client.waitForBytesWritten(1000)
    return client


def test_name_is_per_profile_and_stable(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(tmp_path))
    first = server_name()
    assert first == server_name()
    assert Path(first).parent == tmp_path
    monkeypatch.setenv("LINKUS_COMPANION_HOME", str(tmp_path / "other-profile"))
    assert server_name() != first


@pytest.mark.parametrize("os_name", ["darwin", "win32"])
def test_name_fits_the_os_limits(os_name: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """macOS socket paths stop at 104 bytes (its $TMPDIR is already long); Windows wants a bare pipe name."""
    monkeypatch.setattr(tempfile, "tempdir", "/var/folders/zz/zyxvpxvq6csfxvn_n0000000000000/T")
    monkeypatch.setattr(sys, "platform", os_name)
    name = server_name()
    if os_name == "darwin":
        assert name.startswith("/var/folders/") and len(name.encode()) < 104
    else:
        assert "/" not in name and "\\" not in name and name.startswith("linkus-companion-")


def test_second_launch_hands_its_tel_url_to_the_first(
    primary: InstanceServer, name: str, qtbot: QtBot
) -> None:
    with qtbot.wait_signal(primary.got_args, timeout=3000) as blocker:
        assert claim(["tel:+15550100"], name) is None
    assert blocker.args == [["tel:+15550100"]]


def test_launch_without_arguments_asks_the_first_to_show_itself(
    primary: InstanceServer, name: str, qtbot: QtBot
) -> None:
    with qtbot.wait_signal(primary.got_args, timeout=3000) as blocker:
        assert claim([], name) is None
    assert blocker.args == [[]]


def test_socket_is_private_to_the_user(primary: InstanceServer, transport: str) -> None:
    if transport == "qt":
        pytest.skip("Windows keeps its pipe to the user with UserAccessOption")
    assert stat.S_IMODE(os.stat(primary.full_name).st_mode) == 0o700


def test_stale_socket_after_a_crash_is_replaced(name: str, qapp: QApplication, qtbot: QtBot) -> None:
    crashed = socket.socket(socket.AF_UNIX)
    crashed.bind(name)
    crashed.close()
    assert Path(name).exists()
    server = claim([], name)
    assert server is not None
    try:
        with qtbot.wait_signal(server.got_args, timeout=3000) as blocker:
            assert send(name, ["dial", "1001"])
        assert blocker.args == [["dial", "1001"]]
    finally:
        server.close()


def test_closed_primary_lets_the_next_launch_take_over(name: str, qapp: QApplication) -> None:
    server = claim([], name)
    assert server is not None
    server.close()
    assert not send(name, ["dial", "1001"])
    successor = claim([], name)
    assert successor is not None
    successor.close()


@pytest.mark.parametrize(
    "line",
    [b"not json\n", b'{"v": 2, "args": []}\n', b'{"v": 1, "args": [1, 2]}\n', b'["tel:1"]\n', b"\xff\xfe\n"],
)
def test_malformed_messages_are_dropped(
    primary: InstanceServer, name: str, qtbot: QtBot, line: bytes, caplog: pytest.LogCaptureFixture
) -> None:
    received: list[list[str]] = []
    primary.got_args.connect(received.append)
    client = _raw_client(name, line)
    qtbot.wait_until(lambda: "malformed" in caplog.text, timeout=3000)
    client.abort()
    assert received == []
    with qtbot.wait_signal(primary.got_args, timeout=3000):
        send(name, ["tel:1"])
    assert received == [["tel:1"]]


def test_oversized_message_is_cut_off(
    primary: InstanceServer, name: str, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(single_instance, "MAX_MESSAGE", 1024)
    client = _raw_client(name, b"x" * 4096)
    qtbot.wait_until(lambda: client.state() == QLocalSocket.LocalSocketState.UnconnectedState, timeout=3000)
    client.abort()


def test_silent_client_is_dropped_after_the_read_timeout(
    name: str, qapp: QApplication, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(single_instance, "READ_TIMEOUT_MS", 50)
    server = claim([], name)
    assert server is not None
    try:
        client = _raw_client(name, b'{"v": 1, "args"')
        qtbot.wait_until(
            lambda: client.state() == QLocalSocket.LocalSocketState.UnconnectedState, timeout=3000
        )
        client.abort()
    finally:
        server.close()


def test_racing_launch_retries_the_hand_off(
    name: str, qapp: QApplication, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two launches at once: ours lost the name to the other one, so it hands off after a pause."""
    attempts: list[list[str]] = []

    def send_second_time(_name: str, args: list[str]) -> bool:
        attempts.append(args)
        return len(attempts) == 2

    def taken(self: InstanceServer) -> None:
        raise AddressInUse("taken")

    monkeypatch.setattr(single_instance, "send", send_second_time)
    monkeypatch.setattr(InstanceServer, "listen", taken)
    monkeypatch.setattr(single_instance, "RETRY_SECONDS", 0)
    assert claim(["tel:1"], name) is None
    assert attempts == [["tel:1"], ["tel:1"]]


def test_race_with_an_unresponsive_holder_is_reported(
    name: str, qapp: QApplication, monkeypatch: pytest.MonkeyPatch
) -> None:
    def taken(self: InstanceServer) -> None:
        raise AddressInUse("Cannot listen: taken")

    monkeypatch.setattr(InstanceServer, "listen", taken)
    monkeypatch.setattr(single_instance, "RETRY_SECONDS", 0)
    with pytest.raises(AddressInUse, match="Cannot listen"):
        claim(["tel:1"], name)


def test_vanished_socket_is_recreated(primary: InstanceServer, name: str, qtbot: QtBot) -> None:
    os.unlink(primary.full_name)
    assert not send(name, ["tel:1"])
    primary.on_atime_timer()
    with qtbot.wait_signal(primary.got_args, timeout=3000):
        assert send(name, ["tel:1"])


def test_second_process_hands_off_and_exits(primary: InstanceServer, name: str, qtbot: QtBot) -> None:
    code = (
        "import sys\n"
        "from PySide6.QtCore import QCoreApplication\n"
        "from linkus_companion.platform.single_instance import claim\n"
        "app = QCoreApplication([])\n"
        "sys.exit(0 if claim(sys.argv[1:]) is None else 3)\n"
    )
    with qtbot.wait_signal(primary.got_args, timeout=10000) as blocker:
        done = subprocess.run(
            [sys.executable, "-c", code, "dial", "+1 555 0100"], timeout=30, check=False, capture_output=True
        )
    assert (done.returncode, done.stderr) == (0, b"")
    assert blocker.args == [["dial", "+1 555 0100"]]


_QASYNC_PRIMARY = """
import asyncio, json, socket, sys
import PySide6.QtWidgets
import qasync
from PySide6.QtWidgets import QApplication
from linkus_companion.platform.single_instance import claim

def send_raw(name):
    with socket.socket(socket.AF_UNIX) as client:
        client.connect(name)
        client.sendall(json.dumps({"v": 1, "args": ["tel:+15550100"]}).encode() + b"\\n")

async def main(name):
    server = claim([], name)
    received = asyncio.get_running_loop().create_future()
    server.got_args.connect(lambda args: received.done() or received.set_result(args))
    try:
        await asyncio.get_running_loop().run_in_executor(None, send_raw, name)
        return await asyncio.wait_for(received, 3)
    finally:
        server.close()

app = QApplication([])
with asyncio.Runner(loop_factory=lambda: qasync.QEventLoop(app)) as runner:
    print(json.dumps(runner.run(main(sys.argv[1]))))
"""


def test_hand_off_on_the_qasync_loop(name: str) -> None:
    """The primary receives through signals alone: a coroutine awaits them without a nested loop.

    It runs in its own process, as the app does: a closed qasync loop leaves Qt socket notifiers that
    would fire on descriptors later tests reuse.
    """
    done = subprocess.run(
        [sys.executable, "-c", _QASYNC_PRIMARY, name],
        capture_output=True,
        text=True,
        timeout=30,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == ["tel:+15550100"]


def _send_raw(name: str) -> None:
    """A second instance written without Qt: plain Unix socket, one JSON line."""
    with socket.socket(socket.AF_UNIX) as client:
        client.connect(name)
        client.sendall(json.dumps({"v": 1, "args": ["tel:+15550100"]}).encode() + b"\n")


_RACER = """
import sys
from PySide6.QtCore import QCoreApplication, QTimer
from linkus_companion.platform.single_instance import claim
app = QCoreApplication([])
server = claim(sys.argv[1:])
if server is None:
    sys.exit(0)
server.got_args.connect(lambda args: (print(*args), app.quit()))
QTimer.singleShot(10000, app.quit)
app.exec()
server.close()
sys.exit(10)
"""


def test_two_launches_at_the_same_moment_give_one_app(name: str) -> None:
    racers = [
        subprocess.Popen([sys.executable, "-c", _RACER, arg], stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        for arg in ("tel:1001", "tel:1002")
    ]
    results = sorted((racer.wait(timeout=30), *racer.communicate()) for racer in racers)
    assert [code for code, _, _ in results] == [0, 10]
    primary_output = results[1][1].decode().strip()
    assert primary_output in ("tel:1001", "tel:1002")
    assert all(err == b"" for _, _, err in results)
