"""`make demo` hands the CSM what goes to the customer and to Gainsight, and says where."""

from __future__ import annotations

import csv
import re
from pathlib import Path
from urllib.parse import urlparse

from triage.cli import main


def test_the_demo_writes_each_customers_report_and_the_export(tmp_path, capsys, monkeypatch):
    for name in ("OPENAI_API_KEY", "AZURE_OPENAI_API_KEY", "OPENAI_BASE_URL", "GITLAB_URL"):
        monkeypatch.delenv(name, raising=False)
    plans, export = tmp_path / "plans", tmp_path / "gainsight"
    code = main(
        [
            "demo",
            "--report",
            str(tmp_path / "report.json"),
            "--plans",
            str(plans),
            "--gainsight",
            str(export),
        ]
    )
    assert code == 0
    out = capsys.readouterr().out
    links = dict(re.findall(r"^  ([A-Za-z ]+): .*?(file://\S+)$", out, re.MULTILINE))
    assert set(links) == {"Acme Corp", "Globex", "Initech", "all customers"}
    for link in links.values():
        assert Path(urlparse(link).path).is_file()
    assert "Acme Corp: 6 objectives, 7 initiatives" in out
    with (export / "gainsight-objectives.csv").open(newline="") as handle:
        assert len(list(csv.DictReader(handle))) == 12
