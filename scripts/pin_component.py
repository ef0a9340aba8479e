"""Pin the CI/CD component's default package to one release of this project's registry.

Run before tagging a release: ``python scripts/pin_component.py 1.2.0 group/smart-triage``
rewrites the ``package`` default of ``templates/weekly-triage.yml`` (and the same spec in
the documented pipelines); commit, then tag ``1.2.0``. The tag pipeline runs it with
``--check`` and publishes nothing when the pin and the tag disagree, so
``weekly-triage@1.2.0`` always installs ``smart-triage==1.2.0``.

The default names the project's own package registry as the only index (``--index-url``,
never ``--extra-index-url``): a bare name would be looked up on the public index, where
whoever registers it first would run code with every user's GITLAB_TOKEN.
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).parents[1]
COMPONENT = ROOT / "templates" / "weekly-triage.yml"
# Every file that installs the bot by a pinned spec; the pin changes in all of them at once.
PINNED_FILES = [COMPONENT, ROOT / "docs" / "ci" / "parallel-triage.yml"]
RELEASE = re.compile(r"^\d+\.\d+\.\d+$")  # the CI/CD Catalog's versions: semantic, no "v"
DEFAULT = re.compile(r'(?m)^(    package:\n      default: )"([^"\n]*)"$')
SPEC = re.compile(
    r"smart-triage==[^\s\"]+ --index-url [^\s\"]+/api/v4/projects/[^\s\"/]+/packages/pypi/simple"
)


def registry(project_path: str) -> str:
    """The project's PyPI simple index, read with the job's token (a private project)."""
    encoded = quote(project_path, safe="")
    return (
        "${CI_SERVER_PROTOCOL}://gitlab-ci-token:${CI_JOB_TOKEN}@${CI_SERVER_FQDN}"
        f"/api/v4/projects/{encoded}/packages/pypi/simple"
    )


def package_spec(version: str, project_path: str) -> str:
    return f"smart-triage=={version} --index-url {registry(project_path)}"


def pinned(text: str) -> str:
    """The ``package`` input's default in the component's text."""
    match = DEFAULT.search(text)
    if not match:
        raise ValueError("the component has no quoted 'package' default")
    return match.group(2)


def pin(text: str, version: str, project_path: str) -> str:
    """``text`` with every pinned spec of the bot set to ``version`` of ``project_path``."""
    if not RELEASE.match(version):
        raise ValueError(f"'{version}' is not a release version like 1.2.0")
    if not SPEC.search(text):
        raise ValueError("no pinned smart-triage spec to pin")
    return SPEC.sub(lambda m: package_spec(version, project_path), text)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("version", help="the release, as its tag: 1.2.0")
    parser.add_argument("project", help="this project's full path: group/smart-triage")
    parser.add_argument("--check", action="store_true", help="only check, change nothing")
    args = parser.parse_args(argv)
    wanted = package_spec(args.version, args.project)
    for path in PINNED_FILES:
        text = path.read_text()
        try:
            pinned_text = pin(text, args.version, args.project)
        except ValueError as exc:
            print(f"pin_component: {path.name}: {exc}", file=sys.stderr)
            return 1
        if not args.check:
            path.write_text(pinned_text)
        elif pinned_text != text:
            current = next(m.group(0) for m in SPEC.finditer(text) if m.group(0) != wanted)
            print(
                f"pin_component: {path.name} installs '{current}', "
                f"not '{wanted}': run `python scripts/pin_component.py {args.version} "
                f"{args.project}`, commit, and tag that commit",
                file=sys.stderr,
            )
            return 1
    if args.check:
        print(f"ok: the component installs smart-triage=={args.version} from its registry")
    else:
        print(f"pinned: {wanted}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
