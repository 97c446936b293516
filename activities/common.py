"""What every stage's activities use: domain errors as non-retryable failures, write-once
inserts, and waiting on a pool job while heartbeating."""

from __future__ import annotations

import functools
from collections.abc import Callable
from concurrent.futures import Future
from concurrent.futures import TimeoutError as FuturesTimeout
from typing import Any, TypeVar

from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session
from temporalio import activity
from temporalio.exceptions import ApplicationError

from models.names import DOMAIN_ERRORS

T = TypeVar("T")
R = TypeVar("R")


def domain_errors(fn: Callable[..., T]) -> Callable[..., T]:
    """Turn an engine's typed domain error into a non-retryable failure carrying its reason."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> T:
        try:
            return fn(*args, **kwargs)
        except ValueError as err:
            name = type(err).__name__
            if name not in DOMAIN_ERRORS:
                raise
            raise ApplicationError(str(err), type=name, non_retryable=True) from err

    return wrapper


def row_or_fail(s: Session, table: type[R], key: int, what: str) -> R:
    """The row with this key; a non-retryable failure naming `what` when there is none."""
    row = s.get(table, key)
    if row is None:
        raise ApplicationError(f"{what} {key} does not exist", non_retryable=True)
    return row


def insert_once(engine: Engine, row: Any) -> bool:
    """Insert `row` unless its unique key exists already; True when this call inserted it."""
    with Session(engine) as session:
        session.add(row)
        try:
            session.commit()
            return True
        except IntegrityError:
            session.rollback()
            return False


def await_with_heartbeats(job: Future[T], detail: str, every_s: float = 2.0) -> T:
    """The job's result, heartbeating while it runs (errors from the job re-raise here)."""
    while True:
        try:
            return job.result(timeout=every_s)
        except FuturesTimeout:
            if activity.in_activity():  # the activities are also called directly
                activity.heartbeat(detail)
