"""One settings class for the whole shell; every field has a working default (TRENDFORGE_ prefix)."""

from __future__ import annotations

import secrets
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict
from temporalio.service import TLSConfig

from models.contracts import PipelineConfig
from models.names import CPU_QUEUE, LIGHT_QUEUE


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="TRENDFORGE_", env_file=".env", extra="ignore")

    data_dir: Path = Field(
        default=Path("./.trendforge"), description="Files, SQLite, Temporal state"
    )
    database_url: str | None = Field(
        default=None, description="SQLAlchemy URL; default sqlite:///<data_dir>/trendforge.db"
    )
    api_host: str = "127.0.0.1"
    api_port: int = 8000
    temporal_address: str | None = Field(
        default=None, description="host:port of a Temporal cluster; unset = start the embedded one"
    )
    temporal_namespace: str = "default"
    temporal_port: int = 7233
    temporal_ui_port: int = 8233
    temporal_bin: str | None = Field(default=None, description="Path of the `temporal` CLI")
    temporal_ui_url: str | None = Field(
        default=None, description="The Temporal UI to link to when Temporal runs elsewhere"
    )
    temporal_tls_ca: Path | None = Field(
        default=None,
        description="PEM CA the Temporal server's certificate is checked against; any "
        "TEMPORAL_TLS_* setting turns TLS on (unset CA = the system's roots)",
    )
    temporal_tls_cert: Path | None = Field(
        default=None, description="PEM client certificate for Temporal mTLS (with _TLS_KEY)"
    )
    temporal_tls_key: Path | None = Field(
        default=None, description="PEM private key of TEMPORAL_TLS_CERT"
    )
    temporal_tls_server_name: str | None = Field(
        default=None,
        description="Name the Temporal server's certificate is checked for (and SNI), when it "
        "is not the address's host",
    )
    task_queue: str = LIGHT_QUEUE
    cpu_task_queue: str = Field(
        default=CPU_QUEUE, description="Queue of the mesh/scheduling activities"
    )
    trend_feed: str | None = Field(default=None, description="JSONL/CSV feed read by trend-watch")
    trend_watch_every_s: int = Field(default=300, ge=5)
    virality_threshold: float = 1.0
    supplier_count: int = Field(default=600, ge=10, description="Seeded Yiwu network size")
    supplier_seed: int = 7
    road_graph_osm: Path | None = Field(
        default=None, description="OpenStreetMap XML extract for travel times (else straight line)"
    )
    max_upload_bytes: int = Field(default=50_000_000, description="POST /ideas/upload's body")
    mesh_repair: Literal["trimesh", "pymeshfix"] = Field(
        default="trimesh",
        description="pymeshfix closes what trimesh cannot; needs trendforge[gpl-repair] (AGPL-3.0)",
    )
    max_body_bytes: int = Field(
        default=2_000_000, ge=1024, description="Every other request body (413 above it)"
    )
    ideas_in_flight: int = Field(
        default=100, ge=1, description="Per merchant: ideas not yet finished (429 above it)"
    )
    ideas_per_minute: int = Field(
        default=30, ge=1, description="Per merchant: new ideas in any 60 s (429 above it)"
    )
    variant_count: int = Field(default=36, ge=1, le=200)
    design_generators: list[str | dict[str, Any]] = Field(
        default_factory=lambda: ["parametric"],
        description='Design generators in order, JSON: "parametric" (embedded) and plug-ins, e.g. '
        '["parametric", {"name": "pebbles", "command": ["{python}", '
        '"engines/design/generators/example_program.py"], "timeout_s": 20}]',
    )
    pipeline: dict[str, Any] = Field(
        default_factory=dict,
        description='PipelineConfig overrides as JSON, e.g. {"plan_time_limit_s": 2, "use_slicer": false}',
    )

    def pipeline_config(self) -> PipelineConfig:
        """The per-idea knobs the API starts pipelines with: defaults, variant count, overrides."""
        return PipelineConfig(**{"variant_count": self.variant_count, **self.pipeline})

    encrypt_payloads: bool = Field(
        default=True, description="Encrypt Temporal payloads (idea texts, merchant ids)"
    )
    payload_secret: SecretStr | None = Field(
        default=None,
        description="Secret of the payload key (16+ characters, the same for every process); "
        "unset = <data_dir>/payload_secret",
    )
    jwt_secret: SecretStr | None = Field(
        default=None, description="HS256 key of the login tokens; unset = <data_dir>/jwt_secret"
    )
    token_ttl_minutes: int = Field(default=480, ge=1, le=60 * 24 * 30)
    cookie_secure: bool = Field(default=False, description="Send tf_session only over HTTPS")
    login_max_failures: int = Field(
        default=5, ge=1, description="Failed logins per user name and client before a 429"
    )
    login_window_s: float = Field(default=900, gt=0, description="Window of login_max_failures")
    trusted_proxies: list[str] = Field(
        default_factory=list,
        description='Proxies (addresses or CIDRs, JSON list) whose X-Forwarded-For is believed, e.g. ["10.0.0.5"]',
    )
    admin_user: str | None = Field(default=None, description="First admin, created at start")
    admin_password: SecretStr | None = None

    @property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'trendforge.db').resolve()}"

    @property
    def resolved_temporal_address(self) -> str:
        return self.temporal_address or f"127.0.0.1:{self.temporal_port}"

    def temporal_tls(self) -> TLSConfig | None:
        """How to reach Temporal over TLS (None = plaintext): the files read now, so a missing or
        unreadable one stops the start with the setting's name. TLS needs a Temporal address:
        the embedded dev server speaks plaintext only."""
        paths = {
            "temporal_tls_ca": self.temporal_tls_ca,
            "temporal_tls_cert": self.temporal_tls_cert,
            "temporal_tls_key": self.temporal_tls_key,
        }
        if not any(paths.values()) and not self.temporal_tls_server_name:
            return None
        if not self.temporal_address:
            raise SettingsError(
                "TRENDFORGE_TEMPORAL_TLS_* need TRENDFORGE_TEMPORAL_ADDRESS: the embedded "
                "Temporal dev server has no TLS"
            )
        if (self.temporal_tls_cert is None) != (self.temporal_tls_key is None):
            raise SettingsError(
                "TRENDFORGE_TEMPORAL_TLS_CERT and TRENDFORGE_TEMPORAL_TLS_KEY go together: "
                "set both or neither"
            )
        pem = {name: _read_pem(name, path) for name, path in paths.items() if path is not None}
        return TLSConfig(
            server_root_ca_cert=pem.get("temporal_tls_ca"),
            client_cert=pem.get("temporal_tls_cert"),
            client_private_key=pem.get("temporal_tls_key"),
            domain=self.temporal_tls_server_name or None,
        )

    def resolved_payload_key(self) -> bytes | None:
        """The key Temporal payloads are encrypted with (None when encryption is off): from
        TRENDFORGE_PAYLOAD_SECRET, else a secret generated once under the data dir."""
        if not self.encrypt_payloads:
            return None
        from services.codec import payload_key

        if self.payload_secret is not None and self.payload_secret.get_secret_value():
            return payload_key(self.payload_secret.get_secret_value())
        return payload_key(load_or_create_secret(self.data_dir, "payload_secret"))

    def resolved_jwt_secret(self) -> str:
        """The configured secret, else the one generated once and kept under the data dir."""
        if self.jwt_secret is not None and self.jwt_secret.get_secret_value():
            return self.jwt_secret.get_secret_value()
        return load_or_create_secret(self.data_dir)

    @property
    def files_dir(self) -> Path:
        return self.data_dir / "files"


class SettingsError(ValueError):
    """A setting that cannot work; the message names it (TRENDFORGE_…)."""


def _read_pem(field: str, path: Path) -> bytes:
    """The PEM file a setting names, or a SettingsError that says which setting and why."""
    name = f"TRENDFORGE_{field.upper()}"
    try:
        data = path.read_bytes()
    except OSError as err:
        raise SettingsError(f"{name}={path} cannot be read: {err.strerror or err}") from err
    if b"-----BEGIN " not in data:
        raise SettingsError(f"{name}={path} is not a PEM file (no -----BEGIN line)")
    return data


def load_or_create_secret(data_dir: Path, name: str = "jwt_secret") -> str:
    """A secret kept in `<data_dir>/<name>` (mode 600), created on first use."""
    path = data_dir / name
    if path.is_file():
        value = path.read_text().strip()
        if len(value) >= 32:
            return value
    data_dir.mkdir(parents=True, exist_ok=True)
    value = secrets.token_urlsafe(48)
    path.touch(mode=0o600)
    path.chmod(0o600)
    path.write_text(value)
    return value


@lru_cache
def get_settings() -> Settings:
    return Settings()
