"""Errors as RFC 9457 problem details (`application/problem+json`)."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DBAPIError
from starlette.exceptions import HTTPException as StarletteHTTPException

from .logging_config import request_id_var

PROBLEM_JSON = "application/problem+json"
# SQLSTATEs that mean "the request's data does not fit the column": asyncpg
# refusing to encode an argument (an int beyond int32/int64, a string for a
# number) and PostgreSQL's numeric_value_out_of_range.
DATA_OUT_OF_RANGE = frozenset({"22000", "22003"})

logger = logging.getLogger(__name__)


class ProblemError(Exception):
    """Raise to answer with a problem; handlers turn it into a response."""

    def __init__(
        self,
        status: int,
        detail: str | None = None,
        *,
        title: str | None = None,
        type_: str = "about:blank",
        headers: dict[str, str] | None = None,
        **extensions: Any,
    ) -> None:
        super().__init__(detail or title or HTTPStatus(status).phrase)
        self.status = status
        self.detail = detail
        self.title = title or HTTPStatus(status).phrase
        self.type = type_
        self.headers = headers
        self.extensions = extensions


def problem_response(
    request: Request,
    status: int,
    *,
    detail: str | None = None,
    title: str | None = None,
    type_: str = "about:blank",
    headers: Mapping[str, str] | None = None,
    **extensions: Any,
) -> JSONResponse:
    body: dict[str, Any] = {
        "type": type_,
        "title": title or HTTPStatus(status).phrase,
        "status": status,
        "instance": request.url.path,
    }
    if detail is not None:
        body["detail"] = detail
    request_id = request_id_var.get()
    if request_id is not None:
        body["request_id"] = request_id
    body.update(extensions)
    return JSONResponse(
        jsonable_encoder(body),
        status_code=status,
        media_type=PROBLEM_JSON,
        headers=headers,
    )


async def _problem_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ProblemError)  # noqa: S101 - registered for ProblemError
    return problem_response(
        request,
        exc.status,
        detail=exc.detail,
        title=exc.title,
        type_=exc.type,
        headers=exc.headers,
        **exc.extensions,
    )


async def _http_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)  # noqa: S101
    detail = exc.detail if exc.detail != HTTPStatus(exc.status_code).phrase else None
    return problem_response(
        request, exc.status_code, detail=detail, headers=exc.headers
    )


async def _validation_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)  # noqa: S101
    errors = [
        {
            "loc": list(error.get("loc", ())),
            "msg": error.get("msg", ""),
            "type": error.get("type", ""),
        }
        for error in exc.errors()
    ]
    return problem_response(
        request,
        HTTPStatus.UNPROCESSABLE_ENTITY,
        detail="The request is invalid; see `errors`.",
        errors=errors,
    )


async def _database_error(request: Request, exc: Exception) -> JSONResponse:
    """A value the schemas let through but the database cannot hold is a 422.

    The schemas bound every number by its column (schemas.py); this is the
    net under them, for an endpoint or a column added without a bound. The
    driver's message quotes the value, so it is neither logged nor returned.
    Any other database error stays a 500.
    """
    assert isinstance(exc, DBAPIError)  # noqa: S101
    sqlstate = getattr(exc.orig, "sqlstate", None)
    if sqlstate not in DATA_OUT_OF_RANGE:
        raise exc
    logger.warning(
        "request data does not fit the database; bound it in the schema",
        extra={"sqlstate": sqlstate, "path": request.url.path},
    )
    return problem_response(
        request,
        HTTPStatus.UNPROCESSABLE_ENTITY,
        detail="A value in the request is out of range for the database.",
    )


def install_problem_handlers(app: FastAPI) -> None:
    app.add_exception_handler(ProblemError, _problem_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(DBAPIError, _database_error)
