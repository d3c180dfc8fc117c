"""Which bundles to trust: public keys and a config URL, honoured only when a locked admin policy sets them."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from linkus_companion.config.errors import SettingsError
from linkus_companion.config.provisioning import load_public_key
from linkus_companion.config.rules import Each, WebUrl
from linkus_companion.config.setting import Setting
from linkus_companion.config.sources import Layer, PolicySource, Problem, Reading
from linkus_companion.texts import Text, text_of


@dataclass(frozen=True)
class PublicKeyText:
    """Rule: a readable Ed25519 or P-256 public key."""

    def accepts(self, value: object) -> bool:
        try:
            load_public_key(str(value))
        except ValueError:
            return False
        return isinstance(value, str)

    def describe(self) -> str:
        return "an Ed25519 or P-256 public key, PEM or one line of base64 (from `admin keygen`)"


TRUST_SETTINGS = (
    Setting(
        "provisioning.public_keys",
        tuple,
        (),
        "Public keys that may sign configuration bundles (honoured only from a locked policy)",
        Each(PublicKeyText(), max_items=5),
    ),
    Setting(
        "provisioning.url",
        str,
        "",
        "https address of the signed configuration bundle (honoured only from a locked policy)",
        WebUrl(allow_loopback_http=False),
    ),
)
"""Policy-only settings: never a user's, never in a bundle, so no one can vouch for their own bundle."""
TRUST_KEYS = frozenset(entry.key for entry in TRUST_SETTINGS)


@dataclass(frozen=True)
class Trust:
    """What locked policies say about bundles, and what was wrong with it."""

    keys: tuple[str, ...] = ()
    url: str = ""
    origin: str = ""
    """The policy that pinned the keys."""
    problems: tuple[Problem, ...] = ()


class PinnedTrust:
    """Reads the trust settings from locked admin sources (the first source to set one wins)."""

    def __init__(self, sources: Sequence[PolicySource]) -> None:
        self._sources = [s for s in sources if s.layer is Layer.LOCKED]

    def read(self) -> Trust:
        """The current trust; an invalid value is reported and left out."""
        found: dict[str, tuple[object, str]] = {}
        problems: list[Problem] = []
        for source in self._sources:
            values = source.read().values
            for entry in TRUST_SETTINGS:
                if entry.key in values and entry.key not in found:
                    raw, origin = values[entry.key]
                    try:
                        found[entry.key] = (entry.validate(raw), origin)
                    except SettingsError as exc:
                        problems.append(Problem(origin, Text("{why}; ignored", why=text_of(exc))))
        keys, origin = found.get("provisioning.public_keys", ((), ""))
        url, _ = found.get("provisioning.url", ("", ""))
        assert isinstance(keys, tuple) and isinstance(url, str)
        return Trust(keys, url, origin, tuple(problems))


class TrustProblems:
    """A source that sets nothing and reports the invalid trust settings, once."""

    layer = Layer.LOCKED

    def __init__(self, trust: PinnedTrust) -> None:
        self._trust = trust

    def read(self) -> Reading:
        return Reading(problems=list(self._trust.read().problems))


class WithoutTrust:
    """A policy source minus the trust settings, which only PinnedTrust reads.

    In a recommended source they would let anyone vouch for a bundle, so they are reported and ignored.
    """

    def __init__(self, source: PolicySource) -> None:
        self.layer = source.layer
        self._source = source

    def read(self) -> Reading:
        reading = self._source.read()
        kept = Reading(problems=reading.problems)
        for key, (raw, origin) in reading.values.items():
            if key not in TRUST_KEYS:
                kept.values[key] = (raw, origin)
            elif self.layer is not Layer.LOCKED:
                kept.problems.append(
                    Problem(origin, Text("{key} is honoured only as a locked policy; ignored", key=key))
                )
        return kept
