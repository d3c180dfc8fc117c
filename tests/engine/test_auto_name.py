"""The auto-created record name: in the interface language, or the manuals' exact text when the admin asks."""

from __future__ import annotations

from pathlib import Path

from linkus_companion.config.settings import Settings
from linkus_companion.config.userfile import UserFile
from linkus_companion.engine.core import AUTO_NAME
from linkus_companion.engine.policies import Policies


def test_the_auto_created_name_follows_the_language_unless_the_manuals_text_is_asked_for(
    tmp_path: Path,
) -> None:
    settings = Settings(UserFile(tmp_path / "settings.json"))
    settings.set_user("ui.language", "zh_CN")
    assert Policies.from_settings(settings).create.name == "自动新建联系人"
    settings.set_user("create.auto_name", "manual")
    assert Policies.from_settings(settings).create.name == AUTO_NAME == "Automatic New Contact"
    settings.set_user("create.auto_name", "language")
    settings.set_user("ui.language", "en")
    assert Policies.from_settings(settings).create.name == AUTO_NAME
