"""Languages: the system locale, the setting, and complete Chinese catalogues using the manuals' terms."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
from PySide6.QtCore import QCoreApplication, QLocale

from linkus_companion.config import SCHEMA
from linkus_companion.engine.templates import VARIABLES
from linkus_companion.ui.i18n import resolve
from linkus_companion.ui.resources import translations_dir
from linkus_companion.ui.settings.dialog import SettingsDialog
from linkus_companion.ui.tray import TrayMenu

TS = translations_dir() / "linkus_companion_zh_CN.ts"


def test_resolve_follows_the_setting_then_the_system():
    assert resolve("zh_CN") == "zh_CN"
    assert resolve("en", QLocale(QLocale.Language.Chinese)) == "en"
    assert resolve("auto", QLocale(QLocale.Language.Chinese, QLocale.Country.China)) == "zh_CN"
    assert resolve("auto", QLocale(QLocale.Language.German)) == "en"


def test_catalogue_is_complete_and_compiled():
    root = ET.parse(TS).getroot()
    unfinished = [m.findtext("source") for m in root.iter("message") if m.find("translation").get("type")]
    assert unfinished == []
    contexts = {c.findtext("name"): {m.findtext("source") for m in c.iter("message")} for c in root}
    assert contexts["SettingDocs"] == {s.doc for s in SCHEMA.values()}
    assert contexts["TemplateVariables"] == set(VARIABLES.values())
    assert TS.with_suffix(".qm").stat().st_mtime >= TS.stat().st_mtime - 1


def test_switching_language_retranslates_open_widgets(qtbot, translations):
    menu = TrayMenu()
    qtbot.add_widget(menu)
    translations.apply("zh_CN")
    qtbot.wait_until(lambda: menu.pause_action.text() == "暂停弹屏(&P)")
    translations.apply("en")
    qtbot.wait_until(lambda: menu.pause_action.text() == "&Pause pop-ups")


@pytest.mark.parametrize(
    ("context", "source", "chinese_term"),
    [
        ("Settings", "Screen pop", "来电弹屏"),
        ("Choices", "Ringing", "响铃"),
        ("Choices", "Answered", "应答"),
        ("Choices", "Call ended", "通话结束"),
        ("Choices", "Auto (incoming calls only)", "自动（仅限来电）"),  # noqa: RUF001 - the manual's term
        ("SettingsDialog", "Create new contact", "创建新联系人"),
        ("Choices", "Lead", "线索"),
        ("Settings", "Call-log sync", "通话记录同步"),
        ("Settings", "Always query CRM", "始终查询CRM"),
        ("Settings", "Company contacts group", "企业联系人群组"),
        ("Settings", "Don't log missed calls for agents who did not answer", "未接听的坐席不记录未接来电"),
        ("SettingsDialog", "Dis&connect…", "取消对接(&C)…"),
    ],
)
def test_manual_terms(zh_cn, context, source, chinese_term):
    assert QCoreApplication.translate(context, source) == chinese_term


def test_settings_window_follows_a_language_switch(qtbot, settings, translations):
    dialog = SettingsDialog(settings)
    qtbot.add_widget(dialog)
    trigger = dialog.fields["pop.trigger"].editor
    translations.apply("zh_CN")
    qtbot.wait_until(lambda: trigger.itemText(0) == "响铃")
    assert dialog.nav.item(3).text() == "来电弹屏"
    assert trigger.accessibleName() == "弹屏时机"
    translations.apply("en")
    qtbot.wait_until(lambda: trigger.itemText(0) == "Ringing")


def test_a_crm_outage_reads_in_chinese_in_a_chinese_window(qtbot, zh_cn):
    import httpx

    from linkus_companion.crm.http import classify_status
    from linkus_companion.ui.i18n import tr_text

    error = classify_status("HubSpot", httpx.Response(503))
    assert str(error) == "HubSpot failed with HTTP 503; try again later."
    shown = tr_text(error.args[0])
    assert shown.startswith("HubSpot 出错") and "HTTP 503" in shown and "稍后重试" in shown
    assert tr_text("plain text") == "plain text"
    limited = classify_status("Zoho CRM", httpx.Response(429, headers={"Retry-After": "7"}))
    assert "正在限制请求" in tr_text(limited.args[0]) and "7 秒后重试" in tr_text(limited.args[0])


def test_pbx_link_problems_read_in_chinese(zh_cn):
    from linkus_companion.pbx.errors import from_response
    from linkus_companion.pbx.transport import Transport
    from linkus_companion.texts import text_of
    from linkus_companion.ui.i18n import tr_text

    blocked = from_response({"errcode": 70004, "errmsg": "IP BLOCKED"}, "the login")
    assert "Blocked IPs" in str(blocked) and "封禁" in tr_text(text_of(blocked))
    import httpx

    unreachable = Transport("https://pbx.example.com:8088").error(httpx.ConnectError("refused"))
    assert "无法连接" in tr_text(text_of(unreachable)) and "pbx.example.com" in tr_text(text_of(unreachable))


async def test_an_engine_refusal_reads_in_chinese_in_a_chinese_window(zh_cn):
    import re

    from linkus_companion.engine.core import EngineError
    from linkus_companion.model import CallNote
    from linkus_companion.texts import text_of
    from linkus_companion.ui.i18n import tr_text
    from tests.engine.engine_rig import running_engine

    async with running_engine() as rig:
        with pytest.raises(EngineError) as refused:
            rig.engine.save_note("no-such-call", "1001", CallNote("Sent the quote"))
    english = str(refused.value)
    shown = tr_text(text_of(refused.value))
    assert re.search(r"[a-z]{4}", english) and shown != english
    assert not re.search(r"[A-Za-z]{2,}", shown.replace("CRM", ""))


async def test_a_desktop_without_its_gateway_reads_in_chinese(zh_cn):
    import socket

    from linkus_companion.backend import BackendError
    from linkus_companion.gateway.credentials import GatewayCredentials
    from linkus_companion.secrets import SecretStore
    from linkus_companion.texts import text_of
    from linkus_companion.ui.i18n import tr_text

    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    gateway = GatewayCredentials(f"https://127.0.0.1:{port}", SecretStore(), timeout=2)
    with pytest.raises(BackendError) as unenrolled:
        await gateway.access_token()
    assert "not enrolled" in str(unenrolled.value) and "尚未在网关注册" in tr_text(text_of(unenrolled.value))
    with pytest.raises(BackendError) as unreachable:
        await gateway.enroll("ABCD-EFGH")
    shown = tr_text(text_of(unreachable.value))
    assert "Cannot reach" in str(unreachable.value) and "无法连接" in shown and f"127.0.0.1:{port}" in shown


def test_an_untrusted_pbx_certificate_reads_in_chinese(zh_cn):
    import ssl

    from linkus_companion.pbx.transport import Transport
    from linkus_companion.texts import text_of
    from linkus_companion.ui.i18n import tr_text

    refused = ssl.SSLCertVerificationError(1, "certificate verify failed: self-signed certificate")
    error = Transport("https://pbx.example.com:8088").error(refused)
    assert "could not be verified" in str(error)
    shown = tr_text(text_of(error))
    assert "无法验证" in shown and "pbx.example.com" in shown and "不受信任" in shown
    assert "self-signed" not in shown and "verify failed" not in shown  # OpenSSL's words stay in the log
