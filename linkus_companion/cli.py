"""Command line: every `linkus-companion` sub-command, parsed here and dispatched lazily."""

from __future__ import annotations

import argparse
import importlib
import logging
import sys
from collections.abc import Callable, Sequence

from linkus_companion.cli_help import Parser
from linkus_companion.os_cause import os_why
from linkus_companion.ports import PortBusy
from linkus_companion.terminal import tell
from linkus_companion.texts import Text, text_of

log = logging.getLogger(__name__)

Handler = Callable[[argparse.Namespace], int]
NOT_RUNNING = Text("Linkus Companion is not running here: start it (linkus-companion run), then dial again.")


def _lazy(target: str) -> Handler:
    """A handler that imports `module:function` only when the command runs (fast start-up)."""

    def run(args: argparse.Namespace) -> int:
        module_name, func_name = target.split(":")
        func: Handler = getattr(importlib.import_module(module_name), func_name)
        return func(args)

    return run


def _add_sim(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    sim = sub.add_parser("sim", help="run a local PBX or CRM emulator")
    kinds = sim.add_subparsers(dest="sim_kind", required=True)

    pbx = kinds.add_parser("pbx", help="Yeastar P-Series PBX simulator (Open API + WebSocket events)")
    pbx.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    pbx.add_argument("--port", type=int, default=8088, help="port (default 8088; 0 = any free port)")
    pbx.add_argument("--tls", action="store_true", help="serve HTTPS/WSS with a generated certificate")
    pbx.add_argument("--client-id", default=None, help="API Client ID to accept (default: generated)")
    pbx.add_argument("--client-secret", default=None, help="API Client Secret to accept (default: generated)")
    pbx.add_argument("--idle-timeout", type=float, default=60.0, help="WebSocket idle close, seconds")
    pbx.set_defaults(handler=_lazy("linkus_companion.sim.pbx_cli:main"))

    crm = kinds.add_parser("crm", help="HubSpot, Salesforce or Zoho CRM emulator")
    crm.add_argument("--kind", choices=("hubspot", "salesforce", "zoho"), required=True)
    crm.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    crm.add_argument("--port", type=int, default=0, help="port (default: any free port)")
    crm.add_argument("--token", default=None, help="fix the ready access token of the seeded admin user")
    crm.add_argument("--search-lag", type=float, default=None, help="HubSpot search index lag, seconds")
    crm.set_defaults(handler=_lazy("linkus_companion.sim.crm_cli:main"))


def _add_config(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    config = sub.add_parser("config", help="inspect or change settings")
    actions = config.add_subparsers(dest="config_action", required=True)
    show = actions.add_parser("show", help="each effective value, its source and whether it is locked")
    show.add_argument("--json", action="store_true", help="machine-readable output")
    show.set_defaults(handler=_lazy("linkus_companion.config.cli:show"))
    set_ = actions.add_parser("set", help="change one of your settings (refused for locked keys)")
    set_.add_argument("key")
    set_.add_argument("value")
    set_.set_defaults(handler=_lazy("linkus_companion.config.cli:set_value"))
    unset = actions.add_parser("unset", help="return one of your settings to its default")
    unset.add_argument("key")
    unset.set_defaults(handler=_lazy("linkus_companion.config.cli:unset_value"))


def _add_demo(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    demo = sub.add_parser("demo", help="offline demo on local simulators (no account needed)")
    demo.add_argument(
        "--crm", choices=("hubspot", "salesforce", "zoho"), default="hubspot", help="CRM to emulate"
    )
    demo.add_argument("--calls", type=int, default=16, help="number of scripted calls")
    demo.add_argument("--json", default=None, metavar="PATH", help="write a JSON report")
    demo.add_argument("--headless", action="store_true", help="no windows; print what happens")
    demo.add_argument(
        "--gateway", action="store_true", help="the gateway topology: a gateway and one desktop per extension"
    )
    demo.add_argument(
        "--ha",
        action="store_true",
        help="with --gateway: two replicas on a throwaway PostgreSQL (Debian's postgresql), the leader killed mid-demo",
    )
    demo.set_defaults(handler=_lazy("linkus_companion.demo_command:main"))


def _add_run(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    run = sub.add_parser("run", help="start the app for the configured extension")
    run.add_argument("--headless", action="store_true", help="no windows: pops are printed as JSON lines")
    run.add_argument("--smoke-test", action="store_true", help="start, show, quit (checks an installation)")
    run.add_argument("--autostart", action="store_true", help=argparse.SUPPRESS)
    run.add_argument("forward", nargs="*", help=argparse.SUPPRESS)
    run.set_defaults(handler=_run)
    dial = sub.add_parser("dial", help="dial a number or tel:/callto: link from your extension")
    dial.add_argument("number", nargs="+", help="e.g. +1 555 0100 or tel:+15550100")
    dial.set_defaults(handler=_dial)


def _run(args: argparse.Namespace) -> int:
    target = "linkus_companion.headless:main" if args.headless else "linkus_companion.app:main"
    return _lazy(target)(args)


def _dial(args: argparse.Namespace) -> int:
    """Check the number, then hand `dial NUMBER` to the running app (starting it when windows can show)."""
    from linkus_companion.platform.dial import DialError, number_from_args

    try:
        number_from_args(["dial", *args.number])
    except DialError as exc:
        tell(Text("Cannot dial: {why}", why=text_of(exc)), error=True)
        return 2
    from linkus_companion.platform import single_instance
    from linkus_companion.platform.display import can_show_windows

    words = ["dial", *args.number]
    if single_instance.send(single_instance.server_name(), words):
        return 0  # the running app dials it
    if not can_show_windows(offscreen_counts=False):
        tell(NOT_RUNNING, error=True)
        return 1
    forwarded = argparse.Namespace(headless=False, smoke_test=False, forward=words)
    return _lazy("linkus_companion.app:main")(forwarded)


def _add_browser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    browser = sub.add_parser("browser-extension", help="the click-to-call browser extension and its host")
    actions = browser.add_subparsers(dest="browser_action", required=True)
    scope = argparse.ArgumentParser(add_help=False)
    scope.add_argument("--all-users", action="store_true", help="per machine (installers; needs admin)")
    install = actions.add_parser("install", parents=[scope], help="register the host with every browser")
    install.add_argument("--profile", default=None, metavar="DIR", help=argparse.SUPPRESS)
    install.set_defaults(handler=_lazy("linkus_companion.platform.native_commands:install"))
    uninstall = actions.add_parser("uninstall", parents=[scope], help="remove the host registration")
    uninstall.set_defaults(handler=_lazy("linkus_companion.platform.native_commands:uninstall"))
    status = actions.add_parser("status", parents=[scope], help="check the host registration")
    status.set_defaults(handler=_lazy("linkus_companion.platform.native_commands:status"))
    pack = actions.add_parser("pack", help="build the extension's zip (reproducible)")
    pack.add_argument("--out", default="linkus-companion-extension.zip", metavar="ZIP")
    pack.set_defaults(handler=_lazy("linkus_companion.platform.native_commands:pack_command"))


def _add_gateway(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    gateway = sub.add_parser("gateway", help="run the site gateway, or manage the desktops enrolled with it")
    gateway.add_argument("--config", default=None, metavar="FILE", help="the gateway's configuration (TOML)")
    gateway.set_defaults(handler=_lazy("linkus_companion.gateway.commands:run"))
    actions = gateway.add_subparsers(dest="gateway_action")
    config = argparse.ArgumentParser(add_help=False)
    config.add_argument("--config", required=True, metavar="FILE", help="the gateway's configuration (TOML)")
    enroll = actions.add_parser(
        "enroll", parents=[config], help="a one-time enrollment code and link for a desktop"
    )
    enroll.add_argument("--extension", required=True, help="the desktop user's extension")
    enroll.add_argument("--email", required=True, help="the desktop user's e-mail address")
    enroll.add_argument("--days", type=int, default=7, help="days the code stays valid (default 7)")
    enroll.set_defaults(handler=_lazy("linkus_companion.gateway.commands:enroll"))
    revoke = actions.add_parser("revoke", parents=[config], help="revoke desktop sessions (they disconnect)")
    which = revoke.add_mutually_exclusive_group(required=True)
    which.add_argument("--extension", help="every session of this extension")
    which.add_argument("--session", help="one session id (see `gateway sessions`)")
    revoke.set_defaults(handler=_lazy("linkus_companion.gateway.commands:revoke"))
    sessions = actions.add_parser("sessions", parents=[config], help="list desktop sessions")
    sessions.set_defaults(handler=_lazy("linkus_companion.gateway.commands:sessions"))
    authorize = actions.add_parser(
        "authorize", parents=[config], help="sign the gateway's CRM admin account in (browser)"
    )
    authorize.set_defaults(handler=_lazy("linkus_companion.gateway.commands:authorize"))
    doctor = actions.add_parser(
        "doctor", parents=[config], help="where each secret comes from, and whether the store opens"
    )
    doctor.set_defaults(handler=_lazy("linkus_companion.gateway.commands:doctor"))
    health = actions.add_parser(
        "health",
        parents=[config],
        help="whether this machine's gateway is healthy (exit 0), for container checks",
    )
    health.set_defaults(handler=_lazy("linkus_companion.gateway.health_check:health"))


def build_parser() -> argparse.ArgumentParser:
    """The full argument parser."""
    parser: argparse.ArgumentParser = Parser(
        prog="linkus-companion",
        description="Connects a Yeastar P-Series PBX to HubSpot, Salesforce or Zoho CRM.",
    )
    parser.add_argument("--version", action="store_true", help="print the version and exit")
    sub = parser.add_subparsers(dest="command")
    _add_demo(sub)
    _add_run(sub)
    _add_gateway(sub)
    _add_sim(sub)
    _add_config(sub)
    _add_browser(sub)
    from linkus_companion.admin.commands import register

    register(sub, _lazy)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Parse `argv` and run the chosen command.

    A bare `tel:`/`callto:` link dials it (how the OS starts us for a clicked link). With no command,
    the app starts when a PBX is configured, and the offline demo otherwise.
    """
    words = list(sys.argv[1:] if argv is None else argv)
    if words and words[0] == "native-host":
        # A browser starts us so; its arguments (origin, --parent-window=N) are not ours to parse.
        from linkus_companion.platform.native_host import main as native_host

        return native_host(words[1:])
    if words and words[0].lower().startswith(("tel:", "callto:")):
        words = ["dial", *words]
    parser = build_parser()
    args = parser.parse_args(words)
    if args.version:
        from linkus_companion import __version__

        print(f"linkus-companion {__version__}")
        return 0
    if args.command is None:
        args = parser.parse_args(["run" if _configured() else "demo", *words])
    handler: Handler = args.handler
    try:
        return handler(args)
    except KeyboardInterrupt:
        return 130
    except PortBusy as exc:
        tell(Text("linkus-companion: {why}", why=text_of(exc)), error=True)
        return 2
    except OSError as exc:  # a file or folder the command needed: which one, and what is wrong with it
        log.debug("command failed", exc_info=True)
        where = exc.filename
        why = os_why(exc)
        said = Text("linkus-companion: {path}: {why}", path=str(where), why=why) if where else None
        tell(said or Text("linkus-companion: {why}", why=why), error=True)
        return 1


def _configured() -> bool:
    """Whether this profile has a PBX address or a gateway (else the first start shows the demo)."""
    from linkus_companion.config.settings import Settings

    settings = Settings.open()
    return bool(settings.get("pbx.url")) or settings.get("backend") == "gateway"
