"""TrendForge data: SQLModel tables (models.tables) and Pydantic contracts (models.contracts)."""

from models.contracts import *  # noqa: F403
from models.tables import (  # noqa: F401
    ApiKey,
    DesignVariant,
    Milestone,
    Notification,
    ProductionPlan,
    ProductionRun,
    ProgressEvent,
    Prototype,
    Shipment,
    Supplier,
    SupplierCapability,
    SupplierReservation,
    Trend,
    TrendSignal,
    User,
    utcnow,
)
