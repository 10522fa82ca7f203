"""Writes that happen once per request key: a modal submitted twice, a Slack retry."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, TypeVar

from domain.errors import Conflict

if TYPE_CHECKING:
    from domain.ports import UnitOfWork, UnitOfWorkFactory

T = TypeVar("T")


def write_once(
    uow_factory: UnitOfWorkFactory,
    team_id: str,
    key: str | None,
    *,
    now: datetime,
    write: Callable[[UnitOfWork], T],
    result_ref: Callable[[T], str],
    load: Callable[[UnitOfWork, str], T],
    races: tuple[type[Exception], ...] = (Conflict,),
) -> T:
    """Run `write` and commit, remembering its result under `key`; the same key again
    returns the first result. When a twin request commits first, `write` fails with one of
    `races` (a unique key hit) and the twin's result is returned instead of that error."""
    try:
        with uow_factory() as uow:
            if key and (earlier := uow.idempotency.get(team_id, key)) is not None:
                return load(uow, earlier)
            result = write(uow)
            if key:
                uow.idempotency.put(team_id, key, result_ref(result), now=now)
            uow.commit()
            return result
    except races:
        if not key:
            raise
        with uow_factory() as uow:
            earlier = uow.idempotency.get(team_id, key)
            if earlier is None:
                raise
            return load(uow, earlier)
