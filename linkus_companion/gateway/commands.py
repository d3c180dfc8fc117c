"""`linkus-companion gateway ...`: run the service, authorise its CRM account, enroll desktops, list and revoke their sessions."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import datetime as dt
import logging
import os
import ssl
from collections.abc import Coroutine, Iterator
from pathlib import Path
from typing import Any

import httpx
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from linkus_companion.crm.base import CrmError
from linkus_companion.crm.oauth import Opener, open_in_browser
from linkus_companion.engine.policies import Policies
from linkus_companion.gateway import logs
from linkus_companion.gateway.config import DB_SECRET, SIGNING_SECRET, ConfigError, GatewayConfig, load
from linkus_companion.gateway.crm_grant_vault import SharedGrants
from linkus_companion.gateway.pbx_token_vault import StoreTokenVault
from linkus_companion.gateway.sealed import SealError
from linkus_companion.gateway.server import Gateway
from linkus_companion.gateway.server_secrets import ServerSecrets
from linkus_companion.gateway.tokens import TokenAuthority, load_signing_key, shared_signing_key
from linkus_companion.pbx.errors import PbxError
from linkus_companion.runtime import (
    CRM_SECRET,
    PBX_SECRET,
    NotConfigured,
    crm_grants,
    crm_http_client,
    make_connector,
    pbx_client,
    web_origins,
)
from linkus_companion.secrets import SecretStore, SecretStoreUnavailable
from linkus_companion.stopping import stop_requested
from linkus_companion.store import Store, StoreError
from linkus_companion.terminal import say, tell
from linkus_companion.texts import Text, text_of
from linkus_companion.tls import TlsFiles

log = logging.getLogger(__name__)

RETRY_MAX = 60.0
LOST_LEADERSHIP = 3
"""Exit status of a replica that lost the leadership (systemd `Restart=always` brings it back as standby)."""
SIGN_IN_PATIENCE = 300.0
"""How long `gateway authorize` waits for the admin to finish the CRM sign-in in the browser."""


def run(args: argparse.Namespace) -> int:
    """`gateway --config FILE`: serve until SIGTERM or Ctrl+C."""
    logs.setup()
    if not args.config:
        log.error("Give the gateway's configuration file: linkus-companion gateway --config FILE")
        return 2
    try:
        config = load(Path(args.config))
        if asyncio.run(serve(config)):
            log.error("exiting: this replica lost the leadership; its supervisor restarts it as a standby")
            return LOST_LEADERSHIP
    except (ConfigError, NotConfigured, StoreError, SealError) as exc:
        log.error("%s", exc)
        return 2
    return 0


async def serve(config: GatewayConfig) -> bool:
    """The gateway from its configuration file, with its secrets; True when it lost the leadership."""
    settings = config.open_settings()
    secrets = ServerSecrets(config.state_dir)
    stopping = stop_requested()
    store = open_store(config, secrets)
    try:
        async with crm_http_client() as client, pbx_client(settings, secrets) as pbx:
            grants = crm_grants(settings, client, grant_keeper(config, store, secrets))
            if not grants.connected():
                raise NotConfigured(Text("Authorise the CRM admin account for the gateway first."))
            policies = Policies.from_settings(settings)
            connector = await make_connector(
                str(settings.get("crm.kind")), client, grants, policies.lookup.region, policies.lookup
            )
            signing_key = site_key(config, store, secrets)
            if config.state:  # one PBX token pair for the site, taken over by each new leader
                pbx.keep_tokens_in(StoreTokenVault(store, sealing_secret(secrets)))
            gateway = Gateway.assemble(
                pbx=pbx,
                connector=connector,
                crm_web_origins=await web_origins(connector, grants),
                store=store,
                policies=policies,
                signing_key=signing_key,
                public_url=config.public_url,
                extensions=config.extensions or None,
            )
            tls = (
                TlsFiles(config.tls_cert, config.tls_cert, config.tls_key)
                if config.tls_cert and config.tls_key
                else None
            )
            lost = False
            if config.state:
                lost = await _replica(gateway, config, tls, stopping, secrets.get(DB_SECRET))
            elif await _started(gateway, config, tls, stopping):
                await stopping.wait()
            log.info("stopping; undelivered call logs stay queued for the next start")
            await gateway.stop()
            return lost
    finally:
        store.close()


async def _replica(
    gateway: Gateway,
    config: GatewayConfig,
    tls: TlsFiles | None,
    stopping: asyncio.Event,
    password: str | None,
) -> bool:
    """Serve desktops as a standby, lead once elected; True when the leadership was lost (not asked to stop)."""
    from linkus_companion.gateway.leadership import Leadership

    leadership = Leadership(
        config.state, password, holder=f"{config.public_url} pid {os.getpid()}", lease=config.leader_lease
    )
    await gateway.listen(config.bind, config.port, tls)
    try:
        return await _first(gateway.lead(leadership), stopping) and await _first(leadership.lost(), stopping)
    finally:
        await leadership.release()


async def _first(work: Coroutine[Any, Any, None], stopping: asyncio.Event) -> bool:
    """Run `work` until it ends (True; its error raised) or a stop is requested first (False)."""
    task, stop = asyncio.ensure_future(work), asyncio.ensure_future(stopping.wait())
    done, _ = await asyncio.wait({task, stop}, return_when=asyncio.FIRST_COMPLETED)
    for pending in (task, stop):
        pending.cancel()
    await asyncio.gather(task, stop, return_exceptions=True)
    if task in done:
        task.result()
        return True
    return False


async def _started(
    gateway: Gateway, config: GatewayConfig, tls: TlsFiles | None, stopping: asyncio.Event
) -> bool:
    """Start, retrying while the PBX is unreachable; False when asked to stop first."""
    delay = 1.0
    while not stopping.is_set():
        try:
            await gateway.start(config.bind, config.port, tls)
            return True
        except PbxError as exc:
            log.warning("cannot start: %s; retrying in %.0f s", exc, delay)
            await gateway.host.stop()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stopping.wait(), delay)
        delay = min(RETRY_MAX, delay * 2)
    return False


def open_store(config: GatewayConfig, secrets: SecretStore) -> Store:
    """The gateway's store: PostgreSQL (password from the secret sources) or SQLite in its state dir."""
    password = secrets.get(DB_SECRET) if config.state else None
    return Store.open(config.database, password=password)


