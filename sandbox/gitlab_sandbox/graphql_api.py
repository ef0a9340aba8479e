"""``POST /api/graphql``: GitLab's GraphQL subset, executed by graphql-core.

Answers follow GitLab's conventions: validation errors come back with HTTP 200 and only an
``errors`` list (graphql-ruby's wording and ``extensions``), resolver errors come back next
to partial ``data``, and each mutation reports its own failures in its ``errors`` field.
A query over GitLab's complexity or depth limit is refused before it runs, as GitLab's
analyzers refuse it (see ``complexity``).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache, lru_cache
from importlib import resources
from typing import Any

from graphql import (
    DocumentNode,
    ExecutionResult,
    FieldNode,
    GraphQLError,
    GraphQLFormattedError,
    GraphQLInterfaceType,
    GraphQLSchema,
    OperationDefinitionNode,
    ValidationRule,
    build_schema,
    execute,
    get_named_type,
    is_composite_type,
    parse,
    specified_rules,
    validate,
)
from graphql.validation import FieldsOnCorrectTypeRule

from gitlab_sandbox.complexity import (
    QueryCost,
    UnanalyzableQuery,
    limit_errors,
    max_complexity,
    query_cost,
)
from gitlab_sandbox.graphql_group import TIMED_OUT, GroupNode, QueryAborted
from gitlab_sandbox.graphql_nodes import (
    NO_ACCESS,
    Context,
    Info,
    UserNode,
    Widget,
    WorkItemNode,
    parse_gid,
)
from gitlab_sandbox.mutations import MUTATIONS
from gitlab_sandbox.store import NotFound

MAX_QUERY_SIZE = 10_000


def _snake(name: str) -> str:
    return "".join(f"_{c.lower()}" if c.isupper() else c for c in name)


def resolve_field(source: Any, info: Info, **args: Any) -> Any:
    """Resolve ``fooBar`` as attribute ``foo_bar``, calling it with arguments if a method;
    a dict's value that is a function is worked out only when asked for (a count)."""
    if isinstance(source, dict):
        found = source.get(info.field_name)
        return found(info) if callable(found) else found
    value = getattr(source, _snake(info.field_name), None)
    if callable(value):
        return value(info, **{_snake(k): v for k, v in args.items()})
    return value


class Root:
    """The query and mutation root: ``group`` and the registered mutations.

    ``cost`` is the request's own analysis, which ``queryComplexity`` reports."""

    def __init__(self, cost: QueryCost | None = None) -> None:
        self.cost = cost

    def query_complexity(self, info: Info) -> dict[str, int | None]:
        """GitLab's QueryComplexityType: the score of this very query and the caller's limit."""
        limit = max_complexity(authenticated=info.context.username is not None)
        return {"score": self.cost.score if self.cost else None, "limit": limit}

    def group(self, info: Info, full_path: str) -> GroupNode | None:
        context = info.context
        if context.username is None:
            return None  # anonymous callers see no private group, as on GitLab
        try:
            return GroupNode(context.store.group(full_path), context)
        except NotFound:
            return None

    def current_user(self, info: Info) -> UserNode | None:
        context = info.context
        if context.username is None:
            return None
        return UserNode(context.store.user(context.username), context.base_url)

    def work_item(self, info: Info, id: str) -> WorkItemNode | None:
        context = info.context
        if context.username is None:
            return None
        try:
            return WorkItemNode(context.store.item(parse_gid(id, "WorkItem")), context)
        except NotFound:
            return None

    def __getattr__(self, name: str) -> Any:
        if name in MUTATIONS:
            return MUTATIONS[name]
        raise AttributeError(name)


class GitLabFieldsRule(ValidationRule):
    """graphql-ruby's wording for unknown fields, with GitLab's ``extensions`` and ``path``."""

    def enter_field(
        self, node: FieldNode, _key: Any, _parent: Any, _path: Any, ancestors: list[Any]
    ) -> None:
        parent_type = self.context.get_parent_type()
        if parent_type is None or self.context.get_field_def() is not None:
            return
        if not is_composite_type(get_named_type(parent_type)):
            return
        path: list[str] = []
        for ancestor in ancestors:
            if isinstance(ancestor, OperationDefinitionNode):
                name = ancestor.name.value if ancestor.name else ""
                path.append(f"{ancestor.operation.value} {name}".strip())
            elif isinstance(ancestor, FieldNode):
                path.append((ancestor.alias or ancestor.name).value)
        path.append((node.alias or node.name).value)
        self.report_error(
            GraphQLError(
                f"Field '{node.name.value}' doesn't exist on type '{parent_type.name}'",
                node,
                path=path,
                extensions={
                    "code": "undefinedField",
                    "typeName": parent_type.name,
                    "fieldName": node.name.value,
                },
            )
        )


