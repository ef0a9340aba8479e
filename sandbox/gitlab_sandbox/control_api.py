"""``/-/sandbox/*``: what tests and benchmarks use to inspect and steer the sandbox.

These routes need no token and are neither counted in the stats nor subject to faults, so
looking at the sandbox never changes what it measures.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from gitlab_sandbox import shape
from gitlab_sandbox.http import Request, Response, Router, error
from gitlab_sandbox.seeds import apply_seed
from gitlab_sandbox.store import NotFound

router = Router("/-/sandbox")


def stats(req: Request) -> dict[str, Any]:
    store = req.store
    keys = (
        "requests",
        "reads",
        "writes",
        "llm_calls",
        "notifications",
        "quick_actions_executed",
        "throttled",
        "faults_injected",
        "unauthorized",
        "notes_limited",
        "answers_lost",
        "llm_refused",
        "timed_out",  # pages past Options.page_record_limit
    )
    return {
        **{key: store.stats[key] for key in keys},
        "routes": dict(sorted(store.routes.items())),
        "mentioned": dict(sorted(store.mentioned.items())),
    }


@router.route("GET", "/stats")
def get_stats(req: Request) -> Response:
    with req.store.lock:
        return Response(200, stats(req))


@router.route("GET", "/state")
def get_state(req: Request) -> Response:
    return Response(200, shape.dump(req.store))


@router.route("POST", "/load")
def post_load(req: Request) -> Response:
    try:
        added = shape.load(req.store, req.json())
    except ValueError as exc:  # bad JSON or a ShapeError
        return error(400, str(exc))
    return Response(201, {"added": added})


@router.route("POST", "/award")
def post_award(req: Request) -> Response:
    """A person reacts to a note: ``{"note": ID, "user": NAME, "name": "thumbsup"}``."""
    body = req.json() or {}
    store = req.store
    with store.lock:
        try:
            _item, note = store.note(int(body["note"]))
            award = store.award(note, str(body["name"]), str(body["user"]))
        except (KeyError, TypeError, ValueError) as exc:
            return error(400, str(exc))
        except LookupError as exc:
            return error(404, str(exc))
    return Response(201, {"id": award.id, "name": award.name, "user": award.user})


@router.route("POST", "/reset")
def post_reset(req: Request) -> Response:
    """Clear the counters; unless ``{"stats_only": true}``, also the data, then re-seed.

    The body may name a seed (``{"seed": "demo"}``); without one the sandbox is left empty.
    """
    body = req.json() or {}
    store = req.store
    with store.lock:
        store.stats.clear()
        store.routes.clear()
        store.mentioned.clear()
        if not body.get("stats_only"):
            store.clear()
            if body.get("seed"):
                try:
                    apply_seed(store, str(body["seed"]))
                except ValueError as exc:
                    return error(400, str(exc))
    return Response(200, stats(req))


@router.route("PUT", "/notes/:id")
def put_note(req: Request) -> Response:
    """A person edits a note in GitLab's editor (``{"body": ..., "by": username}``): its
    author, or anyone with the Maintainer role, which GitLab allows for others' comments."""
    body = req.json() or {}
    store = req.store
    with store.lock:
        try:
            item, note = store.note(int(req.params["id"]))
        except (NotFound, ValueError):
            return error(404, "404 Note Not Found")
        store.update_note(item, note, str(body.get("body", "")), str(body.get("by", "person")))
    return Response(200, {"id": note.id, "body": note.body})


@router.route("DELETE", "/notes/:id")
def delete_note(req: Request) -> Response:
    """A person deletes a note (the bot's included, as a Maintainer may)."""
    store = req.store
    with store.lock:
        try:
            item, note = store.note(int(req.params["id"]))
        except (NotFound, ValueError):
            return error(404, "404 Note Not Found")
        store.delete_note(item, note)
    return Response(204, raw=b"")


@router.route("POST", "/clock")
def post_clock(req: Request) -> Response:
    """Move the sandbox's clock forward by ``{"advance_seconds": N}``: what a test or a
    benchmark uses to let a week pass between two runs. ``updatedAt`` of later changes and
    the ``Date`` header follow it; nothing already stored changes."""
    body = req.json() or {}
    try:
        seconds = float(body.get("advance_seconds", 0))
    except (TypeError, ValueError):
        return error(400, "advance_seconds must be a number")
    if seconds < 0:
        return error(400, "the clock only moves forward")
    store = req.store
    with store.lock:
        earlier = store.clock
        step = timedelta(seconds=seconds)
        store.clock = lambda: earlier() + step
        now = store.clock()
    return Response(200, {"now": now.isoformat()})
