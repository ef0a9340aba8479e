"""The acme-corp report rendered by headless Chromium, as a customer would open it: no
console error, every objective shown, one timeline bar per initiative, nothing fetched."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.conftest import DEMO_DAY
from tests.outputs.browser import Browser, chromium
from triage.cli import main

PAGE_FACTS = """JSON.stringify({
  objectives: [...document.querySelectorAll('section.objective h3')].map(e => e.textContent),
  bars: [...document.querySelectorAll('svg.timeline rect.bar')].map(
    b => [b.dataset.initiative, b.getBoundingClientRect().width]),
  today: (() => { const t = document.querySelector('svg.timeline line.today');
    const s = t.ownerSVGElement.getBoundingClientRect(), r = t.getBoundingClientRect();
    return r.left >= s.left && r.right <= s.right && r.height > 0; })(),
})"""


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    binary = chromium()
    if binary is None:
        pytest.fail(
            "no Chromium: `make test` installs Debian's chromium when it is absent; "
            "CHROMIUM=/path/to/chrome names another"
        )
    running = Browser(binary)
    yield running
    running.close()


def test_the_report_loads_clean_and_shows_every_objective_and_initiative(
    sandbox, bot_env, tmp_path, browser
):
    import json

    out = tmp_path / "site"
    assert main(["plan-report", "--today", DEMO_DAY.isoformat(), "--output", str(out)]) == 0
    page = out / "acme-corp" / "index.html"
    snapshot = json.loads((out / "acme-corp" / "plan.json").read_text())
    visit = browser.visit(page.as_uri(), PAGE_FACTS)
    assert visit.problems == []
    assert all(url.startswith(("file:", "data:")) for url in visit.requests), visit.requests
    facts = json.loads(visit.value)
    expected = [o["title"] for o in snapshot["objectives"].values()]
    assert sorted(facts["objectives"]) == sorted(expected) and len(expected) == 6
    initiatives = [ref for o in snapshot["objectives"].values() for ref in o["initiatives"]]
    assert sorted(ref for ref, _ in facts["bars"]) == sorted(initiatives)
    assert len(initiatives) == 7
    assert all(width >= 3 for _, width in facts["bars"])  # drawn, not zero-width
    assert facts["today"] is True


def test_the_check_sees_what_a_broken_page_would_do(sandbox, bot_env, tmp_path, browser):
    """The same checks on a page with a script and an external image: both are refused by
    the page's own policy, and the refusals are what the test above would report."""
    out = tmp_path / "site"
    assert main(["plan-report", "--today", DEMO_DAY.isoformat(), "--output", str(out)]) == 0
    page = out / "acme-corp" / "index.html"
    broken = page.read_text().replace(
        "</main>",
        '<script>console.error("boom")</script><img src="https://example.invalid/x.png"></main>',
    )
    (tmp_path / "broken.html").write_text(broken)
    visit = browser.visit((tmp_path / "broken.html").as_uri(), "document.title")
    assert any("Content Security Policy" in problem for problem in visit.problems), visit
    assert "boom" not in " ".join(visit.problems)  # the script never ran
