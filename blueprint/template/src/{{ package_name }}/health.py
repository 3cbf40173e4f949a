"""Liveness (the process answers) and readiness (the database answers)."""

from __future__ import annotations

import asyncio
import logging
from typing import Literal

from fastapi import APIRouter, Request
from pydantic import BaseModel
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine

from .config import Settings
from .problems import ProblemError

router = APIRouter(prefix="/health", tags=["health"])
logger = logging.getLogger(__name__)


class HealthStatus(BaseModel):
    status: Literal["ok"] = "ok"


@router.get("/live", response_model=HealthStatus)
async def live() -> HealthStatus:
    return HealthStatus()


async def _ping(engine: AsyncEngine) -> None:
    async with engine.connect() as connection:
        await connection.execute(text("SELECT 1"))


@router.get(
    "/ready",
    response_model=HealthStatus,
    responses={503: {"description": "The database is unreachable"}},
)
async def ready(request: Request) -> HealthStatus:
    settings: Settings = request.app.state.settings
    try:
        async with asyncio.timeout(settings.readiness_timeout_seconds):
            await _ping(request.app.state.engine)
    except Exception as exc:  # any failure means "not ready", never a 500
        logger.warning("readiness check failed", extra={"error": repr(exc)})
        raise ProblemError(503, "The database is unreachable.") from exc
    return HealthStatus()
