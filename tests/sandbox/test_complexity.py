"""GitLab's query complexity and depth limits, as the sandbox enforces them.

The expected scores are worked out by hand from GitLab's rules (sandbox/gitlab_sandbox/
complexity.py names the source of each): a plain field costs 1 plus its selections, a
resolver field its selections plus 1 (+1 with a sort, +5 with a search, +1 if it calls
Gitaly), times ``1 + page size x multiplier`` on a connection, truncated; a field of an
abstract type costs its costliest possible type.
"""

from __future__ import annotations

from typing import Any

import pytest
import requests
from gitlab_sandbox import Sandbox
from gitlab_sandbox.complexity import (
    AUTHENTICATED_MAX_COMPLEXITY,
    QueryCost,
    limit_errors,
    query_cost,
)
from gitlab_sandbox.graphql_api import schema
from graphql import (
    GraphQLInputType,
    GraphQLList,
    GraphQLNonNull,
    get_operation_ast,
    is_input_type,
    parse,
    type_from_ast,
)

from tests.conftest import control
from triage.gitlab import queries


def cost(document: str, **variables: Any) -> QueryCost:
    return query_cost(schema(), parse(document), None, variables)


def post(box: Sandbox, query: str, token: str | None = None, **variables: Any) -> Any:
    headers = {"PRIVATE-TOKEN": token} if token else {}
    response = requests.post(
        f"{box.url}/api/graphql",
        json={"query": query, "variables": variables},
        headers=headers,
        timeout=10,
    )
    return response.status_code, response.json()


SMALL = """
query($path: ID!, $first: Int) {
  group(fullPath: $path) {
    labels(first: 10) { nodes { title } }
    workItems(first: $first, search: "objective") {
      count
      nodes {
        widgets {
          type
          ... on WorkItemWidgetHierarchy { children { count } }
          ... on WorkItemWidgetNotes { discussions(first: 2) { nodes { id } } }
        }
      }
    }
  }
}
"""


def test_a_small_query_scores_what_gitlabs_rules_give_by_hand():
    # labels (GroupLabelsResolver): nodes { title } = 1 + 1 = 2;
    #   (2 + 1) x (1 + 10 x 0.01) = 3.3 -> 3
    # widgets, the costliest possible type:
    #   Hierarchy: type 1 + children (complexity: 5) 5 + count 1 = 7
    #   Notes: type 1 + discussions: nodes { id } = 2, + 1 resolver + 1 Gitaly = 4,
    #          x (1 + 2 x 0.05) = 4.4 -> 4; 1 + 4 = 5
    #   the other widget types: type = 1
    #   widgets = 1 + max(7, 5, 1) = 8
    # workItems (Namespaces::WorkItemsResolver): count 1 + nodes (1 + 8) = 10,
    #   + 1 resolver + 1 sort (defaults to CREATED_DESC) + 5 search = 17,
    #   x (1 + 50 x 0.01) = 25.5 -> 25
    # group (GroupResolver): 3 + 25 + 1 = 29
    # depth: group > workItems > nodes > widgets > discussions > nodes > id = 7
    assert cost(SMALL, path="acme-corp", first=50) == QueryCost(score=29, depth=7)
    # without `first:` the page size is GitLab's maximum, 100: 17 x 2 = 34; 3 + 34 + 1 = 38
    assert cost(SMALL, path="acme-corp").score == 38
    # `first: 500` is held to the max page size too
    assert cost(SMALL, path="acme-corp", first=500).score == 38


def test_filtering_by_iid_drops_the_page_multiplier():
    # workItems: count 1, + 1 resolver + 1 sort = 3, x (1 + 0) because of `iid`; group + 1
    by_iid = '{ group(fullPath: "g") { workItems(iid: "1") { count } } }'
    assert cost(by_iid).score == 4
    # without it: 3 x (1 + 100 x 0.01) = 6; group + 1
    assert cost('{ group(fullPath: "g") { workItems { count } } }').score == 7


def test_repeated_selections_and_skipped_fields_are_counted_once_or_not_at_all():
    # `username` twice under one key is one field; the @skip'd `name` and the
    # @include(if: false) `bot` cost nothing: currentUser = 1 + 1
    query = """query($no: Boolean = false) {
      currentUser { username username name @skip(if: true) bot @include(if: $no) }
    }"""
    assert cost(query) == QueryCost(score=2, depth=2)


def test_queryComplexity_answers_the_score_and_the_limit_of_the_caller(sandbox, gq):
    query = "query { queryComplexity { score limit } currentUser { username } }"
    # queryComplexity 1 + score 1 + limit 1 = 3; currentUser 1 + username 1 = 2
    result = gq.execute(query)
    assert result["queryComplexity"] == {"score": 5, "limit": AUTHENTICATED_MAX_COMPLEXITY}
    status, body = post(sandbox, query)
    assert status == 200
    assert body == {"data": {"queryComplexity": {"score": 5, "limit": 200}, "currentUser": None}}


