"""`linkus-companion doctor`: check policies, keyring, PBX and CRM; one line per finding, exit 1 on problems."""

from __future__ import annotations

import argparse
import asyncio

import httpx

from linkus_companion import USER_AGENT, paths
from linkus_companion.admin.doctor_crm import crm_findings
from linkus_companion.admin.doctor_local import browser_findings, keyring_findings, policy_findings
from linkus_companion.admin.doctor_pbx import pbx_findings
from linkus_companion.admin.findings import Finding, ok, problem
from linkus_companion.config.bundle_trust import Trust
from linkus_companion.config.errors import SettingsError
from linkus_companion.config.policies import admin_policies
from linkus_companion.config.settings import Settings
from linkus_companion.config.userfile import UserFile
from linkus_companion.net_cause import why
from linkus_companion.platform import logs
from linkus_companion.platform.native_commands import registration
from linkus_companion.secrets import SecretStore
from linkus_companion.terminal import tell
from linkus_companion.texts import Text, text_of


async def diagnose(settings: Settings, store: SecretStore, trust: Trust) -> list[Finding]:
    """Every finding, local checks first; the PBX and the CRM are checked side by side."""
    findings = [
        *policy_findings(settings, trust),
        *keyring_findings(store),
        *browser_findings(registration()),
    ]
    if settings.get("backend") == "gateway":
        return [*findings, await _gateway(str(settings.get("gateway.url")))]
    pbx, crm = await asyncio.gather(pbx_findings(settings, store), crm_findings(settings, store))
    return [*findings, *pbx, *crm]


async def _gateway(url: str) -> Finding:
    if not url:
        return problem(
            "gateway", Text("backend is gateway but gateway.url is not set; ask your administrator")
        )
    try:
        async with httpx.AsyncClient(timeout=10.0, headers={"User-Agent": USER_AGENT}) as client:
            response = await client.get(url)
    except httpx.HTTPError as exc:
        return problem(
            "gateway",
            Text("{url}: {why}; check the address and the network", url=url, why=why(exc)),
        )
    return ok("gateway", Text("{url} answers (HTTP {status})", url=url, status=response.status_code))


def main(args: argparse.Namespace) -> int:
    """Run every check and print the report (the details behind a problem go to the log file, not here)."""
    logs.setup()
    policies = admin_policies()
    try:
        settings = Settings(UserFile(paths.settings_file()), policies.sources)
    except SettingsError as exc:
        tell(Text("PROBLEM  settings {why}", why=text_of(exc)))
        return 1
    findings = asyncio.run(diagnose(settings, SecretStore(), policies.trust.read()))
    problems = sum(finding.problem for finding in findings)
    for finding in findings:
        if finding.problem or not args.problems_only:
            tell(finding.line)
    tell(Text("{count} problem(s) found.", count=problems) if problems else Text("No problems found."))
    return 1 if problems else 0
