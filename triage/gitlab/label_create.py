"""What GitLab answers when a label's title is taken.

``POST /groups/:id/labels`` (and ``/projects/:id/labels``) looks the title up first and
answers 409 "Label already exists" (``create_label`` in lib/api/helpers/label_helpers.rb).
Two creates of one title at the same moment both pass that look-up; the second then fails
the model's uniqueness validation (``validates :title, uniqueness: { scope: [:group_id,
:project_id] }``, app/models/label.rb) and is answered 400 with ``{"message": {"title":
["has already been taken"]}}``. Both mean the label exists: two shards creating the same
missing label in one top-level group, or two runs taking one lease, meet this.
"""

from __future__ import annotations

import gitlab

TAKEN = "has already been taken"


def title_taken(exc: gitlab.GitlabError) -> bool:
    """Whether a label create failed because the title exists (409, or the racing 400)."""
    status = exc.response_code or 0
    return status == 409 or (status == 400 and TAKEN in str(exc.error_message))
