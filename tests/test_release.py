"""A release users can pin: the version is the git tag, the tag pipeline publishes the
wheel and sdist to this project's package registry and creates the release, and the
component installs exactly its own version from that registry, with no public index."""

from __future__ import annotations

import importlib.metadata
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
import yaml

from scripts import pin_component
from tests.cli import run_cli
from triage import __version__
from triage.errors import EXIT_UNREACHABLE

ROOT = Path(__file__).parents[1]
COMPONENT = ROOT / "templates" / "weekly-triage.yml"


def component() -> tuple[dict, dict]:
    header, jobs = yaml.safe_load_all(COMPONENT.read_text())
    return header, jobs


def test_the_default_package_is_a_pinned_release_from_the_projects_registry_only():
    header, _jobs = component()
    default = header["spec"]["inputs"]["package"]["default"]
    match = re.fullmatch(r"smart-triage==(\d+\.\d+\.\d+) --index-url (\S+)", default)
    assert match, default  # one exact version; one index; no --extra-index-url
    version, index = match.groups()
    project = re.search(r"/api/v4/projects/([^/]+)/packages/pypi/simple$", index)
    assert project, index
    path = project.group(1).replace("%2F", "/")
    assert index == pin_component.registry(path)
    assert index.startswith("${CI_SERVER_PROTOCOL}://gitlab-ci-token:${CI_JOB_TOKEN}@")
    assert default == pin_component.package_spec(version, path)


def test_the_package_input_documents_mirrors():
    header, _jobs = component()
    description = header["spec"]["inputs"]["package"]["description"]
    assert "mirror" in description and "--index-url https://" in description
    assert "never a bare name on a public index" in description


def test_every_job_installs_the_package_input_as_pip_arguments():
    _header, jobs = component()
    assert jobs[".smart-triage"]["before_script"] == [
        "python -m pip install --quiet $[[ inputs.package ]]"
    ]


def test_the_tag_pipeline_refuses_a_pin_that_is_not_the_tag(capsys):
    header, _jobs = component()
    default = header["spec"]["inputs"]["package"]["default"]
    version = default.split("==")[1].split()[0]
    found = re.search(r"projects/([^/]+)/", default)
    assert found
    path = found.group(1).replace("%2F", "/")
    assert pin_component.main([version, path, "--check"]) == 0
    major, minor, patch = version.split(".")
    later = f"{major}.{minor}.{int(patch) + 1}"
    assert pin_component.main([later, path, "--check"]) == 1
    assert pin_component.main([version, "someone-else/smart-triage", "--check"]) == 1
    assert f"run `python scripts/pin_component.py {later} {path}`" in capsys.readouterr().err
    with pytest.raises(ValueError, match="not a release version"):
        pin_component.pin(COMPONENT.read_text(), f"v{later}", path)


def test_pinning_rewrites_the_default_and_nothing_else():
    text = COMPONENT.read_text()
    pinned = pin_component.pin(text, "9.8.7", "cs/bot")
    assert pin_component.pinned(pinned) == pin_component.package_spec("9.8.7", "cs/bot")
    assert "projects/cs%2Fbot/packages/pypi/simple" in pinned
    changed = [
        (a, b) for a, b in zip(text.splitlines(), pinned.splitlines(), strict=True) if a != b
    ]
    assert len(changed) == 1


def test_the_tag_pipeline_builds_publishes_with_the_job_token_and_releases():
    pipeline = yaml.safe_load((ROOT / ".gitlab-ci.yml").read_text())
    tag = re.compile(pipeline["variables"]["RELEASE_TAG"].strip("/"))
    assert tag.match("1.2.0") and not tag.match("v1.2.0") and not tag.match("1.2")
    package, release = pipeline["package"], pipeline["release"]
    for job in (package, release):
        assert job["rules"] == [{"if": "$CI_COMMIT_TAG =~ $RELEASE_TAG"}]
    script = "\n".join(package["script"])
    assert script.index("pin_component.py") < script.index("python -m build")
    assert 'pin_component.py "$CI_COMMIT_TAG" "$CI_PROJECT_PATH" --check' in script
    assert 'TWINE_PASSWORD="$CI_JOB_TOKEN"' in script
    assert '"${CI_API_V4_URL}/projects/${CI_PROJECT_ID}/packages/pypi"' in script
    assert "smart_triage-${CI_COMMIT_TAG}-py3-none-any.whl" in script
    assert "smart_triage-${CI_COMMIT_TAG}.tar.gz" in script
    assert release["release"]["tag_name"] == "$CI_COMMIT_TAG"
    assert pipeline["stages"].index("build") < pipeline["stages"].index("release")


def test_the_version_is_the_git_tag():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert "version" not in project["project"] and project["project"]["dynamic"] == ["version"]
    assert project["tool"]["hatch"]["version"]["source"] == "vcs"
    assert "hatch-vcs>=0.4" in project["build-system"]["requires"]
    assert __version__ == importlib.metadata.version("smart-triage")
    # a release (1.2.0) or, between tags, the next one in development (1.2.1.dev3+g1a2b3c4)
    assert re.fullmatch(r"\d+\.\d+\.\d+(\.dev\d+\+g[0-9a-f]+(\.d\d{8})?)?", __version__), (
        __version__
    )


def test_the_component_retries_only_gitlab_unreachable():
    _header, jobs = component()
    assert jobs[".smart-triage"]["retry"] == {"max": 2, "exit_codes": [EXIT_UNREACHABLE]}


def test_triage_version_prints_the_installed_version():
    result = run_cli("--version")
    assert result.stdout.strip() == f"triage {__version__}"


def test_check_jsonschema_accepts_the_ci_files_against_gitlabs_ci_schema(tmp_path):
    """check-jsonschema's own copy of GitLab's CI schema (offline); the component's two
    YAML documents (spec, jobs) are checked one file each, as the tool reads one."""
    header, jobs = COMPONENT.read_text().split("\n---\n")
    (tmp_path / "component-spec.yml").write_text(header)
    (tmp_path / "component-jobs.yml").write_text(jobs)
    files = [
        ROOT / ".gitlab-ci.yml",
        ROOT / "docs" / "ci" / "parallel-triage.yml",
        tmp_path / "component-spec.yml",
        tmp_path / "component-jobs.yml",
    ]
    result = subprocess.run(
        [
            str(Path(sys.executable).parent / "check-jsonschema"),
            "--builtin-schema",
            "vendor.gitlab-ci",
            "--data-transform",
            "gitlab-ci",
            *map(str, files),
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_no_ci_file_installs_the_bot_by_a_bare_name():
    """Each pip install of the bot is a pinned release from the project's registry, or
    the component's input (whose default is that); the pin moves in all at once."""
    installs = 0
    for path in pin_component.PINNED_FILES:
        for line in re.findall(r"pip install --[^\n]*", path.read_text()):
            installs += 1
            assert "inputs.package" in line or pin_component.SPEC.search(line), (path, line)
        assert pin_component.pin(path.read_text(), "9.9.9", "x/y").count("smart-triage==9.9.9")
    assert installs == 2
