"""The live tests, pointed at the sandbox: they must pass against a GitLab that behaves,
so a failure on a real instance is the instance's difference, not a broken test."""

from __future__ import annotations

import os
import subprocess
import sys

from tests.conftest import ROOT


def test_the_live_tests_pass_against_the_sandbox(make_sandbox):
    box = make_sandbox()
    env = {
        **os.environ,
        "GITLAB_URL": box.url,
        "GITLAB_TOKEN": box.token,
        "TRIAGE_LIVE_GROUP": "acme-corp",
    }
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "-p",
            "no:xdist",
            "-m",
            "live",
            "tests/live",
        ],
        check=False,
        env=env,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout[-3000:]
    assert "4 passed" in done.stdout
