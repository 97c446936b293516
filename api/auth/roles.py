"""Who may do what: a dependency per set of roles (admin may do everything)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import Depends, HTTPException, status

from api.auth.accounts import Actor
from api.auth.sessions import actor

IDEA_READERS = ("merchant", "planner", "viewer")  # merchants: their own ideas only
PLAN_READERS = ("merchant", "planner", "viewer", "machine")  # merchants: their own plans only
PAGE_PLAN_READERS = ("planner", "viewer")  # the plan pages (admin too)


# the dependencies that answer 403 to a signed-in caller of the wrong role: the OpenAPI schema
# declares a 403 on every route that depends on one of them (api/problems.py)
ROLE_CHECKS: set[Callable[..., Actor]] = set()


def require(*roles: str) -> Callable[[Actor], Actor]:
    """A dependency that lets in `roles` (and admin), else 403 with the reason."""

    def check(who: Annotated[Actor, Depends(actor)]) -> Actor:
        if who.role not in roles and who.role != "admin":
            need = " or ".join((*roles, "admin"))
            raise HTTPException(
                status.HTTP_403_FORBIDDEN, f"this action needs the role {need}; you are {who.role}"
            )
        return who

    ROLE_CHECKS.add(check)
    return check


admin_only = require()
idea_reader = require(*IDEA_READERS)
plan_reader = require(*PLAN_READERS)
merchant = require("merchant")
planner = require("planner")
factory = require("planner", "machine")
machine = require("machine")
factory_reader = require("planner", "viewer", "machine")  # the factory's lines and bookings


def person(who: Annotated[Actor, Depends(actor)]) -> Actor:
    """A person, not a machine identity: the pages are for people."""
    if who.role == "machine":
        raise HTTPException(403, "machine identities use the JSON API, not the pages")
    return who


def page_plan_reader(who: Annotated[Actor, Depends(person)]) -> Actor:
    if who.role not in PAGE_PLAN_READERS and who.role != "admin":
        raise HTTPException(403, "production plans are for planners, viewers and admins")
    return who


def page_planner(who: Annotated[Actor, Depends(person)]) -> Actor:
    if who.role not in ("planner", "admin"):
        raise HTTPException(403, "editing the factory's lines is for planners and admins")
    return who


ROLE_CHECKS.update((person, page_plan_reader, page_planner))
