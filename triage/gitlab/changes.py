"""Reads of what changed: which groups have epics updated since a time, and those epics.

A warm run reads only the epics GitLab says were updated since the last run
(``updatedAfter`` on ``workItems``, ``app/graphql/resolvers/concerns/work_items/
shared_filter_arguments.rb``; the finder's ``updated_after`` scope is inclusive,
``updated_at >= time``, ``app/models/concerns/updated_at_filterable.rb``).

What moves a work item's ``updated_at`` on GitLab, and so what this read sees:
- edits of the record itself: title, description, labels, dates, assignees, state (closing,
  reopening), confidentiality: ``Issuable`` services save the record, and Rails sets
  ``updated_at`` on every save;
- a note on the epic: ``Note#touch_noteable`` (``app/models/note.rb``, after save) touches
  the noteable, and for legacy epics ``ee/app/models/ee/note.rb`` syncs the work item's
  ``updated_at`` too, so a comment by anyone, the bot's own included, counts as a change.
System notes (label, state, date changes) are notes too: ``SystemNotes::BaseService``
creates them without ``skip_touch_noteable``. Moving an epic to another group closes the
original (a change, so it is dropped) and creates a copy there (new, so read if that group
is). What does not move ``updated_at``: deleting the epic (it is gone from every list),
transferring a group (paths change, ``updated_at`` does not), and the mere passing of
time. The first two are why a full read runs at an interval; the last is why unchanged
epics are re-checked from the copy kept in the cache, never skipped.

The probe asks many groups at once with GraphQL aliases, each alias only ``count``, so a
week in which nothing changed costs one request per ``PROBE_BATCH`` groups. The epics
themselves, changed or (in a full read) all, are read the same way, ``FULL_BATCH`` groups'
first pages per request: most customer groups hold a few dozen objectives at most.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from functools import partial
from typing import Any, TypeVar

from triage.errors import GitLabError, GitLabUnreachable
from triage.gitlab import queries
from triage.gitlab.client import GitLab
from triage.gitlab.reads import NO_WORK_ITEM_EPICS, work_item_pages

T = TypeVar("T")

# Groups per probe request. Each alias costs 4 under GitLab's rules (``group`` 1, plus
# ``workItems``: resolver 1 and ``count`` 1, times 1 + 1 x 0.01 for ``first: 1``, truncated
# to 2), so 50 aliases cost 201 of the 250 a signed-in user may spend, and the document
# stays far below GitLab's 10,000 characters. ``tests/run/test_changes.py`` checks the cost
# against the sandbox's model of GitLab's complexity.
PROBE_BATCH = 50


def probe_document(size: int) -> str:
    """A query asking ``size`` groups, by alias, how many epics changed since ``$since``."""
    variables = ", ".join(f"$p{i}: ID!" for i in range(size))
    fields = "\n".join(
        f"  g{i}: group(fullPath: $p{i}) {{ workItems(types: [EPIC], includeDescendants: "
        f"$descendants, updatedAfter: $since, first: 1) {{ count }} }}"
        for i in range(size)
    )
    return f"query($since: Time!, $descendants: Boolean, {variables}) {{\n{fields}\n}}"


def _changed_page_document() -> str:
    """``EPICS_PAGE`` with ``updatedAfter`` in place of the state and label filters, and
    each epic's ``state``: an epic closed or stripped of its objective label since the last
    run must be seen, to be dropped. Derived from ``EPICS_PAGE`` so an epic is always read
    with the same fields, whichever query found it."""
    document = queries.EPICS_PAGE
    for old, new in (
        ("$labels: [String!]", "$since: Time!"),
        ("state: opened, ", ""),
        ("labelName: $labels", "updatedAfter: $since"),
        ("id iid title ", "id iid title state "),
    ):
        if old not in document:
            raise AssertionError(f"EPICS_PAGE no longer has {old!r}")
        document = document.replace(old, new, 1)
    return document


CHANGED_PAGE = _changed_page_document()

# Groups per request of a full or changed read, and epics per group in that request. Each
# alias of ``first: 20`` costs at most 59 under GitLab's rules (the epic's fields with its
# initiatives, times 1 + 20 x 0.01), so four cost at most 236 of the 250 allowed; a group
# with more epics goes on alone from its cursor. Should the epic's fields grow past the
# limit, a refused batch is split in two and tried again, and
# ``tests/run/test_incremental_reads.py`` fails until this is lowered.
FULL_BATCH = 4
FULL_FIRST = 20


def _epic_selection(with_state: bool) -> str:
    """The ``{ ... }`` selection of an epic in ``EPICS_PAGE``, to share as a fragment."""
    document = queries.EPICS_PAGE
    start = document.index("nodes {") + len("nodes ")
    depth = 0
    for end in range(start, len(document)):
        depth += {"{": 1, "}": -1}.get(document[end], 0)
        if depth == 0:
            selection = document[start : end + 1]
            return (
                selection.replace("id iid title ", "id iid title state ", 1)
                if with_state
                else selection
            )
    raise AssertionError("EPICS_PAGE has no complete nodes selection")


def first_pages_document(size: int, changed: bool = False) -> str:
    """A query reading the first ``FULL_FIRST`` epics of ``size`` groups, by alias, each
    with its page info so a longer group can go on from its cursor: open objectives, or
    with ``changed`` every epic updated since ``$since`` and its state (as ``CHANGED_PAGE``)."""
    filters = "updatedAfter: $since" if changed else "state: opened, labelName: $labels"
    head = "$since: Time!" if changed else "$labels: [String!]"
    variables = ", ".join(f"$p{i}: ID!" for i in range(size))
    fields = "\n".join(
        f"  g{i}: group(fullPath: $p{i}) {{ workItems(types: [EPIC], {filters}, "
        f"includeDescendants: $descendants, sort: CREATED_ASC, first: {FULL_FIRST}) "
        f"{{ pageInfo {{ hasNextPage endCursor }} nodes {{ ...EpicFields }} }} }}"
        for i in range(size)
    )
    return (
        f"query({head}, $descendants: Boolean, {variables}) {{\n{fields}\n}}\n"
        f"fragment EpicFields on WorkItem {_epic_selection(changed)}\n{_fragments()}"
    )


def _fragments() -> str:
    """The fragments ``EPICS_PAGE`` defines after its query (an objective's initiatives),
    which the selection shared above refers to."""
    document = queries.EPICS_PAGE
    at = document.find("\nfragment ")
    return document[at + 1 :] if at >= 0 else ""


def first_pages(
    gl: GitLab,
    groups: Sequence[str],
    objective_label: str,
    include_subgroups: bool,
    since: str | None = None,
) -> dict[str, dict[str, Any] | str]:
    """Per group, the first page (``workItems`` with ``nodes`` and ``pageInfo``) of its
    open objective epics, or with ``since`` of its epics updated since then, or why it
    could not be read; many groups per request."""
    variables: dict[str, Any] = {"descendants": include_subgroups}
    variables.update({"since": since} if since else {"labels": [objective_label]})
    document = partial(first_pages_document, changed=bool(since))
    return _per_group(gl, list(groups), document, variables, lambda items: items)


def changed_counts(
    gl: GitLab, groups: Sequence[str], since: str, include_subgroups: bool
) -> dict[str, int | str]:
    """Per group, how many epics were updated at or after ``since`` (ISO 8601), or why
    the group could not be asked (one group gone does not fail the others of its batch:
    GitLab answers ``null`` for that alias alone)."""
    variables: dict[str, Any] = {"since": since, "descendants": include_subgroups}
    counts: dict[str, int | str] = {}
    for start in range(0, len(groups), PROBE_BATCH):
        batch = list(groups[start : start + PROBE_BATCH])
        counts.update(
            _per_group(gl, batch, probe_document, variables, lambda items: int(items["count"]))
        )
    return counts


def _per_group(
    gl: GitLab,
    batch: list[str],
    document: Callable[[int], str],
    variables: dict[str, Any],
    read: Callable[[dict[str, Any]], T],
) -> dict[str, T | str]:
    """One request for ``batch`` (group ``i`` as alias ``g{i}``, path ``$p{i}``): per
    group what ``read`` makes of its ``workItems``, or why it could not be read.

    More fields than the batch was sized for, or one group GitLab fails on (a 5xx after
    the retries): the batch is split, so the other groups are still read and the one that
    fails is named alone. An unreachable GitLab is not split: it fails them all."""
    try:
        data = gl.query(
            document(len(batch)),
            {**variables, **{f"p{i}": group for i, group in enumerate(batch)}},
        )
    except GitLabError as exc:
        if isinstance(exc, GitLabUnreachable):
            raise
        if len(batch) == 1:
            return {batch[0]: str(exc)}
        half = len(batch) // 2
        return {
            **_per_group(gl, batch[:half], document, variables, read),
            **_per_group(gl, batch[half:], document, variables, read),
        }
    result: dict[str, T | str] = {}
    for i, group in enumerate(batch):
        found = data.get(f"g{i}")
        if found is None:
            result[group] = f"group '{group}' does not exist or the token cannot see it"
        elif found.get("workItems") is None:
            result[group] = NO_WORK_ITEM_EPICS.format(group=group)
        else:
            result[group] = read(found["workItems"])
    return result


def objective_nodes(
    gl: GitLab,
    group: str,
    objective_label: str,
    include_subgroups: bool,
    cursor: str | None = None,
) -> Iterator[dict[str, Any]]:
    """Every open objective epic of ``group`` (after ``cursor``), as GitLab's work item
    nodes (the full read; ``reads.epic_pages`` reads the same as records)."""
    variables = {"labels": [objective_label], "descendants": include_subgroups}
    return _each_node(work_item_pages(gl, queries.EPICS_PAGE, group, variables, cursor))


def changed_nodes(
    gl: GitLab, group: str, since: str, include_subgroups: bool, cursor: str | None = None
) -> Iterator[dict[str, Any]]:
    """Every epic of ``group`` updated at or after ``since`` (after ``cursor``), open or
    not, objective or not, as GitLab's work item nodes (``epic_from_node`` makes records
    of them)."""
    variables = {"since": since, "descendants": include_subgroups}
    return _each_node(work_item_pages(gl, CHANGED_PAGE, group, variables, cursor))


def _each_node(pages: Iterator[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    for items in pages:
        yield from items["nodes"]
