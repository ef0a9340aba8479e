"""Allow ``python -m triage`` to behave exactly like the ``triage`` console script."""

from __future__ import annotations

from triage.cli import main

raise SystemExit(main())
