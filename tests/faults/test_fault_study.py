"""A slice of the fault study (benchmarks/fault_study.py), so the study itself stays true:
a damaged state and dropped connections end with GitLab as an undisturbed run leaves it."""

from __future__ import annotations

from benchmarks.fault_study import ROOT, control_run, measure, table, totals


def test_a_slice_of_the_fault_study_counts_nothing_lost_and_nothing_doubled(monkeypatch):
    monkeypatch.chdir(ROOT)
    control, seen = control_run()
    assert any(control[-1].notes.values()) and len(seen) > 10  # the control did its work
    rows = [measure(name, control, seen, seed=0) for name in ("truncated-state", "dropped")]
    assert rows[1].faults > 0, "the proxy made no fault: the slice measured nothing"
    assert totals(rows) == 0, table(rows)
    assert [r.codes for r in rows] == [["0", "0", "0"], ["0", "0", "0"]], table(rows)
