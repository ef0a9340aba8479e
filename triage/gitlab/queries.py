"""The GraphQL documents the bot sends. Every field and argument is GitLab's own
(doc/api/graphql/reference); the sandbox's schema rejects anything else."""

from __future__ import annotations

CURRENT_USER = "query { currentUser { username } }"

# One page of open objective epics with the widgets the checks read. Sorted by creation so
# the keyset cursor never moves while the bot comments on epics of earlier pages.
EPICS_PAGE = """
query($path: ID!, $labels: [String!], $descendants: Boolean, $cursor: String) {
  group(fullPath: $path) {
    workItems(types: [EPIC], state: opened, includeDescendants: $descendants,
              labelName: $labels, sort: CREATED_ASC, first: 100, after: $cursor) {
      pageInfo { hasNextPage endCursor }
      nodes {
        id iid title confidential createdAt updatedAt webUrl
        reference(full: true)
        author { username }
        namespace { fullPath }
        widgets {
          ... on WorkItemWidgetDescription { description lastEditedAt }
          ... on WorkItemWidgetLabels { labels { nodes { id title } } }
          ... on WorkItemWidgetAssignees { assignees { nodes { username } } }
          ... on WorkItemWidgetStartAndDueDate { startDate dueDate }
          ... on WorkItemWidgetHierarchy { children(first: 1) { count } }
        }
      }
    }
  }
}
"""

# The notes of one epic: the bot's markers, and who last did what (system notes record
# label, title and date changes with their author). Fetched per epic, only when needed.
EPIC_NOTES = """
query($id: WorkItemID!, $cursor: String) {
  workItem(id: $id) {
    widgets {
      ... on WorkItemWidgetNotes {
        discussions(filter: ALL_NOTES, first: 100, after: $cursor) {
          pageInfo { hasNextPage endCursor }
          nodes { notes { nodes { id body system updatedAt author { username } } } }
        }
      }
    }
  }
}
"""

GROUP_LABELS = """
query($path: ID!, $cursor: String) {
  group(fullPath: $path) {
    labels(includeAncestorGroups: true, first: 100, after: $cursor) {
      pageInfo { hasNextPage endCursor }
      nodes { id title }
    }
  }
}
"""

CREATE_NOTE = """
mutation($id: NoteableID!, $body: String!, $internal: Boolean) {
  createNote(input: {noteableId: $id, body: $body, internal: $internal}) {
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
