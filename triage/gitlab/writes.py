"""Writes: comments and labels on epics (GraphQL), group labels (REST)."""

from __future__ import annotations

import threading
from collections.abc import Mapping

import gitlab
import requests

from triage.errors import GitLabError, GitLabSetupError, GitLabUnreachable, TriageError
from triage.gitlab import queries
from triage.gitlab.client import GitLab, NoteLimitReached
from triage.gitlab.instance import PLANNER, access_level, current_user_id
from triage.gitlab.label_create import title_taken
from triage.gitlab.reads import group_labels
from triage.gitlab.unreachable import unreachable

NEW_LABEL_COLOR = "#6699CC"
OPT_OUT_COLOR = "#7F8C8D"  # grey: a label that quiets the bot


def create_note(
    gl: GitLab, epic_id: str, body: str, internal: bool, discussion: str | None = None
) -> tuple[str, str]:
    """Create a comment, or a reply in the thread ``discussion``; returns its id and
    GitLab's time of the write.

    Over GitLab's note-creation limit nothing is saved, so trying again is safe: the shared
    note pacer is held back for everyone (other threads would be refused too), doubling the
    wait each time, until GitLab accepts or the tries run out.
    """
    wait = gl.settings.note_backoff
    for attempt in range(gl.settings.max_retries + 1):
        gl.note_pacer.wait()
        try:
            payload = gl.mutate(
                queries.CREATE_NOTE,
                {"id": epic_id, "body": body, "internal": internal, "discussion": discussion},
                "createNote",
            )
            break
        except NoteLimitReached:
            if attempt == gl.settings.max_retries:
                raise
            gl.note_limited()
            gl.note_pacer.pause(wait)
            wait = min(wait * 2, 60.0)
    note = payload.get("note")
    if not note:
        raise GitLabError("createNote saved no note (was the body only quick actions?)")
    return note["id"], note["updatedAt"]


def update_note(gl: GitLab, note_id: str, body: str) -> str:
    """Replace a comment's text; returns GitLab's time of the write."""
    payload = gl.mutate(queries.UPDATE_NOTE, {"id": note_id, "body": body}, "updateNote")
    when: str = (payload.get("note") or {}).get("updatedAt", "")
    return when


def destroy_note(gl: GitLab, note_id: str) -> None:
    """Delete one of the bot's notes; a note already gone counts as deleted (a retry)."""
    try:
        gl.mutate(queries.DESTROY_NOTE, {"id": note_id}, "destroyNote")
    except GitLabError as exc:
        if "does not exist" not in str(exc):
            raise


def update_labels(gl: GitLab, epic_id: str, add: list[str], remove: list[str]) -> str:
    """Add and remove labels by id; returns the epic's new ``updatedAt``."""
    payload = gl.mutate(
        queries.UPDATE_LABELS, {"id": epic_id, "add": add, "remove": remove}, "workItemUpdate"
    )
    when: str = (payload.get("workItem") or {}).get("updatedAt", "")
    return when


class MissingLabels(GitLabError):
    """Labels the policies add do not exist and may not be created."""


ROLE_HINT = (
    "the token's user needs at least the Planner role (Reporter before GitLab 17.7) in "
    "'{group}', or create the label there yourself"
)
HINTS = {
    401: "the token was refused (GITLAB_TOKEN)",
    403: ROLE_HINT,
    404: (
        "the token cannot see '{group}' (a subgroup's token cannot create labels in the "
        "top-level group): create the labels there, or use a token of '{group}'"
    ),
}


class LabelRefused(GitLabError):
    """GitLab refused to create a label (the token lacks the right or scope, or cannot see
    the group)."""

    def __init__(self, title: str, group: str, status: int, body: str = "") -> None:
        hint = HINTS.get(status, "")
        if status == 403 and "insufficient_scope" in body:
            hint = "the token lacks the api scope"
        hint = f": {hint.format(group=group)}" if hint else ""
        super().__init__(f"cannot create label '{title}' in '{group}': HTTP {status}{hint}")
        self.status = status


