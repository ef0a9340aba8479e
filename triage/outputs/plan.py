"""A customer's success plan as the report shows it: objectives, SMART parts, initiatives.

Pure: epics in, plain records out. The HTML page, the Markdown page and the snapshot the
next report compares with are all rendered from these records, so the three always say
the same thing.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date

from triage.plan.assess import owner_of
from triage.records import Epic, Initiative
from triage.smart.checker import Checker, Decision
from triage.smart.stages import stage_of

STATUS_SCOPE = "SP Objective::Status"
# The SMART table's rows: (element, heading a customer reads).
SMART_ROWS = (
    ("baseline", "Baseline"),
    ("success_criteria", "Target"),
    ("timeline", "Timeline"),
    ("business_impact", "Business impact"),
    ("owner", "Owner"),
)


@dataclass(frozen=True)
class SmartPart:
    element: str
    heading: str
    decision: str  # present, unsure, missing
    text: str  # the quoted words, or "" when missing


@dataclass(frozen=True)
class Objective:
    reference: str
    title: str
    url: str
    group: str
    status: str  # the SP Objective::Status label's value, or "No status"
    stage: str  # Verifiable Outcome stage, or "none"
    owner: str | None
    start_date: date | None
    due_date: date | None
    smart: tuple[SmartPart, ...]
    initiatives: tuple[Initiative, ...]
    confidential: bool = False

    @property
    def closed_initiatives(self) -> int:
        return sum(not i.open for i in self.initiatives)

    @property
    def progress(self) -> int | None:
        """Percent of initiatives closed; None without initiatives."""
        if not self.initiatives:
            return None
        return round(100 * self.closed_initiatives / len(self.initiatives))

    @property
    def smart_present(self) -> int:
        return sum(part.decision == "present" for part in self.smart)


@dataclass(frozen=True)
class CustomerPlan:
    group: str  # the customer's top group path
    name: str  # its display name
    url: str
    today: date
    objectives: tuple[Objective, ...]
    left_out: int = 0  # confidential objectives not shown
    changes: tuple[str, ...] = ()
    previous_date: date | None = None
    first: bool = True  # no earlier report to compare with

    @property
    def initiatives(self) -> list[Initiative]:
        return [i for o in self.objectives for i in o.initiatives]


def status_of(labels: Iterable[str]) -> str:
    for label in labels:
        scope, _, value = label.rpartition("::")
        if scope == STATUS_SCOPE and value:
            return value
    return "No status"


def objective_of(epic: Epic, checker: Checker, include_confidential: bool) -> Objective:
    """The report's view of one objective epic; confidential initiatives are left out of
    a customer-facing page unless confidential items were asked for."""
    check = checker.check(epic)
    parts = []
    for element, heading in SMART_ROWS:
        decision = check.decisions.get(element, Decision.MISSING)
        evidence = check.evidence.get(element)
        text = evidence.text if evidence and decision is not Decision.MISSING else ""
        parts.append(SmartPart(element, heading, str(decision.value), text))
    initiatives = tuple(i for i in epic.initiatives if include_confidential or not i.confidential)
    return Objective(
        reference=epic.reference,
        title=epic.title,
        url=epic.web_url,
        group=epic.group,
        status=status_of(epic.labels),
        stage=stage_of(epic),
        owner=owner_of(epic, check),
        start_date=epic.start_date,
        due_date=epic.due_date,
        smart=tuple(parts),
        initiatives=initiatives,
        confidential=epic.confidential,
    )


@dataclass
class PlanBuilder:
    """Objectives of one customer, collected page by page."""

    group: str
    name: str
    url: str
    today: date
    include_confidential: bool = False
    checker: Checker = field(default_factory=Checker)
    objectives: list[Objective] = field(default_factory=list)
    left_out: int = 0

    def add(self, epics: Sequence[Epic]) -> None:
        for epic in epics:
            if epic.confidential and not self.include_confidential:
                self.left_out += 1
                continue
            self.objectives.append(objective_of(epic, self.checker, self.include_confidential))

    def build(self) -> CustomerPlan:
        ordered = sorted(
            self.objectives,
            key=lambda o: (o.due_date is None, o.due_date or date.max, o.reference),
        )
        return CustomerPlan(
            self.group, self.name, self.url, self.today, tuple(ordered), self.left_out
        )