def site_key(config: GatewayConfig, store: Store, secrets: SecretStore) -> Ed25519PrivateKey:
    """The token signing key: sealed in PostgreSQL for the replicas, else an owner-only file in the state dir."""
    if not config.state:
        return load_signing_key(config.signing_key)
    return shared_signing_key(store, sealing_secret(secrets))


def sealing_secret(secrets: SecretStore) -> str:
    """The secret every replica shares to seal the site's keys and tokens in the database."""
    secret = secrets.get(SIGNING_SECRET)
    if not secret:
        raise NotConfigured(
            Text(
                "Give every replica the same secret '{name}' (make it with `openssl rand -base64 32`):"
                " it seals the token signing key in the database.",
                name=SIGNING_SECRET,
            )
        )
    return secret


def grant_keeper(config: GatewayConfig, store: Store, secrets: SecretStore) -> SecretStore:
    """Where the CRM grant lives: one sealed row every replica shares on PostgreSQL, else the gateway's secrets.

    A grant authorised before the replicas shared one moves into the row the first time.
    """
    if not config.state:
        return secrets
    name = grant_name(config)
    shared = SharedGrants(store, sealing_secret(secrets), secrets, name)
    local = secrets.get(name)
    if local and shared.replace(name, None, local):
        log.info("the CRM grant of this replica is now shared with the others")
    return shared


def grant_name(config: GatewayConfig) -> str:
    """The name the configured CRM's grant is kept under."""
    return f"crm.{config.settings.get('crm.kind', '')}.grant"


def doctor(args: argparse.Namespace) -> int:
    """`gateway doctor --config FILE`: the source of each secret, and whether the store opens."""
    try:
        config = load(Path(args.config))
    except ConfigError as exc:
        tell(Text("PROBLEM  config {why}", why=text_of(exc)))
        return 1
    secrets = ServerSecrets(config.state_dir)
    tell(Text("secrets are read from: {where}", where=secrets.backend_name()))
    problems = 0
    required = (
        {PBX_SECRET: True, CRM_SECRET: False}
        | ({} if config.state else {grant_name(config): True})
        | ({DB_SECRET: True, SIGNING_SECRET: True} if config.state else {})
    )
    for name, needed in required.items():
        try:
            source: str = secrets.source_of(name) or ""
            missing = not source and needed
        except SecretStoreUnavailable as exc:
            source, missing = Text("PROBLEM: {why}", why=text_of(exc)), True
        if not source:
            source = (
                Text("PROBLEM: not found in any source")
                if needed
                else Text("not set (only some CRM apps need it)")
            )
        problems += missing
        tell(Text("secret {name}: {source}", name=name, source=source))
    try:
        store = open_store(config, secrets)
    except (StoreError, SecretStoreUnavailable) as exc:
        tell(Text("PROBLEM  store {why}", why=text_of(exc)))
        return 1
    tell(Text("ok       store {where} (schema {version})", where=store.where, version=store.schema_version))
    try:
        if config.state:
            site_key(config, store, secrets)
            tell(Text("ok       token signing key sealed in the store, opened with its secret"))
            problems += _shared_grant_problems(config, store, secrets)
    except (NotConfigured, SealError) as exc:
        tell(Text("PROBLEM  signing key {why}", why=text_of(exc)))
        problems += 1
    finally:
        store.close()
    tell(Text("{count} problem(s) found.", count=problems) if problems else Text("No problems found."))
    return 1 if problems else 0