class LabelDirectory:
    """Label ids per group, looked up once per group and run; missing ones created on demand.

    Labels are created at the top-level group of the epic, so every subgroup can use them.
    ``prepare`` resolves every label the policies add before the first write, so a missing
    label or right stops the run before any comment is posted (design rule 3), not after.
    """

    def __init__(
        self,
        gl: GitLab,
        create_missing: bool,
        groups: tuple[str, ...] = (),
        required: tuple[str, ...] = (),
        offered: Mapping[str, str] | None = None,
    ) -> None:
        self.gl = gl
        self.create_missing = create_missing
        self.groups = groups
        self.required = required
        # Labels people add to talk to the bot (opting out, snoozing), with the description
        # that says what each does: created with the others where allowed, so they show in
        # the label picker; never a reason to stop, since the bot itself never adds them.
        self.offered = dict(offered or {})
        self._cache: dict[str, dict[str, str]] = {}
        self._lock = threading.RLock()
        self._prepared: TriageError | bool = False

    def ready(self) -> None:
        """Before a write: every label a rule may add is resolved in every group of the run,
        once (a run that writes nothing looks nothing up). Any failure is kept, so every
        thread stops with the same error instead of writing or trying again."""
        with self._lock:
            if self._prepared is False:
                try:
                    self.prepare(list(self.groups), list(self.required))
                    self._prepared = True
                except TriageError as exc:
                    self._prepared = exc
            if isinstance(self._prepared, TriageError):
                raise self._prepared

    def titles(self, group: str) -> list[str]:
        """Every label usable in ``group`` (its own and its parents'), read once per run:
        what the note may suggest, since the bot never suggests a label that does not
        exist."""
        with self._lock:
            if group not in self._cache:
                self._cache[group] = group_labels(self.gl, group)
            return list(self._cache[group])

    def ids(self, group: str, titles: list[str]) -> list[str]:
        with self._lock:
            if group not in self._cache:
                self._cache[group] = group_labels(self.gl, group)
            known = self._cache[group]
            missing = [title for title in titles if title not in known]
            if missing and not self.create_missing:
                raise MissingLabels(
                    f"label(s) {', '.join(repr(m) for m in missing)} do not exist in "
                    f"'{group}' or its parents; create them, or set "
                    "sources.create_missing_labels: true"
                )
            for title in missing:
                self._create(group.split("/", maxsplit=1)[0], title)
            if missing:
                self._cache = {}  # every group under that top group now sees the label
                self._cache[group] = known = group_labels(self.gl, group)
            return [known[title] for title in titles]

    def prepare(self, groups: list[str], titles: list[str]) -> None:
        """Resolve ``titles`` in every group, creating the missing ones where allowed, or
        raise ``GitLabSetupError`` with the fix.

        In two phases, so a refusal creates nothing anywhere: first every group's labels
        are read and the right to create the missing ones is checked in every top-level
        group that needs them; only then are they created. A group that cannot be read is
        left to the run (its epics fail with that error); a GitLab that gives no answer
        at all is the run's to handle, not one group's.
        """
        offered = [t for t in self.offered if t not in titles] if self.create_missing else []
        if not titles and not offered:
            return
        needed: dict[str, list[str]] = {}  # top-level group -> labels to create there
        extras: dict[str, list[str]] = {}  # top-level group -> offered labels to create
        for group in groups:
            try:
                with self._lock:
                    if group not in self._cache:
                        self._cache[group] = group_labels(self.gl, group)
                    known = self._cache[group]
            except GitLabUnreachable:
                raise
            except GitLabError:
                continue
            missing = [title for title in titles if title not in known]
            if missing and not self.create_missing:
                raise GitLabSetupError(
                    f"label(s) {', '.join(repr(m) for m in missing)} do not exist in "
                    f"'{group}' or its parents; create them, or set "
                    "sources.create_missing_labels: true"
                )
            top = group.split("/", maxsplit=1)[0]
            pending = needed.setdefault(top, [])
            pending += [title for title in missing if title not in pending]
            extra = extras.setdefault(top, [])
            extra += [t for t in offered if t not in known and t not in extra]
        allowed: dict[str, bool] = {}
        for top, missing in needed.items():
            if missing or extras.get(top):
                allowed[top] = self._may_create(top)
            if missing and not allowed[top]:
                raise GitLabSetupError(str(LabelRefused(missing[0], top, 403)))
        try:
            for top, missing in needed.items():
                for title in missing:
                    self._create(top, title)
        except LabelRefused as exc:
            raise GitLabSetupError(str(exc)) from None
        for top, extra in extras.items():
            for title in extra if allowed.get(top) else []:
                try:
                    self._create(top, title, self.offered[title])
                except GitLabError:
                    break  # an opt-out label is a help, not a need: the run goes on
        with self._lock:
            self._cache = {}  # every group under those top groups now sees the labels

    def _may_create(self, top: str) -> bool:
        """Whether the token's user may create labels in ``top``, as far as GitLab says:
        a member below Planner may not; a non-member (an administrator?) is tried."""
        level = access_level(self.gl, "groups", top, current_user_id(self.gl))
        return level is None or level >= PLANNER

    def _create(self, top_group: str, title: str, description: str = "") -> None:
        try:
            self.gl.rest.groups.get(top_group, lazy=True).labels.create(
                {
                    "name": title,
                    "color": NEW_LABEL_COLOR if not description else OPT_OUT_COLOR,
                    "description": description or "Added by smart-triage",
                }
            )
        except gitlab.GitlabError as exc:
            status = exc.response_code or 0
            if title_taken(exc):  # created meanwhile by another run
                return
            if status in HINTS:
                raise LabelRefused(title, top_group, status, str(exc.error_message)) from None
            raise GitLabError(
                f"cannot create label '{title}' in '{top_group}': HTTP {status}"
            ) from None
        except requests.RequestException as exc:  # no answer at all, after the retries
            raise unreachable(self.gl.settings.url, exc) or GitLabError(
                f"cannot create label '{title}' in '{top_group}': {type(exc).__name__}"
            ) from None
