"""The GraphQL documents the bot sends. Every field and argument is GitLab's own
(doc/api/graphql/reference); the sandbox's schema rejects anything else."""

from __future__ import annotations

CURRENT_USER = "query { currentUser { username } }"

# A child item of an objective, as the report, the export and the initiative conditions
# read it. Initiatives are issues; child epics come back too and are told by their type.
# Lower-case: a fragment is not a document of its own.
_initiative_fragment = """
fragment Initiative on WorkItem {
  id title state confidential createdAt updatedAt closedAt webUrl
  reference(full: true)
  workItemType { name }
  widgets {
    ... on WorkItemWidgetAssignees { assignees { nodes { username } } }
    ... on WorkItemWidgetLabels { labels { nodes { title } } }
    ... on WorkItemWidgetStartAndDueDate { startDate dueDate }
  }
}
"""

# One page of open objective epics with the widgets the checks read. Sorted by creation so
# the keyset cursor never moves while the bot comments on epics of earlier pages. ``first``
# shrinks when GitLab times out on a page (``reads.work_item_pages``).
EPICS_PAGE = (
    """
query($path: ID!, $labels: [String!], $descendants: Boolean, $cursor: String,
      $first: Int = 100) {
  group(fullPath: $path) {
    workItems(types: [EPIC], state: opened, includeDescendants: $descendants,
              labelName: $labels, sort: CREATED_ASC, first: $first, after: $cursor) {
      pageInfo { hasNextPage endCursor }
      nodes {
        id iid title confidential createdAt updatedAt webUrl
        reference(full: true)
        author { username name }
        namespace { fullPath fullName }
        widgets {
          ... on WorkItemWidgetDescription { description lastEditedAt }
          ... on WorkItemWidgetLabels { labels { nodes { id title } } }
          ... on WorkItemWidgetAssignees { assignees { nodes { username name } } }
          ... on WorkItemWidgetStartAndDueDate { startDate dueDate }
          ... on WorkItemWidgetHierarchy {
            children(first: 100) {
              count
              pageInfo { hasNextPage endCursor }
              nodes { ...Initiative }
            }
          }
        }
      }
    }
  }
}
"""
    + _initiative_fragment
)

# The children of one objective after the first 100 the page query brought: only for an
# objective with more than 100 child items, so almost never.
EPIC_CHILDREN = (
    """
query($id: WorkItemID!, $cursor: String) {
  workItem(id: $id) {
    widgets {
      ... on WorkItemWidgetHierarchy {
        children(first: 100, after: $cursor) {
          pageInfo { hasNextPage endCursor }
          nodes { ...Initiative }
        }
      }
    }
  }
}
"""
    + _initiative_fragment
)

# The notes of one epic: the bot's markers, who last did what (system notes record label,
# title and date changes with their author), and the reactions on each note (a CSM's thumbs
# up or down on the bot's draft). Fetched per epic, only when needed.
EPIC_NOTES = """
query($id: WorkItemID!, $cursor: String) {
  workItem(id: $id) {
    widgets {
      ... on WorkItemWidgetNotes {
        discussions(filter: ALL_NOTES, first: 100, after: $cursor) {
          pageInfo { hasNextPage endCursor }
          nodes {
            replyId
            notes {
              nodes {
                id body system internal updatedAt author { username }
                awardEmoji { nodes { name user { username } } }
              }
            }
          }
        }
      }
    }
  }
}
"""

# A customer group's display name and page, for the plan report's heading.
GROUP_INFO = """
query($path: ID!) {
  group(fullPath: $path) { fullName webUrl }
}
"""

# Group labels only: GitLab's default (onlyGroupLabels: false) adds the labels of the
# group's projects, one title possibly twice, and an epic takes only group labels (a
# project label's id is dropped from workItemUpdate without an error).
GROUP_LABELS = """
query($path: ID!, $cursor: String) {
  group(fullPath: $path) {
    labels(includeAncestorGroups: true, onlyGroupLabels: true, first: 100, after: $cursor) {
      pageInfo { hasNextPage endCursor }
      nodes { id title }
    }
  }
}
"""

CREATE_NOTE = """
mutation($id: NoteableID!, $body: String!, $internal: Boolean, $discussion: DiscussionID) {
  createNote(
    input: {noteableId: $id, body: $body, internal: $internal, discussionId: $discussion}
  ) {
    note { id updatedAt }
    errors
  }
}
"""

UPDATE_NOTE = """
mutation($id: NoteID!, $body: String!) {
  updateNote(input: {id: $id, body: $body}) {
    note { id updatedAt }
    errors
  }
}
"""

# Deletes a second note of the bot's (two runs at once, an older version's bug); only the
# note's author may (Mutations::Notes::Destroy authorizes :admin_note).
DESTROY_NOTE = """
mutation($id: NoteID!) {
  destroyNote(input: {id: $id}) {
    errors
  }
}
"""

UPDATE_LABELS = """
mutation($id: WorkItemID!, $add: [LabelID!], $remove: [LabelID!]) {
  workItemUpdate(input: {id: $id, labelsWidget: {addLabelIds: $add, removeLabelIds: $remove}}) {
    workItem { id updatedAt }
    errors
  }
}
"""

# Whether a group's epics can be read as work items, and how many open objectives it has:
# ``workItems`` is null without epics as work items; ``count`` costs no page of nodes.
EPICS_PROBE = """
query($path: ID!, $labels: [String!], $descendants: Boolean) {
  group(fullPath: $path) {
    fullPath
    workItems(types: [EPIC], state: opened, includeDescendants: $descendants,
              labelName: $labels, first: 1) {
      count
    }
  }
}
"""


def with_complexity(document: str) -> str:
    """``document`` also asking GitLab for its own complexity score and limit: the
    ``queryComplexity`` field reports the cost of the whole query it is part of."""
    head, brace, rest = document.partition("{")
    return f"{head}{brace}\n  queryComplexity {{ score limit }}{rest}"
