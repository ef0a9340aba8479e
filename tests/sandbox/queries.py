"""GraphQL documents the tests send, written as the bot will write them."""

from __future__ import annotations

# The epic listing query from GitLab's work item API, with every widget the bot reads.
EPICS = """
query($path: ID!, $cursor: String, $first: Int = 100, $descendants: Boolean = true,
      $sort: WorkItemSort = UPDATED_DESC) {
  group(fullPath: $path) {
    workItems(types: [EPIC], state: opened, includeDescendants: $descendants, sort: $sort,
              first: $first, after: $cursor) {
      count
      pageInfo { hasNextPage endCursor }
      nodes {
        id iid title state confidential createdAt updatedAt closedAt webUrl
        author { username }
        namespace { fullPath }
        workItemType { name }
        reference(full: true)
        widgets {
          __typename
          ... on WorkItemWidgetDescription { description lastEditedAt }
          ... on WorkItemWidgetLabels { labels { nodes { id title } } }
          ... on WorkItemWidgetAssignees { assignees { nodes { username name } } }
          ... on WorkItemWidgetStartAndDueDate { startDate dueDate isFixed rollUp }
          ... on WorkItemWidgetHierarchy {
            hasChildren
            children(first: 20) { nodes { id iid title state workItemType { name } } }
          }
          ... on WorkItemWidgetNotes {
            discussions(filter: ONLY_COMMENTS, first: 20) {
              nodes { notes { nodes { id body author { username } createdAt } } }
            }
          }
        }
      }
    }
  }
}
"""

CREATE_NOTE = """
mutation($id: NoteableID!, $body: String!) {
  createNote(input: {noteableId: $id, body: $body}) {
    note { id body }
    errors
    quickActionsStatus { commandNames commandsOnly messages }
  }
}
"""

UPDATE_NOTE = """
mutation($id: NoteID!, $body: String!) {
  updateNote(input: {id: $id, body: $body}) { note { id body } errors }
}
"""

UPDATE_LABELS = """
mutation($id: WorkItemID!, $add: [LabelID!], $remove: [LabelID!]) {
  workItemUpdate(input: {id: $id, labelsWidget: {addLabelIds: $add, removeLabelIds: $remove}}) {
    workItem {
      id
      widgets { __typename ... on WorkItemWidgetLabels { labels { nodes { title } } } }
    }
    errors
  }
}
"""

LABELS = """
query($path: ID!, $term: String) {
  group(fullPath: $path) {
    labels(searchTerm: $term, includeAncestorGroups: true, first: 100) {
      count
      nodes { id title }
    }
  }
}
"""


def widget(node: dict, typename: str) -> dict:
    """The widget of ``typename`` in a work item node from ``EPICS``."""
    return next(w for w in node["widgets"] if w["__typename"] == typename)


def epic_by_reference(nodes: list[dict], reference: str) -> dict:
    return next(n for n in nodes if n["reference"] == reference)
