"""What ``triage doctor`` checks, in the order a new user has to fix things.

Each check is a function from the ``Context`` to findings and is listed once in ``CHECKS``;
a check that needs GitLab is skipped (with the reason) once the connection or the token
failed, since everything after would fail the same way.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

from triage.errors import GitLabAuthError, GitLabError, GitLabUnreachable, LLMError, UsageError
from triage.gitlab import instance, queries
from triage.gitlab.client import GitLab
from triage.gitlab.reads import NO_WORK_ITEM_EPICS, group_labels
from triage.llm.openai_drafter import LLMSettings
from triage.llm.probe import probe
from triage.policy.model import PolicySet
from triage.settings import GitLabSettings


class Status(StrEnum):
    PASS = "ok"
    WARN = "warn"
    FAIL = "FAIL"
    SKIP = "skip"


@dataclass(frozen=True)
class Finding:
    status: Status
    what: str
    detail: str = ""
    fix: str = ""


@dataclass
class Context:
    policies: PolicySet
    groups: list[str]
    env: Mapping[str, str]
    today: date
    settings: GitLabSettings | None = None
    gl: GitLab | None = None
    token: instance.TokenInfo | None = None
    readable: list[str] = field(default_factory=list)  # groups whose epics can be read


def _settings(ctx: Context) -> Iterator[Finding]:
    try:
        ctx.settings = GitLabSettings.from_env(ctx.env)
    except UsageError as exc:
        yield Finding(
            Status.FAIL,
            "GitLab settings",
            str(exc),
            "set the variable named above (in CI: Settings > CI/CD > Variables)",
        )
        return
    yield Finding(Status.PASS, "GitLab settings", f"GITLAB_URL {ctx.settings.url}")


# Epics as work items, by version (doc/api/graphql/epic_work_items_api_migration_guide.md).
WORK_ITEM_EPICS_DEFAULT = (17, 7)
WORK_ITEM_EPICS_FLAG = (17, 2)


def _version(ctx: Context) -> Iterator[Finding]:
    assert ctx.settings is not None
    ctx.gl = GitLab(ctx.settings)
    what = f"GitLab answers at {ctx.settings.url}"
    try:
        found = instance.version(ctx.gl)
    except GitLabAuthError as exc:
        yield Finding(Status.FAIL, what, str(exc), TOKEN_FIX)
        ctx.gl = None
        return
    except GitLabUnreachable as exc:
        yield Finding(Status.FAIL, what, f"{exc.cause} ({exc.detail})", exc.check)
        ctx.gl = None
        return
    except GitLabError as exc:
        yield Finding(
            Status.FAIL,
            what,
            str(exc),
            "check GITLAB_URL (the instance's address, e.g. https://gitlab.com) and that "
            "this machine can reach it",
        )
        ctx.gl = None
        return
    release = (found.major, found.minor)
    detail = f"version {found.text}"
    if found.enterprise is False:
        yield Finding(
            Status.FAIL,
            what,
            f"{detail}: Community Edition has no epics",
            "epics need GitLab Premium or Ultimate (Enterprise Edition with a licence)",
        )
    elif release < WORK_ITEM_EPICS_FLAG:
        yield Finding(
            Status.FAIL,
            what,
            f"{detail}: epics as work items arrived in 17.2",
            "upgrade to GitLab 17.7 or later",
        )
    elif release < WORK_ITEM_EPICS_DEFAULT:
        yield Finding(
            Status.WARN,
            what,
            f"{detail}: epics as work items are behind the work_item_epics flag before 17.7",
            "turn the work_item_epics feature flag on, or upgrade to 17.7 or later",
        )
    else:
        yield Finding(Status.PASS, what, detail)


TOKEN_FIX = (
    "create a group access token (role Planner or higher, scope api) in the top-level "
    "group and put it in GITLAB_TOKEN"
)


def _token(ctx: Context) -> Iterator[Finding]:
    assert ctx.gl is not None
    try:
        ctx.token = token = instance.token_info(ctx.gl)
    except (GitLabAuthError, GitLabError) as exc:
        yield Finding(Status.FAIL, "Token", str(exc), TOKEN_FIX)
        return
    kind = "bot user (group, project or service account token)" if token.bot else "a person"
    what = f"Token of @{token.username}, {kind}"
    if token.scopes is None:
        yield Finding(Status.WARN, what, "GitLab does not describe this token's scopes")
    elif "api" not in token.scopes:
        yield Finding(
            Status.FAIL,
            what,
            f"scopes {', '.join(token.scopes) or 'none'}: writing comments and labels needs api",
            "create a token with the api scope",
        )
    else:
        yield Finding(Status.PASS, what, f"scopes {', '.join(token.scopes)}")
    if token.expires_at and date.fromisoformat(token.expires_at[:10]) <= ctx.today:
        yield Finding(Status.FAIL, "Token expiry", f"expired {token.expires_at}", TOKEN_FIX)
    elif token.expires_at and (date.fromisoformat(token.expires_at[:10]) - ctx.today).days < 30:
        yield Finding(
            Status.WARN, "Token expiry", f"expires {token.expires_at}", "rotate it before then"
        )
    if not token.bot:
        yield Finding(
            Status.WARN,
            "Token owner",
            "comments will appear as written by a person",
            "use a group access token, whose bot user signs the bot's comments",
        )


def _groups(ctx: Context) -> Iterator[Finding]:
    from triage.doctor.online import closest

    assert ctx.gl is not None
    sources = ctx.policies.sources
    for group in ctx.groups:
        what = f"Epics of '{group}'"
        try:
            found = instance.probe_group(
                ctx.gl, group, sources.objective_label, sources.include_subgroups
            )
        except GitLabError as exc:
            yield Finding(Status.FAIL, what, str(exc))
            continue
        if not found.exists:
            try:
                near = closest(group, instance.visible_groups(ctx.gl))
            except GitLabError:
                near = []  # only a suggestion
            yield Finding(
                Status.FAIL,
                what,
                "the group does not exist or the token cannot see it"
                + (f" (closest: {', '.join(repr(n) for n in near)})" if near else ""),
                "check sources.groups in the policies, and make the token's user a member",
            )
        elif not found.work_items:
            yield Finding(
                Status.FAIL,
                what,
                NO_WORK_ITEM_EPICS.format(group=group),
                "use GitLab Premium or Ultimate 17.7 or later (or the work_item_epics flag)",
            )
        elif found.objectives == 0:
            ctx.readable.append(group)
            yield Finding(
                Status.WARN,
                what,
                f"no open epic has the label '{sources.objective_label}'",
                "check sources.objective_label in the policies (a typo scans nothing)",
            )
        else:
            ctx.readable.append(group)
            yield Finding(Status.PASS, what, f"{found.objectives} open objective epic(s)")


def _complexity(ctx: Context) -> Iterator[Finding]:
    """The page query's cost as this GitLab computes it: its rules change between
    versions, and a query over the limit would fail every run."""
    assert ctx.gl is not None
    if not ctx.readable:
        return
    group = ctx.readable[0]
    sources = ctx.policies.sources
    what = "GraphQL cost of a page of epics"
    try:
        data = ctx.gl.query(
            queries.with_complexity(queries.EPICS_PAGE),
            {
                "path": group,
                "labels": [sources.objective_label],
                "descendants": sources.include_subgroups,
            },
        )
    except GitLabError as exc:
        yield Finding(
            Status.FAIL, what, str(exc), "report it: this GitLab prices the query differently"
        )
        return
    cost = data.get("queryComplexity") or {}
    score, limit = cost.get("score"), cost.get("limit")
    if score is None or limit is None:
        yield Finding(Status.WARN, what, "GitLab did not say (no queryComplexity field)")
    elif score * 2 > limit:
        yield Finding(
            Status.WARN,
            what,
            f"score {score} of limit {limit}: little headroom",
            "report it: the page query should be cut down",
        )
    else:
        yield Finding(Status.PASS, what, f"score {score} of limit {limit}")


def _labels(ctx: Context) -> Iterator[Finding]:
    from triage.doctor.online import label_findings  # it builds on this module's Finding

    assert ctx.gl is not None and ctx.token is not None
    added = ctx.policies.added_labels()
    create = ctx.policies.sources.create_missing_labels
    for group in ctx.readable:
        what = f"Labels in '{group}'"
        try:
            known = group_labels(ctx.gl, group)
        except GitLabError as exc:
            yield Finding(Status.FAIL, what, str(exc))
            continue
        missing = [name for name in added if name not in known]
        # the objective label and the labels and scopes conditions read, with the
        # closest existing names for a typo
        yield from label_findings(group, known, ctx.policies)
        if not missing:
            yield Finding(Status.PASS, what, f"all {len(added)} label(s) the rules add exist")
            continue
        names = ", ".join(missing)
        if not create:
            yield Finding(
                Status.FAIL,
                what,
                f"missing: {names}",
                "create them, or set sources.create_missing_labels: true",
            )
            continue
        top = group.split("/", maxsplit=1)[0]
        level = instance.access_level(ctx.gl, "groups", top, ctx.token.user_id)
        if level is None and not ctx.token.admin:
            yield Finding(
                Status.FAIL,
                what,
                f"missing: {names}; the token's user is no member of '{top}' (a subgroup's "
                "token?), so it may not create labels there",
                f"create them in '{top}' yourself, or use a token of '{top}' (role Planner "
                "or higher)",
            )
        elif level is not None and level < instance.PLANNER:
            yield Finding(
                Status.FAIL,
                what,
                f"missing: {names}; creating labels in '{top}' needs at least the Planner "
                "role (Reporter before GitLab 17.7)",
                f"create them in '{top}' yourself, or give the token's user that role there",
            )
        else:
            yield Finding(Status.PASS, what, f"{names} will be created in '{top}'")


def _summary(ctx: Context) -> Iterator[Finding]:
    assert ctx.gl is not None and ctx.token is not None
    project = ctx.policies.summary.project
    if not project:
        yield Finding(Status.PASS, "Summary project", "not set: no weekly summary issue")
        return
    what = f"Summary project '{project}'"
    try:
        issues = instance.project_issues_enabled(ctx.gl, project)
        level = instance.access_level(ctx.gl, "projects", project, ctx.token.user_id)
    except GitLabError as exc:
        yield Finding(Status.FAIL, what, str(exc))
        return
    if issues is None:
        yield Finding(
            Status.FAIL,
            what,
            "the project does not exist or the token cannot see it",
            "check summary.project in the policies, and make the token's user a member",
        )
    elif not issues:
        yield Finding(Status.FAIL, what, "issues are turned off", "turn issues on")
    elif (level is None and not ctx.token.admin) or (
        level is not None and level < instance.PLANNER
    ):
        yield Finding(
            Status.FAIL,
            what,
            "the token's user is not a Planner there: its summary issue would lose its "
            "labels, and next week's run could not find or close it",
            "give the token's user the Planner role (Reporter before GitLab 17.7) there",
        )
    else:
        yield Finding(Status.PASS, what, "issues can be created")


def _llm(ctx: Context) -> Iterator[Finding]:
    try:
        settings = LLMSettings.from_env(ctx.env)
    except UsageError as exc:
        yield Finding(Status.FAIL, "Language model", str(exc))
        return
    if settings is None:
        yield Finding(
            Status.PASS, "Language model", "not configured: drafts come from the offline drafter"
        )
        return
    what = f"Language model '{settings.model}'"
    try:
        answered = probe(settings)
    except LLMError as exc:
        yield Finding(
            Status.FAIL,
            what,
            str(exc),
            "check OPENAI_API_KEY (or AZURE_OPENAI_*), OPENAI_BASE_URL and TRIAGE_LLM_MODEL",
        )
        return
    yield Finding(Status.PASS, what, f"answered as {answered}")


def _ci(ctx: Context) -> Iterator[Finding]:
    env = ctx.env
    if env.get("GITLAB_CI") != "true":
        yield Finding(
            Status.PASS,
            "CI/CD variables",
            "not in a CI job: the scheduled job needs GITLAB_TOKEN as a masked, protected "
            "variable (GITLAB_URL defaults to CI_SERVER_URL)",
        )
        return
    token = env.get("GITLAB_TOKEN", "")
    if token and token == env.get("CI_JOB_TOKEN"):
        yield Finding(
            Status.FAIL,
            "CI/CD variables",
            "GITLAB_TOKEN is the job token, which cannot read epics or write notes",
            TOKEN_FIX + " (a masked, protected CI/CD variable)",
        )
        return
    if env.get("CI_PIPELINE_SOURCE") != "schedule":
        yield Finding(
            Status.WARN,
            "CI/CD variables",
            f"this pipeline was started by '{env.get('CI_PIPELINE_SOURCE', '?')}', not a schedule",
            "add a weekly pipeline schedule (Build > Pipeline schedules)",
        )
        return
    shards = env.get("CI_NODE_TOTAL")
    detail = f"scheduled; {shards} shard(s) share the limits" if shards else "scheduled"
    yield Finding(Status.PASS, "CI/CD variables", detail)


class Needs(StrEnum):
    """What a check needs from the checks before it."""

    NOTHING = ""
    SETTINGS = "the GitLab settings"
    CONNECTION = "a connection to GitLab"
    TOKEN = "a token GitLab accepts"


def _lacking(ctx: Context, needs: Needs) -> bool:
    return {
        Needs.NOTHING: False,
        Needs.SETTINGS: ctx.settings is None,
        Needs.CONNECTION: ctx.gl is None,
        Needs.TOKEN: ctx.gl is None or ctx.token is None,
    }[needs]


Check = Callable[[Context], Iterator[Finding]]
CHECKS: list[tuple[Check, Needs]] = [
    (_settings, Needs.NOTHING),
    (_version, Needs.SETTINGS),
    (_token, Needs.CONNECTION),
    (_groups, Needs.TOKEN),
    (_complexity, Needs.TOKEN),
    (_labels, Needs.TOKEN),
    (_summary, Needs.TOKEN),
    (_llm, Needs.NOTHING),
    (_ci, Needs.NOTHING),
]


def diagnose(ctx: Context) -> Iterator[Finding]:
    """Every check in order; one is skipped, with the reason, when what it needs failed."""
    try:
        for check, needs in CHECKS:
            if _lacking(ctx, needs):
                title = check.__name__.strip("_").capitalize()
                yield Finding(Status.SKIP, f"{title} check", f"needs {needs.value}")
                continue
            yield from check(ctx)
    finally:
        if ctx.gl is not None:
            ctx.gl.close()
