"""Web settings, read from ``BACKREHAB_*`` environment variables (pydantic-settings).

The secret key signs session cookies: required in production, generated once in development
and kept in ``<data_dir>/secret_key`` (mode 0600).
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from backrehab.db.session import database_url, default_data_dir
from backrehab.errors import ConfigError
from backrehab.web.services.jobs import UploadLimits

SECRET_KEY_FILE = "secret_key"
MIN_SECRET_KEY_LENGTH = 32


class Settings(BaseSettings):
    """Settings of the web app; every field may be set as ``BACKREHAB_<FIELD>``."""

    model_config = SettingsConfigDict(env_prefix="BACKREHAB_", extra="ignore")

    environment: Literal["development", "production"] = "development"
    database_url: str = Field(default_factory=database_url)
    data_dir: Path = Field(default_factory=default_data_dir)
    secret_key: SecretStr | None = None
    session_cookie_name: str = "backrehab_session"
    session_max_age_s: int = Field(default=8 * 3600, gt=0)
    session_cookie_secure: bool = False
    session_cookie_samesite: Literal["lax", "strict"] = "lax"
    login_attempts_per_minute: int = Field(default=5, ge=1)
    run_migrations: bool = True
    max_photo_mb: float = Field(default=25.0, gt=0, le=200)
    max_video_mb: float = Field(default=300.0, gt=0, le=4000)
    job_mode: Literal["process", "thread", "inline"] = "process"
    job_workers: int = Field(default=1, ge=1, le=16)
    require_https: bool = True
    """Refuse the live coach's page and socket over plain HTTP (``ws://``) for any host other
    than localhost, 127.0.0.1 or ::1. The scheme is the one the request arrived with; behind a
    reverse proxy uvicorn takes it from ``X-Forwarded-Proto`` only for the proxy addresses in
    ``FORWARDED_ALLOW_IPS`` (default 127.0.0.1 and ::1). ``false`` is an explicit opt-out for a
    trusted network only (browsers still give the camera to secure pages only)."""

    @property
    def media_dir(self) -> Path:
        """Where uploaded and derived media files are kept (by content hash)."""
        return self.data_dir / "media"

    @property
    def upload_limits(self) -> UploadLimits:
        """The per-type upload limits in bytes."""
        return UploadLimits(
            photo_bytes=int(self.max_photo_mb * 1_000_000),
            video_bytes=int(self.max_video_mb * 1_000_000),
        )

    @property
    def https_required(self) -> bool:
        """Whether non-local hosts must use HTTPS (:attr:`require_https`)."""
        return self.require_https

    def resolved_secret_key(self) -> bytes:
        """The signing key: ``secret_key``, else (development only) the data-dir key file.

        Raises :class:`ConfigError` in production without a key, or with a short one.
        """
        if self.secret_key is not None:
            key = self.secret_key.get_secret_value()
            if len(key) < MIN_SECRET_KEY_LENGTH:
                raise ConfigError(
                    f"BACKREHAB_SECRET_KEY must be at least {MIN_SECRET_KEY_LENGTH} characters."
                )
            return key.encode()
        if self.environment == "production":
            raise ConfigError("Set BACKREHAB_SECRET_KEY: it is required in production.")
        return _dev_secret_key(self.data_dir / SECRET_KEY_FILE)


def _dev_secret_key(path: Path) -> bytes:
    """Read the key file, creating it (mode 0600) with a random key on first use."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        key = path.read_text(encoding="ascii").strip()
        if len(key) < MIN_SECRET_KEY_LENGTH:
            raise ConfigError(
                f"The secret key file {path} is too short; delete it to make a new one."
            ) from None
        return key.encode()
    key = secrets.token_urlsafe(48)
    with os.fdopen(fd, "w", encoding="ascii") as fh:
        fh.write(key + "\n")
    return key.encode()