RULES = [rule for rule in specified_rules if rule is not FieldsOnCorrectTypeRule]
RULES.append(GitLabFieldsRule)


@cache
def schema() -> GraphQLSchema:
    sdl = resources.files("gitlab_sandbox").joinpath("schema.graphql").read_text()
    built = build_schema(sdl)
    widget = built.type_map["WorkItemWidget"]
    assert isinstance(widget, GraphQLInterfaceType)
    widget.resolve_type = lambda value, _info, _type: (
        value.typename if isinstance(value, Widget) else None
    )
    return built


@dataclass(frozen=True)
class GraphQLResult:
    status: int
    body: dict[str, Any]
    operation: str  # "query", "mutation" or "invalid"


@lru_cache(maxsize=256)
def _parse_and_validate(query: str) -> tuple[DocumentNode, list[GraphQLFormattedError]]:
    """Parse and validate a query once; clients send the same few documents all run long."""
    try:
        document = parse(query)
    except GraphQLError as error:
        return DocumentNode(definitions=()), [error.formatted]
    return document, [e.formatted for e in validate(schema(), document, RULES)]


def run(payload: Any, context: Context) -> GraphQLResult:
    """Execute one GraphQL request body the way GitLab's GraphQL controller does."""
    if not isinstance(payload, dict) or not isinstance(payload.get("query"), str):
        return GraphQLResult(
            422, {"errors": [{"message": "No query string was present"}]}, "invalid"
        )
    query: str = payload["query"]
    if len(query) > MAX_QUERY_SIZE:
        return GraphQLResult(422, {"errors": [{"message": "Query too large"}]}, "invalid")
    document, errors = _parse_and_validate(query)
    if errors:
        return GraphQLResult(200, {"errors": errors}, "invalid")
    operations = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    wanted = payload.get("operationName")
    chosen = next(
        (op for op in operations if not wanted or (op.name and op.name.value == wanted)), None
    )
    operation = chosen.operation.value if chosen else "invalid"
    variables = payload.get("variables") or None
    cost = _cost(document, wanted, variables)
    refusals = limit_errors(cost, authenticated=context.username is not None) if cost else []
    if refusals:
        # graphql-ruby's MaxQueryDepth/MaxQueryComplexity: AnalysisErrors, message only,
        # no data, HTTP 200; the operation never runs.
        return GraphQLResult(200, {"errors": [{"message": m} for m in refusals]}, "invalid")
    if operation == "mutation" and context.username is None:
        return GraphQLResult(200, {"errors": [{"message": NO_ACCESS}]}, operation)
    result = execute(
        schema(),
        document,
        root_value=Root(cost),
        context_value=context,
        variable_values=variables,
        operation_name=wanted,
        field_resolver=resolve_field,
    )
    assert isinstance(result, ExecutionResult)  # no resolver here is asynchronous
    if any(isinstance(e.original_error, QueryAborted) for e in result.errors or []):
        # app/controllers/graphql_controller.rb: rescue_from ActiveRecord::QueryAborted
        context.store.stats["timed_out"] += 1
        return GraphQLResult(503, {"errors": [{"message": TIMED_OUT}]}, operation)
    body: dict[str, Any] = {"data": result.data}
    if result.errors:
        body["errors"] = [e.formatted for e in result.errors]
    return GraphQLResult(200, body, operation)


def _cost(document: DocumentNode, operation_name: Any, variables: Any) -> QueryCost | None:
    """The operation's score and depth, or None when GitLab would not get to analyze it
    (no such operation, variables that do not coerce): execution reports those."""
    if not isinstance(variables, dict | None) or not isinstance(operation_name, str | None):
        return None
    try:
        return query_cost(schema(), document, operation_name or None, variables)
    except UnanalyzableQuery:
        return None
