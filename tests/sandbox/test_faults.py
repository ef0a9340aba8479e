"""Faults on demand: rate limits with GitLab's 429 and headers, and seeded 5xx errors."""

from __future__ import annotations

import gitlab
import pytest
import requests

from tests.conftest import control
from tests.sandbox.queries import LABELS


def test_over_the_limit_requests_get_429_with_gitlab_headers(make_sandbox):
    box = make_sandbox(rate_limit=2, rate_limit_window=30)
    headers = {"PRIVATE-TOKEN": box.token}
    statuses = [
        requests.get(f"{box.url}/api/v4/groups", headers=headers, timeout=10) for _ in range(3)
    ]
    assert [r.status_code for r in statuses] == [200, 200, 429]
    allowed, limited = statuses[1], statuses[2]
    assert allowed.headers["RateLimit-Limit"] == "2"
    assert allowed.headers["RateLimit-Remaining"] == "0"
    assert limited.text == "Retry later\n"
    assert 1 <= int(limited.headers["Retry-After"]) <= 30
    assert int(limited.headers["RateLimit-Reset"]) > 0
    assert control(box, "stats")["throttled"] == 1


def test_python_gitlab_waits_out_a_429_and_succeeds(make_sandbox, graphql_for):
    # 3 requests a second: 10 requests cannot all fit in the (at most two) windows they span
    box = make_sandbox(rate_limit=3, rate_limit_window=1)
    rest = gitlab.Gitlab(box.url, private_token=box.token)  # obeys 429 by default
    paths = [rest.groups.get("globex").full_path for _ in range(7)]
    graphql = graphql_for(box, retrying=True, max_retries=5)
    counts = [
        graphql.execute(LABELS, variable_values={"path": "globex"})["group"]["labels"]["count"]
        for _ in range(3)
    ]
    assert paths == ["globex"] * 7
    assert counts == [20, 20, 20]
    assert control(box, "stats")["throttled"] >= 1


def test_injected_server_errors_are_retried_then_reported(make_sandbox):
    box = make_sandbox(fault_rate=1.0)
    client = gitlab.Gitlab(box.url, private_token=box.token, retry_transient_errors=True)
    with pytest.raises(gitlab.GitlabGetError) as failed:
        client.groups.get("globex", max_retries=1)
    assert failed.value.response_code in (500, 502)
    assert control(box, "stats")["faults_injected"] == 2  # the try and one retry


def test_the_fault_sequence_is_reproducible_from_its_seed(make_sandbox):
    def statuses(seed: int) -> list[int]:
        box = make_sandbox(fault_rate=0.5, fault_seed=seed)
        return [
            requests.get(
                f"{box.url}/api/v4/groups", headers={"PRIVATE-TOKEN": box.token}, timeout=10
            ).status_code
            for _ in range(12)
        ]

    first, again, other = statuses(7), statuses(7), statuses(8)
    assert first == again
    assert first != other
    assert {200} < set(first)  # some requests failed, some did not
