"""`linkus-companion gateway health --config FILE`: this machine's gateway answers /health (for container checks)."""

from __future__ import annotations

import argparse
import ssl
from pathlib import Path
from urllib.parse import urlsplit

import httpx

from linkus_companion.gateway.config import ConfigError, GatewayConfig, load
from linkus_companion.gateway.unreachable import unreachable
from linkus_companion.terminal import say
from linkus_companion.texts import Text, text_of

PATIENCE = 5.0


def url_and_trust(config: GatewayConfig) -> tuple[str, ssl.SSLContext | None, str]:
    """Where this machine's gateway listens, what its TLS certificate must verify against, and for which name.

    A wildcard bind is reached on 127.0.0.1; the certificate is checked for the public URL's host name
    against the system's CAs and the configured certificate itself (self-signed or from a private CA).
    """
    public = urlsplit(config.public_url)
    https = public.scheme == "https"
    port = config.port or public.port or (443 if https else 80)
    host = "127.0.0.1" if config.bind in ("0.0.0.0", "::", "") else config.bind  # noqa: S104 - a comparison
    if not https:
        return f"http://{host}:{port}/health", None, ""
    trust = ssl.create_default_context()
    if config.tls_cert is not None:  # pinned: the gateway's own certificate is a trust anchor too
        trust.load_verify_locations(cafile=str(config.tls_cert))
        trust.verify_flags |= ssl.VERIFY_X509_PARTIAL_CHAIN
    return f"https://{host}:{port}/health", trust, public.hostname or ""


def health(args: argparse.Namespace) -> int:
    """Print the gateway's health in one line; 0 when it is healthy (a leader serving, or a standby)."""
    try:
        url, trust, name = url_and_trust(load(Path(args.config)))
    except ConfigError as exc:
        print(say(text_of(exc)))
        return 2
    extensions = {"sni_hostname": name} if name else {}
    try:
        with httpx.Client(verify=trust or True, timeout=PATIENCE) as client:
            response = client.get(url, extensions=extensions)
        body = response.json()
    except (httpx.HTTPError, ValueError) as exc:
        print(say(Text("unhealthy: {why}", why=unreachable(url, exc))))
        return 1
    print(f"{body.get('status', '?')}: {body.get('role', '?')}, PBX {body.get('pbx', '?')}")
    return 0 if response.status_code == 200 else 1
