"""The command line and the browser's native host speak the user's language: `ui.language`, else the locale."""

# ruff: noqa: RUF001 - the expected Chinese texts use Chinese punctuation

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from linkus_companion import terminal
from linkus_companion.cli import main
from linkus_companion.platform.native_host import answer
from linkus_companion.platform.native_messaging import Request
from linkus_companion.texts import Text, accepted_language, language_of


@pytest.fixture
def chinese_locale(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    for name in ("LC_ALL", "LC_MESSAGES"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LANG", "zh_CN.UTF-8")
    terminal.user_language.cache_clear()
    yield
    terminal.user_language.cache_clear()


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    terminal.user_language.cache_clear()  # each command is a new process
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_commands_follow_the_system_locale_until_the_setting_says_otherwise(
    capsys: pytest.CaptureFixture[str], chinese_locale: None
) -> None:
    code, _, err = run(capsys, "config", "set", "ui.language", "klingon")
    assert code == 1 and err.strip() == "错误：ui.language：'klingon' 无效，应为以下之一：auto, en, zh_CN"
    code, _, err = run(capsys, "dial", "tel:abc")
    assert code == 2 and err.startswith("无法拨号：“abc”不是电话号码")
    code, _, err = run(capsys, "admin", "store-secret", "nope")
    assert code == 1 and "不是可部署的密钥" in err and "pbx.client_secret" in err
    code, out, _ = run(capsys, "config", "show")
    header, first = out.splitlines()[:2]
    assert header.split() == ["设置项", "值", "锁定", "来源"] and first.split()[-2:] == ["否", "默认值"]

    assert run(capsys, "config", "set", "ui.language", "en")[0] == 0
    code, _, err = run(capsys, "config", "set", "pop.triger", "x")
    assert (
        code == 1
        and err.strip() == "error: there is no setting named 'pop.triger'; did you mean 'pop.trigger'?"
    )


def test_help_and_argparse_own_words_follow_the_language_too(
    capsys: pytest.CaptureFixture[str], chinese_locale: None
) -> None:
    def said(*argv: str) -> tuple[int, str]:
        with pytest.raises(SystemExit) as ended:
            run(capsys, *argv)
        out, err = capsys.readouterr()
        return int(ended.value.code or 0), out + err

    code, text = said("--help")
    assert code == 0 and text.startswith("用法：linkus-companion") and "选项" in text
    assert "显示此帮助信息并退出" in text and "为已配置的分机启动应用" in text
    assert "usage" not in text and "show this help" not in text and "start the app" not in text
    code, text = said("sim", "pbx", "--help")
    assert code == 0 and "绑定的地址（默认 127.0.0.1）" in text and "address to bind" not in text
    code, text = said("demo", "--calls", "many")
    assert code == 2 and "错误：参数 --calls：无效的 int 值：'many'" in text and "error" not in text

    assert run(capsys, "config", "set", "ui.language", "en")[0] == 0
    code, text = said("--help")
    assert text.startswith("usage: linkus-companion") and "show this help message and exit" in text


def test_the_native_host_answers_the_extension_in_the_users_language(chinese_locale: None) -> None:
    reply = answer(Request("dial", "abc"), lambda _fields: None)
    assert reply["state"] == "invalid" and reply["message"].startswith("“abc”不是电话号码")
    reply = answer(Request("status"), lambda _fields: None)
    assert (
        reply["state"] == "not_running"
        and reply["message"] == "Linkus Companion 未在本机运行，请启动后重试。"
    )


def test_the_language_of_auto_reads_the_locale_variables_in_their_order(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("LANG", "zh_CN.UTF-8")
    monkeypatch.setenv("LC_ALL", "en_GB.UTF-8")
    assert language_of("auto") == "en" and language_of("zh_CN") == "zh_CN"
    monkeypatch.delenv("LC_ALL")
    monkeypatch.delenv("LC_MESSAGES", raising=False)
    assert language_of("auto") == "zh_CN" and language_of("en") == "en"
    assert terminal.say(Text("No number given."), "zh_CN") == "未提供号码。"
    assert terminal.say("plain words stay", "zh_CN") == "plain words stay"


@pytest.mark.parametrize(
    ("header", "language"),
    [
        ("zh-CN,zh;q=0.9,en;q=0.8", "zh_CN"),
        ("en-US,en;q=0.9,zh-CN;q=0.8", "en"),
        ("de-DE, zh;q=0.7, en;q=0.3", "zh_CN"),
        ("en;q=0.2, zh-TW;q=0.5", "zh_CN"),
        ("zh;q=0, en;q=0.1", "en"),
        ("fr, de", "en"),
        ("", "en"),
        ("zh;q=oops, *", "en"),
    ],
)
def test_web_pages_take_the_language_the_browser_prefers(header: str, language: str) -> None:
    assert accepted_language(header) == language


def test_a_file_a_command_cannot_write_is_named_with_what_is_wrong_not_a_traceback(
    capsys: pytest.CaptureFixture[str], chinese_locale: None, tmp_path: Path
) -> None:
    (tmp_path / "afile").write_text("x")
    code, _, err = run(capsys, "browser-extension", "pack", "--out", str(tmp_path / "afile" / "ext.zip"))
    assert code == 1 and "Traceback" not in err and "Errno" not in err
    assert str(tmp_path / "afile") in err and "已存在同名的文件或文件夹" in err, err
