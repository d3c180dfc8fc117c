"""Logs: rotating files in the log dir, every form of secret redacted, crashes logged and shown to the user."""

from __future__ import annotations

import asyncio
import logging
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from types import TracebackType

import pytest

from linkus_companion import paths, redaction
from linkus_companion.platform import logs
from linkus_companion.platform.logs import CrashReporter, open_logs_folder
from linkus_companion.redaction import Redactor, redact

JWT = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMDAxIn0.c2lnbmF0dXJlLXNpZ25hdHVyZQ"


@pytest.fixture
def root_logging() -> Iterator[None]:
    """Undo setup(): our handlers off the root logger, its level back."""
    root = logging.getLogger()
    level = root.level
    yield
    logs._remove_ours(root)
    root.setLevel(level)


@pytest.mark.parametrize(
    ("text", "secret"),
    [
        ("GET wss://pbx:8088/openapi/v1.0/subscribe?access_token=Ab12Cd34 HTTP/1.1", "Ab12Cd34"),
        ("POST /token refresh_token=rt-99887766&grant_type=refresh_token", "rt-99887766"),
        ("client_id=abc&client_secret=s3cr3t-value&code=x", "s3cr3t-value"),
        ('{"access_token": "tok-0a1b2c3d", "token_type": "Bearer"}', "tok-0a1b2c3d"),
        ('{"refresh_token":"1000.aa.bb", "expires_in": 3600}', "1000.aa.bb"),
        ("{'client_secret': 'py-repr-secret'}", "py-repr-secret"),
        ("Tokens(access_token='dc-access-1', refresh_token=\"dc-refresh-2\")", "dc-access-1"),
        ("Tokens(access_token='dc-access-1', refresh_token=\"dc-refresh-2\")", "dc-refresh-2"),
        ('{"username": "client-id", "password": "Yeastar-Secret-1"}', "Yeastar-Secret-1"),
        ("Authorization: Bearer abc.def.ghi", "abc.def.ghi"),
        ("authorization: Zoho-oauthtoken 1000.zz", "1000.zz"),
        ("Authorization: Basic dXNlcjpwYXNz", "dXNlcjpwYXNz"),
        ("headers={'Authorization': 'Bearer hdr-token-1'}", "hdr-token-1"),
        ("sending Bearer loose-token-42 upstream", "loose-token-42"),
        (f"gateway token {JWT} accepted", JWT),
        (
            "private app pat-na1-0f9e8d7c-1234-4abc-9def-001122334455 used",
            "0f9e8d7c-1234-4abc-9def-001122334455",
        ),
        ("zoho 1000." + "a" * 32 + "." + "b" * 32 + " ok", "a" * 32),
        ("sf session 00D5g000004ABCD!AQoAQH.x_y-z in use", "AQoAQH.x_y-z"),
        ("GET https://api.hubapi.com/oauth/v1/access-tokens/CJx1-abc 200", "CJx1-abc"),
        ("redirect ?code=auth-code-77&state=s", "auth-code-77"),
        ("cannot reach postgresql://gw:s3cret-pw@db.example:5432/linkus; retrying", "s3cret-pw"),
        ("proxy https://me:pa55@proxy.example:3128 refused", "pa55"),
    ],
)
def test_every_secret_form_is_masked(text: str, secret: str) -> None:
    cleaned = redact(text)
    assert secret not in cleaned
    assert "***" in cleaned


@pytest.mark.parametrize(
    "text",
    [
        '{"errcode": 0, "errmsg": "SUCCESS", "token_type": "Bearer", "expires_in": 1800}',
        "call 1001 -> +15550100 ended after 42 s",
        "GET https://api.hubapi.com/crm/v3/objects/contacts/search 200",
        "PBX https://127.0.0.1:8088/openapi/v1.0 and sip:1001@pbx.example reachable",
    ],
)
def test_ordinary_text_is_left_readable(text: str) -> None:
    assert redact(text) == text


def test_library_loggers_mask_every_secret_form(caplog: pytest.LogCaptureFixture) -> None:
    redaction.install()
    with caplog.at_level(logging.INFO, logger="httpx"):
        logging.getLogger("httpx").info("HTTP Request: GET %s with Bearer %s", "https://h/x", JWT)
    assert JWT not in caplog.text and "Bearer ***" in caplog.text


def test_registered_secret_values_are_masked_anywhere() -> None:
    redactor = Redactor()
    redactor.add("PbxClientSecret9")
    redactor.add("ab")
    assert redactor("login failed for PbxClientSecret9: 401; ab") == "login failed for ***: 401; ab"


