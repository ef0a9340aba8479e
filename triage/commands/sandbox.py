"""Run the GitLab-compatible sandbox, seeded with success plans, until interrupted.

The sandbox serves GitLab's GraphQL (/api/graphql) and REST (/api/v4) subset the bot uses,
an OpenAI-compatible /v1/chat/completions, and /-/sandbox/{stats,state,load,reset}.
"""

from __future__ import annotations

import argparse
import sys
from datetime import date

from triage.commands import sandbox_extra
from triage.errors import UsageError

# The sandbox's LLM modes, named here so that ``--help`` does not import the sandbox;
# tests/test_cli.py holds this list equal to the sandbox's own.
LLM_MODES = ("adversarial", "invalid", "length", "normal", "refusal")
DEFAULT_TOKEN = "sandbox-token"


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--port", type=int, default=0, help="port to listen on; 0 picks a free one (default: 0)"
    )
    parser.add_argument(
        "--host", default="127.0.0.1", help="address to bind (default: 127.0.0.1, loopback only)"
    )
    parser.add_argument(
        "--seed", default="demo", help="starting data: demo, empty or scale:N (default: demo)"
    )
    parser.add_argument(
        "--today",
        type=date.fromisoformat,
        default=None,
        metavar="YYYY-MM-DD",
        help="date the demo seed is written for (default: today)",
    )
    parser.add_argument(
        "--token",
        default=DEFAULT_TOKEN,
        help=f"the API token the sandbox accepts (default: {DEFAULT_TOKEN})",
    )
    parser.add_argument(
        "--latency-ms", type=float, default=0.0, help="delay added to every GitLab request"
    )
    parser.add_argument(
        "--llm-latency-ms", type=float, default=0.0, help="delay added to every LLM request"
    )
    parser.add_argument(
        "--fault-rate",
        type=float,
        default=0.0,
        help="fraction of GitLab requests answered with a 5xx (0 to 1)",
    )
    parser.add_argument(
        "--fault-seed", type=int, default=0, help="seed of the fault RNG, so failures replay"
    )
    parser.add_argument(
        "--rate-limit",
        type=int,
        default=0,
        metavar="R",
        help="GitLab requests allowed per window and token, then 429 (0: off)",
    )
    parser.add_argument(
        "--rate-limit-window",
        type=float,
        default=60.0,
        metavar="SECONDS",
        help="length of the rate-limit window (default: 60)",
    )
    parser.add_argument(
        "--llm-mode",
        choices=LLM_MODES,
        default="normal",
        help="how the LLM endpoint answers (default: normal)",
    )
    real = parser.add_argument_group(
        "a real GitLab's limits and settings (for trying triage doctor and the run)"
    )
    real.add_argument(
        "--note-limit",
        type=int,
        default=0,
        metavar="N",
        help="notes a user may create per window; over it GitLab's 200 with an error (0: off)",
    )
    real.add_argument(
        "--note-limit-window",
        type=float,
        default=60.0,
        metavar="SECONDS",
        help="length of the note-limit window (default: 60)",
    )
    real.add_argument(
        "--no-work-item-epics",
        action="append",
        default=[],
        metavar="GROUP",
        help="a top-level group without epics as work items (workItems: null); repeatable",
    )
    real.add_argument(
        "--deny-label-admin",
        action="append",
        default=[],
        metavar="GROUP",
        help="a group where the token may not create labels (HTTP 403); repeatable",
    )
    real.add_argument(
        "--gitlab-version",
        default="18.6.0-ee",
        metavar="VERSION",
        help="what /api/v4/version answers (default: 18.6.0-ee)",
    )
    real.add_argument(
        "--token-scopes",
        default="api",
        metavar="SCOPES",
        help="comma-separated scopes the token reports (default: api)",
    )
    real.add_argument(
        "--markdown-engine",
        choices=("current", "legacy"),
        default="current",
        help="how notes are read: 'legacy' notifies for a backslash-escaped \\@all, as "
        "older GitLab does (default: current)",
    )
    parser.add_argument("--verbose", action="store_true", help="log every request to stderr")


def run(args: argparse.Namespace) -> int:
    if not 0 <= args.fault_rate <= 1:
        raise UsageError(f"--fault-rate must be between 0 and 1, got {args.fault_rate}")
    if not 0 <= args.port <= 65535:
        raise UsageError(f"--port must be between 0 and 65535, got {args.port}")
    if args.rate_limit < 0 or args.rate_limit_window <= 0:
        raise UsageError("--rate-limit must be >= 0 and --rate-limit-window > 0")
    if args.note_limit < 0 or args.note_limit_window <= 0:
        raise UsageError("--note-limit must be >= 0 and --note-limit-window > 0")
    sandbox_package = sandbox_extra.load()
    Options, Sandbox = sandbox_package.Options, sandbox_package.Sandbox
    options = Options(
        latency_ms=args.latency_ms,
        llm_latency_ms=args.llm_latency_ms,
        fault_rate=args.fault_rate,
        fault_seed=args.fault_seed,
        rate_limit=args.rate_limit,
        rate_limit_window=args.rate_limit_window,
        llm_mode=args.llm_mode,
        token=args.token,
        note_limit=args.note_limit,
        note_limit_window=args.note_limit_window,
        no_work_item_epics=tuple(args.no_work_item_epics),
        label_admin_denied=tuple(args.deny_label_admin),
        version=args.gitlab_version,
        token_scopes=tuple(s.strip() for s in args.token_scopes.split(",") if s.strip()),
        markdown_engine=args.markdown_engine,
    )
    try:
        sandbox = Sandbox(
            seed=args.seed,
            port=args.port,
            host=args.host,
            options=options,
            today=args.today,
            verbose=args.verbose,
        )
    except ValueError as exc:
        raise UsageError(str(exc)) from exc
    except OSError as exc:
        raise UsageError(f"cannot listen on {args.host}:{args.port}: {exc.strerror}") from exc
    seeded = sandbox.seeded
    print(f"listening on {sandbox.url}")
    print(f"token: {sandbox.token}")
    print(
        f"seed: {args.seed} ({seeded['groups']} groups, {seeded['epics']} epics, "
        f"{seeded['issues']} issues)"
    )
    print("use it with:")
    print(f"  export GITLAB_URL={sandbox.url} GITLAB_TOKEN={sandbox.token}")
    print(f"  export OPENAI_BASE_URL={sandbox.url}/v1 OPENAI_API_KEY=sandbox")
    print(f"  curl -s -H 'PRIVATE-TOKEN: {sandbox.token}' {sandbox.url}/api/v4/groups")
    print(f"  curl -s {sandbox.url}/-/sandbox/stats")
    print("press Ctrl-C to stop", flush=True)
    try:
        sandbox.serve_forever()
    except KeyboardInterrupt:
        print("stopped", file=sys.stderr)
    finally:
        sandbox.httpd.server_close()
    return 0