def aliased_current_users(count: int) -> str:
    return "query { " + " ".join(f"u{n}: currentUser {{ username }}" for n in range(count)) + " }"


def test_a_query_over_the_limit_gets_graphql_rubys_error_and_no_data(sandbox):
    # 126 x (currentUser 1 + username 1) = 252 > 250
    status, body = post(sandbox, aliased_current_users(126), sandbox.token)
    assert status == 200
    assert body == {
        "errors": [{"message": "Query has complexity of 252, which exceeds max complexity of 250"}]
    }
    # a score equal to the limit is allowed: 125 x 2 = 250
    status, body = post(sandbox, aliased_current_users(125), sandbox.token)
    assert status == 200
    assert "errors" not in body
    assert body["data"]["u124"]["username"]
    # anonymous callers get 200: 101 x 2 = 202 is refused, 100 x 2 = 200 runs
    assert post(sandbox, aliased_current_users(101))[1] == {
        "errors": [{"message": "Query has complexity of 202, which exceeds max complexity of 200"}]
    }
    assert post(sandbox, aliased_current_users(100))[1]["data"]["u99"] is None


def test_a_mutation_over_the_limit_is_refused_before_it_writes(sandbox, gq):
    epic = gq.execute('{ group(fullPath: "acme-corp") { workItems(first: 1) { nodes { id } } } }')
    epic_id = epic["group"]["workItems"]["nodes"][0]["id"]
    # each createNote: 1 + note (1 + id 1 + updatedAt 1) + errors 1 = 5; 51 x 5 = 255
    mutation = (
        "mutation($id: NoteableID!) { "
        + " ".join(
            f'n{n}: createNote(input: {{noteableId: $id, body: "x{n}"}}) '
            "{ note { id updatedAt } errors }"
            for n in range(51)
        )
        + " }"
    )
    status, body = post(sandbox, mutation, sandbox.token, id=epic_id)
    assert (status, body) == (
        200,
        {
            "errors": [
                {"message": "Query has complexity of 255, which exceeds max complexity of 250"}
            ]
        },
    )
    assert control(sandbox, "stats")["writes"] == 0


def test_depth_is_limited_to_15_anonymous_and_20_signed_in(sandbox):
    # group > parent x 14 > id: 16 fields deep; 1 + 14 + 1 = 16 points
    deep = '{ group(fullPath: "acme-corp") { ' + "parent { " * 14 + "id" + " }" * 15 + " }"
    assert cost(deep) == QueryCost(score=16, depth=16)
    assert post(sandbox, deep)[1] == {
        "errors": [{"message": "Query has depth of 16, which exceeds max depth of 15"}]
    }
    status, body = post(sandbox, deep, sandbox.token)
    assert status == 200
    assert "errors" not in body
    assert limit_errors(QueryCost(score=300, depth=21), authenticated=True) == [
        "Query has depth of 21, which exceeds max depth of 20",
        "Query has complexity of 300, which exceeds max complexity of 250",
    ]


# The bot's documents with the variables it sends them with (triage/gitlab/reads.py and
# writes.py); only the page sizes written into the documents move their scores.
BOT_DOCUMENTS: dict[str, tuple[str, dict[str, Any]]] = {
    "EPICS_PAGE": (
        queries.EPICS_PAGE,
        {"path": "acme-corp", "labels": ["SP Objective"], "descendants": True, "cursor": None},
    ),
    "EPIC_NOTES": (queries.EPIC_NOTES, {"id": "gid://gitlab/WorkItem/1", "cursor": None}),
    "EPIC_CHILDREN": (queries.EPIC_CHILDREN, {"id": "gid://gitlab/WorkItem/1", "cursor": None}),
    "GROUP_LABELS": (queries.GROUP_LABELS, {"path": "acme-corp", "cursor": None}),
    "CURRENT_USER": (queries.CURRENT_USER, {}),
    "CREATE_NOTE": (
        queries.CREATE_NOTE,
        {"id": "gid://gitlab/WorkItem/1", "body": "x", "internal": False},
    ),
    "UPDATE_NOTE": (queries.UPDATE_NOTE, {"id": "gid://gitlab/Note/1", "body": "x"}),
    "UPDATE_LABELS": (
        queries.UPDATE_LABELS,
        {"id": "gid://gitlab/WorkItem/1", "add": [], "remove": []},
    ),
}