def test_log_file_in_the_log_dir_has_secrets_masked_even_in_tracebacks(root_logging: None) -> None:
    log_file = logs.setup()
    assert log_file.parent == paths.log_dir()
    log = logging.getLogger("linkus_companion.pbx.client")
    log.info("token refreshed: %s", {"access_token": "in-args-123"})
    try:
        raise RuntimeError("GET https://pbx/api?access_token=in-traceback-456 failed")
    except RuntimeError:
        log.exception("request failed")
    logging.getLogger("httpx").warning("HTTP Request: GET https://x/?refresh_token=lib-789")
    text = log_file.read_text(encoding="utf-8")
    assert "token refreshed" in text and "request failed" in text and "HTTP Request" in text
    for secret in ("in-args-123", "in-traceback-456", "lib-789"):
        assert secret not in text


def test_setup_twice_logs_each_line_once(root_logging: None, tmp_path: Path) -> None:
    logs.setup(tmp_path)
    log_file = logs.setup(tmp_path)
    logging.getLogger("linkus_companion").warning("once")
    assert log_file.read_text(encoding="utf-8").count("once") == 1


def test_files_rotate(root_logging: None, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(logs, "MAX_BYTES", 2000)
    monkeypatch.setattr(logs, "BACKUPS", 2)
    log_file = logs.setup(tmp_path)
    for n in range(200):
        logging.getLogger("linkus_companion").warning("line %03d %s", n, "x" * 40)
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == ["linkus-companion.log", "linkus-companion.log.1", "linkus-companion.log.2"]
    assert all(p.stat().st_size <= 2000 for p in tmp_path.iterdir())
    assert "line 199" in log_file.read_text(encoding="utf-8")


@pytest.fixture
def reporter(root_logging: None, tmp_path: Path) -> tuple[CrashReporter, list[str], Path]:
    told: list[str] = []
    log_file = logs.setup(tmp_path)
    return CrashReporter(told.append, log_file), told, log_file


def _raise(error: BaseException) -> tuple[type[BaseException], BaseException, TracebackType | None]:
    try:
        raise error
    except BaseException as caught:
        return type(caught), caught, caught.__traceback__


def test_uncaught_exception_is_logged_and_the_user_told(
    reporter: tuple[CrashReporter, list[str], Path],
) -> None:
    crash, told, log_file = reporter
    kind, error, tb = _raise(ValueError("bad refresh_token=rt-secret-1"))
    crash.excepthook(kind, error, tb)
    assert len(told) == 1
    assert str(log_file) in told[0] and "ValueError" not in told[0]  # the exception's name is for the log
    assert "rt-secret-1" not in told[0]
    text = log_file.read_text(encoding="utf-8")
    assert "Uncaught exception" in text and "Traceback" in text and "ValueError" in text
    assert "rt-secret-1" not in text


def test_a_failing_notification_is_logged_not_raised(root_logging: None, tmp_path: Path) -> None:
    def broken(_message: str) -> None:
        raise RuntimeError("no tray")

    log_file = logs.setup(tmp_path)
    kind, error, tb = _raise(KeyError("x"))
    CrashReporter(broken, log_file).excepthook(kind, error, tb)
    assert "Could not tell the user" in log_file.read_text(encoding="utf-8")


def test_ctrl_c_keeps_the_default_behaviour(
    reporter: tuple[CrashReporter, list[str], Path], capsys: pytest.CaptureFixture[str]
) -> None:
    crash, told, _ = reporter
    kind, error, tb = _raise(KeyboardInterrupt())
    crash.excepthook(kind, error, tb)
    assert told == []
    assert "KeyboardInterrupt" in capsys.readouterr().err


def test_install_catches_thread_deaths(
    reporter: tuple[CrashReporter, list[str], Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    crash, told, log_file = reporter
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)
    monkeypatch.setattr(threading, "excepthook", threading.excepthook)
    crash.install()
    assert sys.excepthook == crash.excepthook

    def worker() -> None:
        raise OSError("disk gone")

    thread = threading.Thread(target=worker)
    thread.start()
    thread.join()
    assert (
        told and "disk gone" not in told[0] and "OSError: disk gone" in log_file.read_text(encoding="utf-8")
    )


async def test_unawaited_task_failure_reaches_the_user(
    reporter: tuple[CrashReporter, list[str], Path],
) -> None:
    crash, told, log_file = reporter
    loop = asyncio.get_running_loop()
    loop.set_exception_handler(crash.asyncio_handler)
    try:
        loop.call_exception_handler(
            {"message": "Task exception was never retrieved", "exception": OSError("x")}
        )
        loop.call_exception_handler({"message": "plain loop complaint"})
    finally:
        loop.set_exception_handler(None)
    assert len(told) == 1 and str(log_file) in told[0] and "OSError" not in told[0]


def test_open_logs_folder_creates_and_opens_the_log_dir() -> None:
    opened: list[Path] = []
    folder = open_logs_folder(opened.append)
    assert folder == paths.log_dir()
    assert folder.is_dir()
    assert opened == [folder]
