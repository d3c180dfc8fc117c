"""Generated admin artefacts: ADMX/ADML well-formed and complete, the profile and JSON files usable as-is."""

from __future__ import annotations

import json
import plistlib
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path

from linkus_companion import paths
from linkus_companion.admin.admx import build
from linkus_companion.config.bundle_trust import TRUST_KEYS
from linkus_companion.config.policy_windows import POLICY_KEY
from linkus_companion.config.schema import SCHEMA
from linkus_companion.config.settings import Settings
from linkus_companion.platform.launcher import BUNDLE_ID

Run = Callable[..., tuple[int, str, str]]
"""The `run` fixture: argv -> (exit code, stdout, stderr)."""

NS = {"p": "http://schemas.microsoft.com/GroupPolicy/2006/07/PolicyDefinitions"}


def registry_places(admx: ET.Element) -> dict[str, set[str]]:
    """Registry key -> the setting names its policies write (valueName, or the key of a list)."""
    places: dict[str, set[str]] = {}
    for policy in admx.iterfind(".//p:policy", NS):
        key = policy.get("key", "")
        names = {policy.get("valueName")} | {e.get("valueName") for e in policy.iterfind("p:elements/*", NS)}
        for listed in policy.iterfind("p:elements/p:list", NS):
            names.add(listed.get("key", "").rsplit("\\", 1)[1])
        places.setdefault(key, set()).update(n for n in names if n)
    return places


def test_admx_is_well_formed_and_covers_every_setting_locked_and_recommended() -> None:
    admx_text, adml_text = build()
    admx, adml = ET.fromstring(admx_text), ET.fromstring(adml_text)
    places = registry_places(admx)
    assert places[POLICY_KEY] == set(SCHEMA) | TRUST_KEYS
    assert places[f"{POLICY_KEY}\\Recommended"] == set(SCHEMA)
    strings = {s.get("id") for s in adml.iterfind(".//p:stringTable/p:string", NS)}
    shown = {p.get("id") for p in adml.iterfind(".//p:presentationTable/p:presentation", NS)}
    assert set(re.findall(r"\$\(string\.([^)]+)\)", admx_text)) <= strings
    assert set(re.findall(r"\$\(presentation\.([^)]+)\)", admx_text)) <= shown
    names = [p.get("name") for p in admx.iterfind(".//p:policy", NS)]
    assert len(names) == len(set(names))


def test_enum_choices_match_the_schema() -> None:
    admx = ET.fromstring(build()[0])
    triggers = [e for e in admx.iterfind(".//p:enum", NS) if e.get("valueName") == "pop.trigger"]
    assert len(triggers) == 2  # locked and recommended
    for trigger in triggers:
        assert [v.text for v in trigger.iterfind(".//p:string", NS)] == ["ringing", "answered", "ended"]


def test_templates_writes_files_an_admin_deploys_unchanged(run: Run, tmp_path: Path) -> None:
    out = tmp_path / "out"
    code, listing, _ = run("admin", "templates", "--out", str(out), "--organisation", "ACME")
    assert code == 0 and len(listing.splitlines()) == 5
    ET.parse(out / "linkus-companion.admx")
    ET.parse(out / "en-US" / "linkus-companion.adml")
    profile = plistlib.loads((out / "linkus-companion.mobileconfig").read_bytes())
    preferences = profile["PayloadContent"][0]["PayloadContent"][BUNDLE_ID]
    assert preferences["Forced"][0]["mcx_preference_settings"]["crm.kind"] == "hubspot"
    assert "pop.trigger" in preferences["Often"][0]["mcx_preference_settings"]
    assert profile["PayloadOrganization"] == "ACME"

    for kind in ("managed", "recommended"):
        target = paths.policy_dir() / kind
        target.mkdir(parents=True)
        (target / "site.json").write_text((out / kind / "linkus-companion.json").read_text())
    settings = Settings.open()
    assert settings.effective("crm.kind")[:3] == ("hubspot", "locked", True)
    assert settings.effective("pop.trigger")[:3] == ("answered", "recommended", False)
    assert settings.problems == ()


def test_templates_use_the_admins_spec_and_refuse_a_bad_one(run: Run, tmp_path: Path) -> None:
    spec = tmp_path / "spec.json"
    spec.write_text(json.dumps({"recommended": {"provisioning.url": "https://cfg.example.com/x.jwt"}}))
    code, _, err = run("admin", "templates", "--out", str(tmp_path / "out"), "--spec", str(spec))
    assert code == 1 and "only as a locked" in err
    spec.write_text(json.dumps({"locked": {"provisioning.url": "https://cfg.example.com/x.jwt"}}))
    assert run("admin", "templates", "--out", str(tmp_path / "out"), "--spec", str(spec))[0] == 0
    managed = json.loads((tmp_path / "out" / "managed" / "linkus-companion.json").read_text())
    assert managed == {"provisioning.url": "https://cfg.example.com/x.jwt"}
