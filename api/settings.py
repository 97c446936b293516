"""What the API is configured with. The shell builds it from its settings (trendforge.stack);
tests build it directly. create_app(settings) is the only way configuration reaches the API."""

from __future__ import annotations

from pathlib import Path

from pydantic import BaseModel, Field, SecretStr
from temporalio.service import TLSConfig

from models.contracts import PipelineConfig
from models.names import LIGHT_QUEUE


class ApiSettings(BaseModel):
    jwt_secret: SecretStr = Field(description="HS256 key of login tokens and CSRF tokens")
    uploads_dir: Path = Field(description="Where accepted reference meshes are kept")
    database_url: str | None = Field(
        default=None, description="Used when create_app is given no engine"
    )
    temporal_address: str = "127.0.0.1:7233"
    temporal_namespace: str = "default"
    temporal_tls: TLSConfig | None = Field(
        default=None, repr=False, description="TLS to Temporal (trendforge.settings reads it)"
    )
    task_queue: str = Field(default=LIGHT_QUEUE, description="Where pipelines are started")
    pipeline: PipelineConfig = PipelineConfig()
    virality_threshold: float = 1.0
    temporal_ui_url: str | None = None
    max_upload_bytes: int = 50_000_000
    max_body_bytes: int = Field(
        default=2_000_000, description="Every request body but an upload's (413 above it)"
    )
    ideas_in_flight: int = Field(
        default=100, ge=1, description="Per merchant: ideas not yet finished (429 above it)"
    )
    ideas_per_minute: int = Field(
        default=30, ge=1, description="Per merchant: new ideas in any 60 s (429 above it)"
    )
    token_ttl_minutes: int = 480
    cookie_secure: bool = False
    login_max_failures: int = 5
    login_window_s: float = 900.0
    trusted_proxies: list[str] = Field(
        default_factory=list,
        description="Addresses/CIDRs of the proxies whose X-Forwarded-For names the client",
    )
