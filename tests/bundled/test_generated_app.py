"""The generated application, checked from outside its own test suite.

The service's tests can be edited by its team; these checks cannot. They
probe the installed app (scopes, integer bounds, API docs, engine and
uvicorn options), redo the connection budget from the chart's and
Terraform's real values with a YAML parser (the service's own test reads them
with regular expressions), and check the docs a team is pointed to.
"""

from __future__ import annotations

import math
import re
import textwrap
from pathlib import Path

import pytest
import yaml

from tests.bundled.conftest import Service, clean_env, run

pytestmark = pytest.mark.slow

# PostgreSQL's default max_connections, and what the budget keeps free
# (superuser_reserved_connections, the migration job, psql, monitoring).
DATABASE_MAX_CONNECTIONS = 100
HEADROOM = 13
# The longest idle timeout of a load balancer in front (AWS ALB's default).
ALB_IDLE_TIMEOUT_SECONDS = 60


def _setting_default(service: Service, field: str) -> int:
    config = (service.path / "src" / service.package / "config.py").read_text()
    found = re.search(
        rf"^    {field}: int = Field\(\s*default=(\d[\d_]*)", config, re.M
    )
    assert found, f"{field} has no integer default in config.py"
    return int(found.group(1).replace("_", ""))


def _per_replica(service: Service) -> int:
    return _setting_default(service, "db_pool_size") + _setting_default(
        service, "db_max_overflow"
    )


def test_the_pool_budget_fits_the_charts_peak(helm_service: Service) -> None:
    chart = (
        helm_service.path
        / "deploy"
        / "helm"
        / str(helm_service.answers["service_name"])
    )
    base = yaml.safe_load((chart / "values.yaml").read_text())
    deployment = (chart / "templates" / "deployment.yaml").read_text()
    surge = re.search(r"maxSurge:\s*(\d+)%", deployment)
    surge_percent = int(surge.group(1)) if surge else 25
    per_replica = _per_replica(helm_service)
    checked = 0
    for values_file in sorted(chart.glob("values*.yaml")):
        values = {**base, **(yaml.safe_load(values_file.read_text()) or {})}
        autoscaling = {**base["autoscaling"], **values.get("autoscaling", {})}
        ceiling = (
            autoscaling["maxReplicas"]
            if autoscaling["enabled"]
            else values["replicaCount"]
        )
        peak = ceiling + math.ceil(ceiling * surge_percent / 100)
        needed = per_replica * peak + HEADROOM
        assert needed <= DATABASE_MAX_CONNECTIONS, (
            f"{values_file.name}: {peak} pods x {per_replica} connections + "
            f"{HEADROOM} = {needed} > {DATABASE_MAX_CONNECTIONS}"
        )
        checked += 1
    assert checked >= 2


def test_the_pool_budget_fits_ecs_at_peak(terraform_service: Service) -> None:
    terraform = terraform_service.path / "terraform"
    text = "\n".join(path.read_text() for path in sorted(terraform.rglob("*.tf")))
    default = re.search(
        r'variable\s+"max_capacity"\s*\{[^}]*?default\s*=\s*(\d+)', text
    )
    assert default, "terraform has no max_capacity default"
    ceilings = [int(default.group(1))]
    for tfvars in sorted(terraform.rglob("*.tfvars*")):
        ceilings += [
            int(value)
            for value in re.findall(
                r"(?m)^\s*max_capacity\s*=\s*(\d+)", tfvars.read_text()
            )
        ]
    percent = re.search(r"deployment_maximum_percent\s*=\s*(\d+)", text)
    factor = int(percent.group(1)) / 100 if percent else 2.0
    peak = math.floor(max(ceilings) * factor)
    needed = _per_replica(terraform_service) * peak + HEADROOM
    assert needed <= DATABASE_MAX_CONNECTIONS, f"ECS: {peak} tasks need {needed}"


def test_the_database_doc_covers_budget_timeout_and_poolers(service: Service) -> None:
    doc = (service.path / "docs" / "database.md").read_text()
    for phrase in (
        "DB_POOL_SIZE + DB_MAX_OVERFLOW",
        "max_connections",
        "statement_timeout",
        "hide_parameters",
        "PgBouncer",
        "transaction",
        "prepared statement",
        "statement_cache_size=0",
        "RDS Proxy",
        "DB_TRANSACTION_POOLER=true",
    ):
        assert phrase in doc, phrase


def test_the_readme_links_resolve(service: Service) -> None:
    readme = (service.path / "README.md").read_text()
    links = re.findall(r"\]\(((?!https?://|#)[^)]+)\)", readme)
    assert "docs/database.md" in links
    for link in links:
        assert (service.path / link.split("#")[0]).is_file(), f"README links {link}"


