"""One router per resource; api.app includes them in this order."""

from api.routes import (
    auth,
    codec,
    compliance,
    consignments,
    dashboard,
    factory,
    ideas,
    line_pages,
    pages,
    plans,
    prototypes,
    runs,
    signals,
    suppliers,
    variants,
)

ROUTERS = [
    auth.router,
    codec.router,
    ideas.router,
    variants.router,
    prototypes.router,
    compliance.router,
    suppliers.router,
    plans.router,
    factory.router,
    runs.router,
    consignments.router,
    consignments.legs,
    signals.router,
    dashboard.router,
    pages.router,
    line_pages.router,
]
