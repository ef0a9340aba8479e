"""Pin the CI/CD component's default package to one release of this project's registry.

Run before tagging a release: ``python scripts/pin_component.py 1.2.0 group/smart-triage``
rewrites the ``package`` default of ``templates/weekly-triage.yml``; commit, then tag
``1.2.0``. The tag pipeline runs it with ``--check`` and publishes nothing when the pin and
the tag disagree, so ``weekly-triage@1.2.0`` always installs ``smart-triage==1.2.0``.

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

COMPONENT = Path(__file__).parents[1] / "templates" / "weekly-triage.yml"
RELEASE = re.compile(r"^\d+\.\d+\.\d+$")  # the CI/CD Catalog's versions: semantic, no "v"
DEFAULT = re.compile(r'(?m)^(    package:\n      default: )"([^"\n]*)"$')


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
    if not RELEASE.match(version):
        raise ValueError(f"'{version}' is not a release version like 1.2.0")
    return DEFAULT.sub(lambda m: f'{m.group(1)}"{package_spec(version, project_path)}"', text)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("version", help="the release, as its tag: 1.2.0")
    parser.add_argument("project", help="this project's full path: group/smart-triage")
    parser.add_argument("--check", action="store_true", help="only check, change nothing")
    args = parser.parse_args(argv)
    text = COMPONENT.read_text()
    try:
        wanted = pin(text, args.version, args.project)
    except ValueError as exc:
        print(f"pin_component: {exc}", file=sys.stderr)
        return 1
    if args.check:
        if wanted != text:
            print(
                f"pin_component: the component installs '{pinned(text)}', not "
                f"'{package_spec(args.version, args.project)}': run "
                f"`python scripts/pin_component.py {args.version} {args.project}`, commit, "
                "and tag that commit",
                file=sys.stderr,
            )
            return 1
        print(f"ok: the component installs smart-triage=={args.version} from its registry")
        return 0
    COMPONENT.write_text(wanted)
    print(f"pinned: {package_spec(args.version, args.project)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
