"""First run: when it shows, and what it saves."""

from __future__ import annotations

from PySide6.QtWidgets import QWizard

from linkus_companion.ui.first_run import FirstRunWizard, needs_first_run
from tests.ui.conftest import lock


def test_needed_only_with_nothing_configured_and_no_policy(settings, policy_dir):
    assert needs_first_run(settings)
    settings.set_user("pbx.url", "https://pbx.example.com")
    assert not needs_first_run(settings)
    settings.unset_user("pbx.url")
    lock(policy_dir, crm__kind="zoho")
    settings.reload()
    assert not needs_first_run(settings)


def test_walks_through_pbx_and_crm_saving_each_step(qtbot, settings):
    wizard = FirstRunWizard(settings)
    qtbot.add_widget(wizard)
    wizard.show()
    assert not wizard.isModal()
    assert wizard.currentPage() is wizard.welcome
    wizard.next()
    page = wizard.connection
    assert wizard.currentPage() is page
    assert not wizard.button(QWizard.WizardButton.NextButton).isEnabled()
    page.url.setText("http://pbx.example.com")
    page.check_button.click()
    assert "https://" in page.result.text()
    assert not page.isComplete()
    page.url.setText("https://pbx.example.com:8088")
    page.client_id.setText("client-1")
    page.extension.setText("1001")
    page.check_button.click()  # without an integration the values are saved, checked when connecting
    assert page.isComplete()
    assert settings.get("pbx.url") == "https://pbx.example.com:8088"
    assert settings.get("pbx.extensions") == ("1001",)
    wizard.next()
    assert wizard.currentPage() is wizard.crm
    wizard.crm.kind.setCurrentIndex(wizard.crm.kind.findData("zoho"))
    wizard.next()  # finish
    assert settings.get("crm.kind") == "zoho"


def test_gateway_path_skips_the_crm_sign_in(qtbot, settings):
    wizard = FirstRunWizard(settings)
    qtbot.add_widget(wizard)
    wizard.show()
    wizard.welcome.gateway.setChecked(True)
    wizard.next()
    assert wizard.connection.client_id.isHidden()
    wizard.connection.url.setText("https://gateway.example.com")
    wizard.connection.extension.setText("1002")
    wizard.connection.check_button.click()
    assert settings.get("backend") == "gateway"
    assert settings.get("gateway.url") == "https://gateway.example.com"
    assert wizard.nextId() == -1


def test_demo_choice(qtbot, settings):
    wizard = FirstRunWizard(settings)
    qtbot.add_widget(wizard)
    wizard.show()
    wizard.welcome.demo.setChecked(True)
    assert wizard.nextId() == -1
    with qtbot.wait_signal(wizard.demo_requested):
        wizard.accept()