def _shared_grant_problems(config: GatewayConfig, store: Store, secrets: SecretStore) -> int:
    """`doctor`'s line on the CRM grant the replicas share: 1 when it is missing or does not open."""
    name = grant_name(config)
    try:
        found = SharedGrants(store, sealing_secret(secrets), secrets, name).get(name) or secrets.get(name)
    except SealError as exc:
        tell(Text("PROBLEM  CRM grant {why}", why=text_of(exc)))
        return 1
    if not found:
        tell(Text("PROBLEM  no CRM grant {name}: run `gateway authorize` on one replica", name=name))
        return 1
    tell(Text("ok       CRM grant {name} shared by the replicas, sealed in the store", name=name))
    return 0


def authorize(args: argparse.Namespace, *, opener: Opener = open_in_browser) -> int:
    """`gateway authorize --config FILE`: sign the gateway's CRM admin account in (browser), for every replica."""
    if not args.config:
        log.error("Give the gateway's configuration file: linkus-companion gateway authorize --config FILE")
        return 2
    try:
        account = asyncio.run(authorize_crm(load(Path(args.config)), opener=opener))
    except (ConfigError, NotConfigured, CrmError, StoreError, SealError) as exc:
        tell(text_of(exc))
        return 1
    tell(Text("Authorised the gateway's {crm} account; restart the gateway to use it.", crm=account))
    return 0


async def authorize_crm(
    config: GatewayConfig,
    *,
    opener: Opener = open_in_browser,
    secrets: SecretStore | None = None,
    verify: ssl.SSLContext | bool = True,
    give_up_after: float = SIGN_IN_PATIENCE,
) -> str:
    """Run the OAuth sign-in of the configured CRM; keep the grant in the gateway's secrets (replicas: the store).

    The CRM app's client secret (`crm.client_secret`) must already be in that keyring where the CRM
    needs one; the sign-in page opens with `opener` (the system browser) and redirects to
    `crm.redirect_uri` on this machine. Returns the CRM's name.
    """
    secrets = secrets or ServerSecrets(config.state_dir)
    store = open_store(config, secrets) if config.state else None
    try:
        return await _authorize(
            config, opener, grant_keeper(config, store, secrets) if store else secrets, verify, give_up_after
        )
    finally:
        if store:
            store.close()


async def _authorize(
    config: GatewayConfig,
    opener: Opener,
    keeper: SecretStore,
    verify: ssl.SSLContext | bool,
    give_up_after: float,
) -> str:
    settings = config.open_settings()
    async with httpx.AsyncClient(timeout=15, verify=verify) as client:
        grants = crm_grants(settings, client, keeper)

        async def open_and_tell(url: str) -> None:
            tell(
                Text(
                    "Sign in to {crm} as the integration's admin user; if no browser opens, visit:",
                    crm=grants.provider.name,
                )
            )
            print(f"  {url}")
            await opener(url)

        await grants.authorize(
            open_and_tell, redirect_uri=str(settings.get("crm.redirect_uri")), give_up_after=give_up_after
        )
    log.info("gateway CRM account authorised for %s", grants.provider.name)
    return grants.provider.name


@contextlib.contextmanager
def _authority(args: argparse.Namespace) -> Iterator[tuple[TokenAuthority, GatewayConfig]]:
    config = load(Path(args.config))
    secrets = ServerSecrets(config.state_dir)
    store = open_store(config, secrets)
    try:
        yield TokenAuthority(store, site_key(config, store, secrets), config.public_url), config
    finally:
        store.close()


def enroll(args: argparse.Namespace) -> int:
    """`gateway enroll --extension N --email E`: print a one-time code and link for that desktop."""
    with _authority(args) as (authority, config):
        enrollment = authority.enroll(args.extension, args.email, dt.timedelta(days=args.days))
    tell(
        Text(
            "Enrollment for extension {extension} ({email}), one use, valid until {until} UTC:",
            extension=enrollment.extension,
            email=enrollment.email,
            until=f"{enrollment.expires_at:%Y-%m-%d %H:%M}",
        )
    )
    tell(Text("  code: {code}", code=enrollment.code))
    tell(Text("  link: {link}", link=enrollment.link(config.public_url)))
    return 0


def revoke(args: argparse.Namespace) -> int:
    """`gateway revoke --extension N | --session ID`: desktops using them are disconnected within seconds."""
    with _authority(args) as (authority, _config):
        count = authority.revoke(extension=args.extension, session_id=args.session)
    tell(Text("revoked {count} session(s)", count=count))
    return 0 if count else 1


def sessions(args: argparse.Namespace) -> int:
    """`gateway sessions`: every desktop session and whether it is revoked."""
    with _authority(args) as (authority, _config):
        for session_id, extension, email, revoked in authority.sessions():
            state = say(Text("revoked") if revoked else Text("active"))
            print(f"{session_id}  {extension:>6}  {email}  {state}")
    return 0