def test_the_readme_lists_every_setting(service: Service) -> None:
    readme = (service.path / "README.md").read_text()
    env_example = (service.path / ".env.example").read_text()
    keys = re.findall(r"^([A-Z_]+)=", env_example, re.MULTILINE)
    compose_only = {"POSTGRES_PASSWORD"}
    for key in set(keys) - compose_only:
        assert f"`{key}`" in readme, f"README's settings table lacks {key}"


PROBE = textwrap.dedent(
    """\
    import asyncio
    import time
    import uuid

    import httpx
    import jwt

    from {package}.config import Environment, Settings
    from {package}.db import build_engine
    from {package}.main import create_app

    SECRET = "probe-secret-that-is-long-enough-for-hs256"
    URL = "/api/v1/{path}"


    def settings(**overrides):
        values = dict(
            database_url="postgresql+asyncpg://u:p@127.0.0.1:1/db",
            jwt_secret=SECRET,
            app_env=Environment.TEST,
        )
        values.update(overrides)
        return Settings(_env_file=None, **values)


    def token(s, scope):
        now = int(time.time())
        claims = dict(sub="probe", iss=s.jwt_issuer, aud=s.jwt_audience, iat=now,
                      exp=now + 60, scope=scope)
        return {{"Authorization": "Bearer " + jwt.encode(claims, SECRET, "HS256")}}


    async def call(app, method, url, **kwargs):
        transport = httpx.ASGITransport(app=app)
        async with app.router.lifespan_context(app), httpx.AsyncClient(
            transport=transport, base_url="http://probe"
        ) as client:
            return await client.request(method, url, **kwargs)


    async def main():
        s = settings()
        app = create_app(s)
        reader = token(s, "{resource}:read")
        writer = token(s, "{resource}:read {resource}:write")
        one = URL + "/" + str(uuid.uuid4())

        for method, url, body in (("POST", URL, {{"name": "x"}}),
                                  ("PATCH", one, {{"name": "x"}}),
                                  ("DELETE", one, None)):
            r = await call(app, method, url, json=body, headers=reader)
            assert r.status_code == 403, (method, r.status_code, r.text)
            assert r.headers["content-type"] == "application/problem+json"
            assert r.json()["status"] == 403
        r = await call(app, "POST", URL, json={{"name": "x"}})
        assert r.status_code == 401, r.status_code
        r = await call(app, "GET", URL + "?limit=0")
        assert r.status_code == 422, r.status_code  # reads are open by default
        strict = create_app(settings(auth_require_read=True))
        r = await call(strict, "GET", URL)
        assert r.status_code == 401, r.status_code
        r = await call(strict, "GET", URL + "?limit=0", headers=reader)
        assert r.status_code == 422, r.status_code

        for body in ({{"name": "x", "quantity": 2**31}}, {{"name": "x", "quantity": 10**19}}):
            r = await call(app, "POST", URL, json=body, headers=writer)
            assert r.status_code == 422, (body, r.status_code)
        for query in ("offset=" + str(10**19), "min_quantity=" + str(2**31),
                      "max_quantity=" + str(2**31)):
            r = await call(app, "GET", URL + "?" + query, headers=reader)
            assert r.status_code == 422, (query, r.status_code)

        production = create_app(settings(app_env=Environment.PRODUCTION))
        for path in ("/docs", "/redoc", "/openapi.json"):
            assert (await call(production, "GET", path)).status_code == 404, path
            assert (await call(app, "GET", path)).status_code == 200, path
        enabled = create_app(settings(app_env=Environment.PRODUCTION, api_docs_enabled=True))
        assert (await call(enabled, "GET", "/openapi.json")).status_code == 200

        assert build_engine(s).sync_engine.hide_parameters
        from {package}.config import ServerSettings
        from {package}.server import uvicorn_options

        options = uvicorn_options(ServerSettings(_env_file=None))
        assert options["timeout_keep_alive"] > {alb}, options
        assert 0 < options["timeout_graceful_shutdown"] < 30, options
        print("probe ok")


    asyncio.run(main())
    """
)


def test_the_installed_app_enforces_scopes_bounds_and_docs(
    installed: Service, tmp_path: Path
) -> None:
    resource = str(installed.answers["resource_name"])
    probe = tmp_path / "probe.py"
    probe.write_text(
        PROBE.format(
            package=installed.package,
            path=resource.replace("_", "-"),
            resource=resource,
            alb=ALB_IDLE_TIMEOUT_SECONDS,
        )
    )
    env = clean_env()
    for name in ("KEEP_ALIVE_TIMEOUT_SECONDS", "GRACEFUL_SHUTDOWN_TIMEOUT_SECONDS"):
        env.pop(name, None)
    result = run([installed.python, probe], installed.path, env=env)
    assert "probe ok" in result.stdout
