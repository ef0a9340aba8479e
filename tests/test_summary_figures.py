"""The summary's figures, pure: one place per epic, sums that hold, comparison with last
week, whatever mix of epics a run sees."""

from __future__ import annotations

import itertools
from datetime import date

from triage.records import EpicRecord
from triage.summary.block import Previous, pack, read_previous, unpack
from triage.summary.figures import compute
from triage.summary.markdown import render

DAY = date(2026, 11, 20)


def record(n: int, **fields) -> EpicRecord:
    base = {
        "reference": f"acme&{n}",
        "id": f"gid://gitlab/WorkItem/{n}",
        "url": f"https://gitlab.example/groups/acme/-/epics/{n}",
        "title": f"Objective {n}",
        "group": "acme",
        "group_name": "Acme Corp",
        "owner": "csm.a" if n % 2 else "csm.b",
        "owner_name": "CSM A" if n % 2 else None,
    }
    return EpicRecord(**{**base, **fields})


def mix() -> list[EpicRecord]:
    """Every combination of listed, opted out, snoozed, confidential, SMART and format."""
    records = []
    combos = itertools.product(
        [(), ("Overdue", "Stale")],
        [None, "opted out"],
        [(), ("stale-objective (by label)",)],
        [False, True],
        [(), ("missing_baseline",)],
        [(), ("missing_due_date",)],
    )
    for n, (summary, skipped, snoozed, confidential, smart, fmt) in enumerate(combos, 1):
        records.append(
            record(
                n,
                summary=() if skipped else summary,
                skipped=skipped,
                snoozed=() if skipped else snoozed,
                confidential=confidential,
                findings=smart + fmt,
                reasons=("overdue",) if summary else (),
            )
        )
    return records


def test_each_epic_has_one_place_and_the_sums_hold():
    records = mix()
    before = Previous(
        {},
        "",
        frozenset(),
        "2026-W46",
        listed=frozenset(r.reference for r in records[::3]) | {"acme&999"},
    )
    figures = compute(records, ["acme"], [], {}, DAY, ["Overdue", "Stale"], before)
    head = figures.headline
    assert head["scanned"] == len(records)
    assert head["scanned"] == head["attention"] + head["fixed"] + head["set_aside"] + head["clean"]
    assert head["attention"] == head["new"] + head["still_open"]
    for key in (
        "attention",
        "new",
        "still_open",
        "fixed",
        "smart",
        "format",
        "overdue",
        "stale",
        "opted_out",
        "snoozed",
        "set_aside",
        "clean",
    ):
        assert sum(getattr(r, key) for r in figures.csms) == head[key], key
        assert sum(getattr(r, key) for r in figures.customers) == head[key], key
    assert sum(top.total for top in figures.sections.values()) == head["attention"]
    assert list(figures.sections) == ["Overdue"]  # listed under the most urgent only
    assert figures.fixed.total == head["fixed"] and figures.set_aside.total == head["set_aside"]
    assert head["gone"] == 1  # acme&999: listed last week, not seen now
    # opted-out epics count as opted out, never as missing SMART parts or format
    opted = [r for r in records if r.skipped]
    assert head["opted_out"] == len(opted)
    smart = [r for r in records if not r.skipped and "missing_baseline" in r.findings]
    assert head["smart"] == len(smart)
    assert sorted(figures.listed) == sorted(r.reference for r in records if r.summary)
    # display names, else the username
    assert {r.name for r in figures.csms} == {"CSM A", "csm.b"}
    assert figures.customers[0].name == "Acme Corp"


def test_without_last_week_everything_listed_is_new_and_nothing_is_fixed():
    figures = compute(mix(), ["acme"], [], {}, DAY)
    head = figures.headline
    assert head["new"] == head["attention"] and head["fixed"] == 0 and head["gone"] == 0
    text = render(figures, None)
    assert "No earlier summary to compare with" in text
    assert "## Fixed since last week" not in text
    assert "| Objectives scanned | 64 | - |" in text


def test_the_block_round_trips_what_next_week_needs():
    figures = compute(mix(), ["acme"], [], {}, DAY, ["Overdue", "Stale"])
    previous = read_previous(render(figures, None))
    assert previous is not None
    assert previous.listed == frozenset(figures.listed)
    assert previous.headline == figures.headline
    assert [t["week"] for t in previous.trend] == ["2026-W47"]
    assert unpack(pack(["a&1", "b&2"])) == frozenset({"a&1", "b&2"})
    assert unpack("not base64!") is None


def test_a_summary_from_before_per_epic_comparison_still_compares_its_figures():
    old = Previous({"scanned": 10}, "", frozenset(), "2026-W46")  # no listed epics
    figures = compute(mix(), ["acme"], [], {}, DAY, (), old)
    text = render(figures, old)
    assert "| Objectives scanned | 64 | +54 |" in text
    assert "new and fixed objectives are told apart from next week" in text
    assert figures.headline["fixed"] == 0


def test_a_registered_collector_and_section_extend_the_summary(monkeypatch):
    from triage.summary import collectors, sections

    class Initiatives:
        name = "initiatives"

        def __init__(self) -> None:
            self.total = 0

        def add(self, record: EpicRecord, result) -> None:
            self.total += record.initiatives

        def finish(self) -> int:
            return self.total

    monkeypatch.setattr(collectors, "COLLECTORS", [])
    monkeypatch.setattr(sections, "SECTIONS", list(sections.SECTIONS))
    monkeypatch.setattr("triage.summary.figures.COLLECTORS", collectors.COLLECTORS)
    monkeypatch.setattr("triage.summary.markdown.SECTIONS", sections.SECTIONS)
    collectors.collector(Initiatives)
    sections.section(35)(lambda ctx: [f"Initiatives: {ctx.figures.extra['initiatives']}"])
    records = [record(1, initiatives=2), record(2, initiatives=3)]
    text = render(compute(records, ["acme"], [], {}, DAY), None)
    assert "Initiatives: 5" in text
    assert text.index("## By CSM") < text.index("Initiatives: 5") < text.index("## By customer")
