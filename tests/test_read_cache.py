"""What the cache keeps of the last read: epics per scope, the read's time, a fresh start."""

from __future__ import annotations

import json

from triage.cache import WriteCache


def test_kept_epics_come_back_whole_across_chunks_and_scopes_stay_apart(tmp_path):
    cache = WriteCache(tmp_path / "cache.db")
    nodes = [(f"gid://gitlab/WorkItem/{i}", json.dumps({"iid": str(i)})) for i in range(1203)]
    cache.keep_epics("a", nodes)
    cache.keep_epics("b", [("gid://gitlab/WorkItem/x", "{}")])
    cache.mark_read("a", "2026-11-20T10:00:00+00:00", "2026-11-20T00:00:00+00:00")
    cache.close()

    again = WriteCache(tmp_path / "cache.db")  # a later run
    assert sorted(again.kept_epics("a", chunk=500)) == sorted(nodes)
    assert again.read_state("a") == ("2026-11-20T10:00:00+00:00", "2026-11-20T00:00:00+00:00")
    assert again.read_state("b") is None  # kept, but never completely read: read it all
    again.drop_epics([nodes[0][0]])
    assert len(list(again.kept_epics("a"))) == 1202


def test_a_full_read_starts_by_forgetting_the_scope(tmp_path):
    """Until a full read of a scope ends, the next run finds no complete read of it."""
    cache = WriteCache(tmp_path / "cache.db")
    cache.keep_epics("a", [("e1", "{}")])
    cache.mark_read("a", "2026-11-20T10:00:00+00:00", "2026-11-20T00:00:00+00:00")
    cache.forget_scope("a")
    assert cache.read_state("a") is None
    assert list(cache.kept_epics("a")) == []