# Worked out by hand:
# Initiative fragment (a child of an objective): 8 scalars + reference 1 + workItemType 2
#   + widgets (1 + Labels' labels (nodes 2 + 1) x (1 + 100 x 0.01) = 6) = 7 -> 18
# EPICS_PAGE: nodes = 8 scalars + author 3 + namespace 3 + widgets (1 + Hierarchy's
#   children (complexity: 5, whatever its page size) 5 + count 1 + pageInfo 3 + nodes
#   (1 + 18) = 28) = 29 -> 1 + 43 = 44; workItems (44 + pageInfo 3 + 1 + 1 sort) x
#   (1 + 100 x 0.01) = 98; group + 1 = 99 (the widest fragment prices the widgets, so
#   the assignees' names cost nothing more)
# EPIC_CHILDREN: children 5 + pageInfo 3 + nodes 19 = 27; widgets 28; workItem 29
# EPIC_NOTES: awardEmoji (a field without a resolver: no multiplier) = nodes (name 1 + user
#   2 + 1) + 1 = 5; notes nodes 8 (with internal) + 5 = 13 -> notes 14 -> nodes 15 +
#   replyId 1 = 16; discussions (16 + pageInfo 3 + 1 + 1 Gitaly) x (1 + 100 x 0.05) = 126;
#   widgets 127; workItem 128
# GROUP_LABELS: labels (pageInfo 3 + nodes 3 + 1) x 2 = 14; group 15
# CURRENT_USER 2; each mutation 1 + payload (3 + 1) = 5
EXPECTED = {
    "EPICS_PAGE": 99,
    "EPIC_CHILDREN": 29,
    "EPIC_NOTES": 128,
    "GROUP_LABELS": 15,
    "CURRENT_USER": 2,
    "CREATE_NOTE": 5,
    "UPDATE_NOTE": 5,
    "UPDATE_LABELS": 5,
}


@pytest.mark.parametrize("name", list(BOT_DOCUMENTS))
def test_the_bots_documents_are_under_gitlabs_authenticated_limit(name):
    document, variables = BOT_DOCUMENTS[name]
    measured = cost(document, **variables)
    print(f"{name}: complexity {measured.score} / 250, depth {measured.depth} / 20")
    assert measured.score == EXPECTED[name]
    assert limit_errors(measured, authenticated=True) == [], measured
    assert measured.score < AUTHENTICATED_MAX_COMPLEXITY, f"{name} scores {measured.score}"


def bot_documents() -> dict[str, str]:
    """Every GraphQL document of triage/gitlab/queries.py, the ones added later included."""
    return {
        name: value
        for name, value in vars(queries).items()
        if name.isupper()
        and isinstance(value, str)
        and value.lstrip().startswith(("query", "mutation"))
    }


def placeholder(type_: GraphQLInputType) -> Any:
    """A value for a required variable: only page sizes move a score, and the bot writes
    those into its documents."""
    if isinstance(type_, GraphQLNonNull):
        return placeholder(type_.of_type)
    if isinstance(type_, GraphQLList):
        return []
    return {"Int": 1, "Float": 1.0, "Boolean": False}.get(str(type_), "gid://gitlab/Thing/1")


@pytest.mark.parametrize("name", sorted(bot_documents()))
def test_every_bot_document_is_under_the_limit(name):
    document = parse(bot_documents()[name])
    operation = get_operation_ast(document)
    assert operation is not None
    variables = {}
    for definition in operation.variable_definitions or ():
        type_ = type_from_ast(schema(), definition.type)
        assert is_input_type(type_)
        variables[definition.variable.name.value] = placeholder(type_)
    measured = query_cost(schema(), document, None, variables)
    print(f"{name}: complexity {measured.score} / 250, depth {measured.depth} / 20")
    assert limit_errors(measured, authenticated=True) == [], f"{name}: {measured}"


@pytest.mark.parametrize("top", [1, 20, 50, 100, 500])
@pytest.mark.parametrize("nested", [None, 1, 20, 100])
def test_epics_page_stays_well_under_the_limit_at_any_page_size(top, nested):
    """The top-level `first` is capped at 100, Hierarchy's children cost 5 whatever their
    page size, and only Labels' connection is priced by its page size (assignees is a
    plain field): the worst case is the bot's own, 99, with every objective's initiatives
    read in the same page."""
    document = queries.EPICS_PAGE.replace(
        "sort: CREATED_ASC, first: 100", f"sort: CREATED_ASC, first: {top}"
    ).replace("children(first: 100)", f"children(first: {top})")
    if nested is not None:
        document = document.replace("labels { nodes", f"labels(first: {nested}) {{ nodes")
        document = document.replace("assignees { nodes", f"assignees(first: {nested}) {{ nodes")
    measured = cost(document, **BOT_DOCUMENTS["EPICS_PAGE"][1])
    print(f"EPICS_PAGE first: {top}, nested first: {nested}: {measured.score}")
    assert measured.score <= 99 < AUTHENTICATED_MAX_COMPLEXITY // 2


def test_the_sandbox_scores_a_bot_document_as_the_offline_analysis_does(sandbox, gq):
    """What queryComplexity answers over HTTP is the same analysis: + 3 for itself."""
    document = queries.EPICS_PAGE.replace(
        "group(", "queryComplexity { score limit }\n    group(", 1
    )
    variables = BOT_DOCUMENTS["EPICS_PAGE"][1]
    answered = gq.execute(document, variable_values=variables)["queryComplexity"]
    assert answered == {"score": EXPECTED["EPICS_PAGE"] + 3, "limit": 250}
