"""The argument parsers of `admin ...` and `doctor`, registered on the main CLI's sub-commands."""

from __future__ import annotations

import argparse
from collections.abc import Callable

Handler = Callable[[argparse.Namespace], int]
Lazy = Callable[[str], Handler]
"""Turns `module:function` into a handler that imports the module only when the command runs."""
DEFAULT_DAYS = 365
"""How long a bundle stays valid unless `--days` says otherwise."""


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser], lazy: Lazy) -> None:
    """Add `admin keygen|sign|verify|show|templates|store-secret` and `doctor`."""
    admin = sub.add_parser("admin", help="signed provisioning bundles and policy templates (for admins)")
    actions = admin.add_subparsers(dest="admin_action", required=True)

    keygen = actions.add_parser("keygen", help="create a key pair that signs configuration bundles")
    keygen.add_argument("--out", default=".", help="folder for the key files (default: here)")
    keygen.add_argument("--algorithm", choices=("EdDSA", "ES256"), default="EdDSA")
    keygen.set_defaults(handler=lazy("linkus_companion.admin.cli:keygen"))

    sign = actions.add_parser("sign", help="sign a policy spec into a bundle")
    sign.add_argument("spec", help='JSON file: {"locked": {...}, "recommended": {...}}')
    sign.add_argument("--key", required=True, help="private key file from `admin keygen`")
    sign.add_argument("--out", default="-", help="bundle file (default: print it)")
    sign.add_argument("--days", type=int, default=DEFAULT_DAYS, help=f"validity (default {DEFAULT_DAYS})")
    sign.add_argument("--issuer", default="", help="who signed it, shown to users and in `doctor`")
    sign.set_defaults(handler=lazy("linkus_companion.admin.cli:sign"))

    for name, target, text in (
        ("verify", "verify_bundle", "check a bundle; exit 1 if it would be refused"),
        ("show", "show", "print a bundle's content and whether it verifies"),
    ):
        action = actions.add_parser(name, help=text)
        action.add_argument("bundle", help="bundle file, or - for standard input")
        action.add_argument(
            "--public-key", action="append", help="key text or file (default: the keys pinned by policy)"
        )
        action.set_defaults(handler=lazy(f"linkus_companion.admin.cli:{target}"))

    templates = actions.add_parser("templates", help="write ADMX/ADML, .mobileconfig and policy JSON")
    templates.add_argument("--out", required=True, help="output folder")
    templates.add_argument("--spec", default=None, help="policy spec to put in the examples")
    templates.add_argument("--organisation", default="Example Ltd", help="shown in the macOS profile")
    templates.set_defaults(handler=lazy("linkus_companion.admin.cli:templates"))

    secret = actions.add_parser(
        "store-secret", help="store a PBX/CRM client secret read from standard input in this user's keyring"
    )
    secret.add_argument("name", help="pbx.client_secret or crm.client_secret")
    secret.set_defaults(handler=lazy("linkus_companion.admin.cli:store_secret"))

    erase = actions.add_parser(
        "delete-recording",
        help="delete a call's recording on request (links, queued uploads, local copies, copies in the CRM)",
    )
    erase.add_argument("call_id", help="the PBX call id (CDR uid) whose recording is to be deleted")
    erase.add_argument(
        "--store", default=None, help="database file (default: this user's, or the gateway's with --config)"
    )
    erase.add_argument(
        "--config", default=None, metavar="FILE", help="a gateway's configuration: its store and CRM sign-in"
    )
    erase.set_defaults(handler=lazy("linkus_companion.admin.cli:delete_recording"))

    doctor = sub.add_parser("doctor", help="check policies, keyring, PBX and CRM; exit 1 on problems")
    doctor.add_argument("--problems-only", action="store_true", help="print only the problems")
    doctor.set_defaults(handler=lazy("linkus_companion.admin.doctor:main"))
