"""How a sandbox instance misbehaves on purpose: latency, faults, rate limits, LLM mode."""

from __future__ import annotations

from dataclasses import dataclass, field

DEFAULT_TOKEN = "sandbox-token"  # a fixed, documented token for a local server
DEFAULT_USER = "smart-triage-bot"


@dataclass
class Options:
    latency_ms: float = 0.0
    llm_latency_ms: float = 0.0
    fault_rate: float = 0.0
    fault_seed: int = 0
    rate_limit: int = 0  # requests per window per token; 0 means unlimited
    rate_limit_window: float = 60.0
    llm_mode: str = "normal"
    llm_key: str | None = None  # when set, any other API key is refused with OpenAI's 401
    token: str = DEFAULT_TOKEN
    username: str = DEFAULT_USER
    # GitLab's note-creation limit (application setting ``notes_create_limit``): notes per
    # window and user, over it ``createNote`` answers 200 with a top-level error; 0: off.
    note_limit: int = 0
    note_limit_window: float = 60.0
    # Top-level groups whose instance or licence has no epics as work items: their
    # ``Group.workItems`` is null, as on Free, CE or a Self-Managed GitLab before 17.7.
    no_work_item_epics: tuple[str, ...] = ()
    # Groups where the token's user may not administer labels (below the Planner role):
    # creating a label there answers 403.
    label_admin_denied: tuple[str, ...] = field(default=())
    # Pages of work items larger than this many records time out as a big group's do on
    # GitLab: HTTP 503, "Request timed out. Please try a less complex query or a smaller
    # set of records." (GraphqlController, ActiveRecord::QueryAborted). 0: no limit.
    page_record_limit: int = 0
    # A label create whose title is taken answers as the loser of two creates at the same
    # moment does: both passed the API's look-up, and the model's uniqueness validation
    # answers 400 "has already been taken" instead of the look-up's 409.
    label_create_race: bool = False
    # Groups the token's user is no member of (a subgroup's token and its top group):
    # ``members/all`` answers 404 there, and creating a label 404s as well.
    not_member_of: tuple[str, ...] = ()
    # Routes (``POST /projects/:id/issues``) whose first answer is lost after GitLab saved
    # the request: the client sees a 502 for a write that happened.
    lost_answers: tuple[str, ...] = ()
    # What ``/version`` and ``/personal_access_tokens/self`` say about the instance and
    # the token, for ``triage doctor``.
    version: str = "18.6.0-ee"
    # Which Markdown engine reads notes: "current" skips backslash-escaped mentions and
    # references, "legacy" (older GitLab) notifies for ``\\@all`` as for ``@all``.
    markdown_engine: str = "current"
    token_scopes: tuple[str, ...] = ("api",)
    token_expires_at: str | None = None
