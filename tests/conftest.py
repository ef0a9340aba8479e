"""Shared fixtures: a sandbox on a free loopback port and python-gitlab clients for it."""

from __future__ import annotations

import importlib
import os
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import gitlab
import pytest
import requests
from gitlab_sandbox import Options, Sandbox

DEMO_DAY = date(2026, 11, 20)  # the demo seed's anchor date: no date shifting in tests


@pytest.fixture
def sandbox() -> Iterator[Sandbox]:
    with Sandbox(seed="demo", today=DEMO_DAY) as running:
        yield running


@pytest.fixture
def make_sandbox() -> Iterator[Any]:
    """Start sandboxes with custom seeds or fault options; all are stopped afterwards."""
    started: list[Sandbox] = []

    def start(seed: str = "demo", **options: Any) -> Sandbox:
        box = Sandbox(seed=seed, today=DEMO_DAY, options=Options(**options)).start()
        started.append(box)
        return box

    yield start
    for box in started:
        box.stop()


@pytest.fixture
def gl(sandbox: Sandbox) -> gitlab.Gitlab:
    return gitlab.Gitlab(sandbox.url, private_token=sandbox.token)


@pytest.fixture
def gq(sandbox: Sandbox) -> Iterator[gitlab.GraphQL]:
    with gitlab.GraphQL(sandbox.url, token=sandbox.token) as client:
        yield client


@pytest.fixture
def graphql_for() -> Iterator[Any]:
    """python-gitlab GraphQL clients for any sandbox (or token), closed after the test.

    ``retrying=True`` gives python-gitlab an HTTP client of the httpx flavour gql catches
    errors of (``httpx2`` when installed, as openai 3 installs it). python-gitlab builds its
    own client from plain ``httpx``, so with both installed a 429 or 5xx escapes gql as a raw
    ``HTTPStatusError`` and python-gitlab's retry never runs.
    """
    clients: list[gitlab.GraphQL] = []

    def client(
        box: Sandbox, token: str | None = None, retrying: bool = False, **kwargs: Any
    ) -> gitlab.GraphQL:
        token = token or box.token
        if retrying:
            flavour = importlib.import_module("gql.transport.httpx").httpx
            kwargs["client"] = flavour.Client(headers={"Authorization": f"Bearer {token}"})
        made = gitlab.GraphQL(box.url, token=token, **kwargs)
        clients.append(made)
        return made

    yield client
    for made in clients:
        made.__exit__()


ROOT = Path(__file__).parents[1]


def point_bot_at(box: Sandbox, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    """The environment a run of the bot against ``box`` needs: its URL and token, pacing
    out of the way, no LLM key from the developer's shell and no CI job's variables, the
    repository as cwd."""
    monkeypatch.setenv("GITLAB_URL", box.url)
    monkeypatch.setenv("GITLAB_TOKEN", box.token)
    monkeypatch.setenv("TRIAGE_NOTES_PER_MINUTE", "100000")
    monkeypatch.setenv("TRIAGE_REQUESTS_PER_MINUTE", "1000000")
    for name in ("OPENAI_API_KEY", "AZURE_OPENAI_API_KEY", "OPENAI_BASE_URL"):
        monkeypatch.delenv(name, raising=False)
    # The suite may itself run in a CI job: its variables would change shards and checks.
    for name in (
        "GITLAB_CI",
        "CI_PIPELINE_SOURCE",
        "CI_JOB_TOKEN",
        "CI_NODE_INDEX",
        "CI_NODE_TOTAL",
        "CI_PIPELINE_ID",  # two runs of one job would hold one lease (lease.run_id)
        "CI_JOB_NAME",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(ROOT)
    return {**os.environ}


@pytest.fixture
def bot_env(sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    return point_bot_at(sandbox, monkeypatch)


def control(box: Sandbox, name: str, body: Any = None) -> Any:
    """Call a /-/sandbox/ route over HTTP and return its JSON."""
    url = f"{box.url}/-/sandbox/{name}"
    response = (
        requests.post(url, json=body, timeout=10)
        if body is not None
        else requests.get(url, timeout=10)
    )
    response.raise_for_status()
    return response.json()
