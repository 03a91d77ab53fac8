"""The Flask application: the verified Alexa endpoint, a health check and, when enabled, the
browser simulator. Configured from the environment through `Settings`."""

from __future__ import annotations

import logging
import sys
from functools import partial
from pathlib import Path
from urllib.parse import urlsplit

from flask import Flask

from skill import __version__
from skill.alexa.skill import build_skill
from skill.config import ConfigError, Settings, StrPath
from skill.storage.factory import make_store
from skill.web.alexa_endpoint import MAX_BODY_BYTES, alexa_blueprint
from skill.web.certificates import CertificateFetcher, Clock, fetch_certificate_chain, utc_now
from skill.web.verification import AlexaRequestVerifier

log = logging.getLogger(__name__)


def direct_fetcher(settings: Settings) -> CertificateFetcher:
    """Fetch signing certificates from s3.amazonaws.com, through the egress proxy if one is set."""
    return partial(fetch_certificate_chain, proxy=settings.https_proxy, no_proxy=settings.no_proxy)


def mirror_fetcher(base_url: str) -> CertificateFetcher:
    """Fetch signing certificates from a mirror with the same paths as s3.amazonaws.com."""

    def fetch(url: str) -> bytes:
        return fetch_certificate_chain(base_url + urlsplit(url).path)

    return fetch


def _trusted_roots(path: StrPath | None) -> bytes | None:
    if path is None:
        return None
    try:
        return Path(path).read_bytes()
    except OSError as error:
        raise ConfigError(f"SKILL_TRUSTED_ROOTS cannot be read: {error}") from error


def make_verifier(
    settings: Settings, fetcher: CertificateFetcher | None = None, now: Clock = utc_now
) -> AlexaRequestVerifier:
    if fetcher is None:
        mirror = settings.cert_mirror
        fetcher = mirror_fetcher(mirror) if mirror else direct_fetcher(settings)
    trusted_roots_pem = _trusted_roots(settings.trusted_roots)
    try:
        return AlexaRequestVerifier(
            settings.skill_id,
            verify_signature=settings.verify,
            trusted_roots_pem=trusted_roots_pem,
            replace_default_roots=settings.trusted_roots_only,
            fetcher=fetcher,
            now=now,
        )
    except ValueError as error:  # unusable trusted roots, or the chain check cannot run here
        roots = (
            f" with SKILL_TRUSTED_ROOTS={settings.trusted_roots}" if settings.trusted_roots else ""
        )
        raise ConfigError(f"cannot verify Alexa's requests{roots}: {error}") from error


def create_app(
    settings: Settings | None = None,
    *,
    local: bool = False,
    fetcher: CertificateFetcher | None = None,
    now: Clock = utc_now,
) -> Flask:
    """The web service. In production (the default) SKILL_ID is required; `local` (the
    `serve` command) allows running without one."""
    settings = settings or Settings.from_env()
    if settings.skill_id is None:
        if not local:
            raise ConfigError("SKILL_ID must be set to this skill's ID to serve Alexa")
        log.warning("SKILL_ID is not set: requests for any skill ID are accepted")
    if not settings.verify:
        log.warning("SKILL_VERIFY=0: Alexa signatures and timestamps are NOT checked")
    app = Flask(__name__)
    # One byte over the limit: a chunked body longer than the limit reads as too long.
    app.config["MAX_CONTENT_LENGTH"] = MAX_BODY_BYTES + 1
    skill = build_skill(make_store(settings), skill_id=settings.skill_id)
    app.register_blueprint(alexa_blueprint(skill, make_verifier(settings, fetcher, now), settings))

    @app.get("/health")
    def health() -> dict[str, str]:
        return {"status": "ok", "version": __version__}

    if settings.simulator:
        from skill.web.simulator import simulator_blueprint

        app.register_blueprint(simulator_blueprint(settings))
    return app


APP_LOAD_ERROR = 4  # the exit status gunicorn's master reads as "the app cannot load": it halts


def production_app() -> Flask:
    """The production web service. A configuration error (SKILL_ID unset, a bad SKILL_STORE,
    unreadable trust roots) is printed as one line, and the process exits with a status that
    tells gunicorn to stop rather than start workers again and again."""
    try:
        return create_app()
    except ConfigError as error:
        print(f"back-stretches: configuration error: {error}", file=sys.stderr, flush=True)
        raise SystemExit(APP_LOAD_ERROR) from None
