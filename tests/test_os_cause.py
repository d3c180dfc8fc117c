"""Why a file or a socket failed, in our words: real failures read as what to check, in English and Chinese,
and the system's own words appear only labelled, for the failures we have no words of our own for."""

from __future__ import annotations

import json
import socket
from pathlib import Path

import pytest

from linkus_companion.os_cause import os_why
from linkus_companion.terminal import say


def _error(action: object) -> BaseException:
    try:
        action()  # type: ignore[operator]
    except Exception as caught:
        return caught
    raise AssertionError("it did not fail")


def test_usual_failures_read_in_our_words(tmp_path: Path) -> None:
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "file").write_text("x")
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with socket.socket() as second:
            busy = _error(lambda: second.bind(("127.0.0.1", port)))
    cases = {
        _error(lambda: (tmp_path / "missing.json").read_text()): ("it does not exist", "它不存在"),
        _error(lambda: tmp_path.read_text()): ("it is a folder, not a file", "它是文件夹"),
        _error(lambda: (tmp_path / "full" / "file" / "x").read_text()): ("not a folder", "不是文件夹"),
        busy: ("another program already uses it", "另一个程序正在使用它"),
        _error(lambda: json.loads("{bad")): ("not valid JSON (line 1, column 2)", "第 1 行\uff0c第 2 列"),
        _error(lambda: b"\xff\xfe\xfa".decode("utf-8")): ("not UTF-8 text", "UTF-8"),
    }
    for error, (english, chinese) in cases.items():
        why = os_why(error)
        assert english in say(why, "en") and "the system says" not in why, why
        assert chinese in say(why, "zh_CN") and "Errno" not in say(why, "zh_CN")


def test_a_failure_without_words_of_ours_labels_the_systems(tmp_path: Path) -> None:
    (tmp_path / "kept").mkdir()
    (tmp_path / "kept" / "file").write_text("x")
    error = _error(lambda: (tmp_path / "kept").rmdir())  # a folder that is not empty
    why = os_why(error)
    assert why == "the system refused it (the system says: Directory not empty)"
    assert say(why, "zh_CN") == "系统拒绝了该操作\uff08系统返回\uff1aDirectory not empty\uff09"
    assert "OSError" not in why and "Errno" not in why


@pytest.mark.parametrize("error", [ValueError("some library's words"), KeyError("x")])
def test_any_other_error_keeps_its_words_labelled(error: BaseException) -> None:
    assert os_why(error).startswith("its content is not valid (the system says: ")
