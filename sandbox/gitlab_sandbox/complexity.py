"""GitLab's GraphQL query complexity and depth, scored the way gitlab.com scores them.

GitLab refuses a query before running it when its complexity or its depth is over the
caller's limit (``app/graphql/gitlab_schema.rb``). A sandbox that skipped the check would
let the bot ship queries gitlab.com rejects, so the score here follows GitLab's source:

* graphql-ruby's analyzer walks the operation once (``GraphQL::Analysis::QueryComplexity``,
  the algorithm of the graphql 2.4 gem GitLab locks, which 2.5 keeps as the ``:legacy``
  mode GitLab gets by not choosing one). Selections are merged by response key under each
  parent type; a field of an abstract type costs the most expensive of its possible types,
  each type taking the selections of every fragment whose type overlaps it. Fields skipped
  by ``@skip``/``@include`` cost nothing.
* ``Types::BaseField`` (``app/graphql/types/base_field.rb``) prices each field. A plain
  field costs 1 plus its selections; ``complexity: N`` makes that N plus its selections.
  A field served by a ``Resolvers::BaseResolver`` subclass costs its selections plus the
  resolver's ``resolver_complexity`` (1, +1 with a ``sort``, +5 with a ``search``), +1 if
  it calls Gitaly, and a connection multiplies that by ``1 + page size x multiplier``,
  where the page size is the smallest of ``first``, ``last`` and the field's max page size
  (100 by default) and the multiplier is the resolver's ``complexity_multiplier`` (0.01,
  0 when filtering by ``iid``/``iids``). The result is truncated to an integer.
  GitLab's ``complexity_for`` override keeps graphql-ruby's own connection pricing
  (page size x nodes) out of this: a connection without a resolver costs 1 plus its
  selections, whatever its page size.

The GitLab-specific prices of the sandbox's fields are in ``FIELD_COSTS``; every field
not listed there is a plain field. The analysis is pure: schema, document and variables in,
score and depth out.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Final, TypeAlias

from graphql import (
    DocumentNode,
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    GraphQLField,
    GraphQLIncludeDirective,
    GraphQLNamedType,
    GraphQLSchema,
    GraphQLSkipDirective,
    InlineFragmentNode,
    SelectionNode,
    SelectionSetNode,
    get_named_type,
    get_operation_ast,
    is_abstract_type,
    is_composite_type,
    is_object_type,
)
from graphql.execution.values import (
    VariableValues,
    get_argument_values,
    get_directive_values,
    get_variable_values,
)
from graphql.type.introspection import SchemaMetaFieldDef, TypeMetaFieldDef, TypeNameMetaFieldDef

# app/graphql/gitlab_schema.rb: the limits, chosen by max_query_complexity(ctx) from the
# caller (admin, then any signed-in user, then the cached introspection query, then anyone).
DEFAULT_MAX_COMPLEXITY: Final = 200
AUTHENTICATED_MAX_COMPLEXITY: Final = 250
ADMIN_MAX_COMPLEXITY: Final = 300
INTROSPECTION_MAX_COMPLEXITY: Final = 217
# app/graphql/gitlab_schema.rb: max_query_depth(ctx), any signed-in user or anyone.
DEFAULT_MAX_DEPTH: Final = 15
AUTHENTICATED_MAX_DEPTH: Final = 20
# app/graphql/gitlab_schema.rb: `default_max_page_size 100`, the page size of connections
# that declare none of their own.
DEFAULT_MAX_PAGE_SIZE: Final = 100


def max_complexity(*, authenticated: bool) -> int:
    """The complexity limit of a caller: the sandbox has no admins and no GraphiQL."""
    return AUTHENTICATED_MAX_COMPLEXITY if authenticated else DEFAULT_MAX_COMPLEXITY


def max_depth(*, authenticated: bool) -> int:
    """The depth limit of a caller."""
    return AUTHENTICATED_MAX_DEPTH if authenticated else DEFAULT_MAX_DEPTH


@dataclass(frozen=True)
class Fixed:
    """A field without a resolver (``value`` 1, ``Types::BaseField::DEFAULT_COMPLEXITY``) or
    declared with ``complexity: value``: it costs ``value`` plus its selections, whatever
    its arguments and page size."""

    value: int
    source: str


@dataclass(frozen=True)
class Resolved:
    """A field served by a ``Resolvers::BaseResolver`` subclass: its cost is computed from
    its arguments by ``Types::BaseField#field_resolver_complexity``.

    ``multiplier`` is the resolver's ``complexity_multiplier``; ``ids_waive_multiplier``
    is BaseResolver's rule that filtering by ``iid``/``iids`` drops it to 0 (a resolver
    that overrides ``complexity_multiplier`` may not keep it); ``always_paged`` is
    ``calculate_ext_conn_complexity`` (multiply even if the field were not a connection);
    ``max_page_size`` is the field's own ``max_page_size:``, if any.
    """

    resolver: str
    source: str
    multiplier: float = 0.01
    ids_waive_multiplier: bool = True
    calls_gitaly: bool = False
    always_paged: bool = False
    max_page_size: int | None = None


FieldCost: TypeAlias = Fixed | Resolved

PLAIN: Final = Fixed(1, "app/graphql/types/base_field.rb (DEFAULT_COMPLEXITY)")

# The sandbox's fields whose price is not PLAIN's, keyed `Type.field` with GitLab's type
# names. A field GitLab serves with a resolver is listed even when it prices like a plain
# one, so that a later change of its arguments (a `sort`, a `search`) is priced right.
FIELD_COSTS: Final[Mapping[str, FieldCost]] = {
    # app/graphql/types/query_type.rb: `group` uses Resolvers::GroupResolver
    # (app/graphql/resolvers/group_resolver.rb), not a connection: selections + 1.
    "Query.group": Resolved("Resolvers::GroupResolver", "app/graphql/types/query_type.rb"),
    # app/graphql/types/query_type.rb: `work_item` uses Resolvers::WorkItemResolver
    # (app/graphql/resolvers/work_item_resolver.rb): selections + 1.
    "Query.workItem": Resolved("Resolvers::WorkItemResolver", "app/graphql/types/query_type.rb"),
    # app/graphql/types/query_type.rb: `current_user` and `query_complexity` are plain fields.
    "Query.currentUser": Fixed(1, "app/graphql/types/query_type.rb"),
    "Query.queryComplexity": Fixed(1, "app/graphql/types/query_type.rb"),
    # app/graphql/types/group_type.rb: `work_items` uses Resolvers::Namespaces::WorkItemsResolver
    # (app/graphql/resolvers/namespaces/work_items_resolver.rb < Resolvers::WorkItemsResolver,
    # app/graphql/resolvers/work_items_resolver.rb), whose `sort` defaults to :created_desc,
    # so the sort's +1 is always paid; `search` (SearchArguments) adds 5; `iid`/`iids` drop
    # the 0.01 page multiplier (app/graphql/resolvers/base_resolver.rb).
    "Group.workItems": Resolved(
        "Resolvers::Namespaces::WorkItemsResolver", "app/graphql/types/group_type.rb"
    ),
    # app/graphql/types/group_type.rb: `work_item` uses Resolvers::Namespaces::WorkItemResolver
    # (app/graphql/resolvers/namespaces/work_item_resolver.rb): selections + 1.
    "Group.workItem": Resolved(
        "Resolvers::Namespaces::WorkItemResolver", "app/graphql/types/group_type.rb"
    ),
    # app/graphql/types/group_type.rb: `labels` uses Resolvers::GroupLabelsResolver
    # (app/graphql/resolvers/group_labels_resolver.rb < LabelsResolver): its search argument
    # is `searchTerm`, which BaseResolver's `args[:search]` does not see.
    "Group.labels": Resolved("Resolvers::GroupLabelsResolver", "app/graphql/types/group_type.rb"),
    # app/graphql/types/group_type.rb: `descendant_groups` declares `complexity: 5`
    # (with Resolvers::NestedGroupsResolver), which replaces the resolver's pricing.
    "Group.descendantGroups": Fixed(5, "app/graphql/types/group_type.rb"),
    # app/graphql/types/work_items/widgets/labels_type.rb: `labels` uses
    # Resolvers::BulkLabelsResolver (app/graphql/resolvers/bulk_labels_resolver.rb).
    "WorkItemWidgetLabels.labels": Resolved(
        "Resolvers::BulkLabelsResolver", "app/graphql/types/work_items/widgets/labels_type.rb"
    ),
    # app/graphql/types/work_items/widgets/assignees_type.rb: `assignees` is a plain
    # connection field (method: :assignees_by_name_and_id).
    "WorkItemWidgetAssignees.assignees": Fixed(
        1, "app/graphql/types/work_items/widgets/assignees_type.rb"
    ),
    # app/graphql/types/work_items/widgets/hierarchy_type.rb: `children` and `parent`
    # declare `complexity: 5`.
    "WorkItemWidgetHierarchy.children": Fixed(
        5, "app/graphql/types/work_items/widgets/hierarchy_type.rb"
    ),
    "WorkItemWidgetHierarchy.parent": Fixed(
        5, "app/graphql/types/work_items/widgets/hierarchy_type.rb"
    ),
    # app/graphql/types/work_items/widgets/notes_type.rb: `discussions` uses
    # Resolvers::WorkItems::WorkItemDiscussionsResolver
    # (app/graphql/resolvers/work_items/work_item_discussions_resolver.rb): `calls_gitaly!`
    # (+1), `complexity_multiplier` 0.05 whatever the arguments, and
    # `calculate_ext_conn_complexity` true.
    "WorkItemWidgetNotes.discussions": Resolved(
        "Resolvers::WorkItems::WorkItemDiscussionsResolver",
        "app/graphql/types/work_items/widgets/notes_type.rb",
        multiplier=0.05,
        ids_waive_multiplier=False,
        calls_gitaly=True,
        always_paged=True,
    ),
    # app/graphql/types/notes/discussion_type.rb: `notes` is a plain connection field
    # (its `max_page_size: 200` only bounds pages; no resolver prices it).
    "Discussion.notes": Fixed(1, "app/graphql/types/notes/discussion_type.rb"),
    # app/graphql/types/mutation_type.rb mounts each mutation as `field ..., mutation: X`;
    # graphql-ruby's Resolver.complexity defaults to 1 and Mutations::BaseMutation
    # (app/graphql/mutations/base_mutation.rb) keeps it, so BaseField takes it as a
    # constant: 1 plus the payload's selections.
    "Mutation.createNote": Fixed(1, "app/graphql/mutations/base_mutation.rb"),
    "Mutation.updateNote": Fixed(1, "app/graphql/mutations/base_mutation.rb"),
    "Mutation.workItemUpdate": Fixed(1, "app/graphql/mutations/base_mutation.rb"),
}


@dataclass(frozen=True)
class QueryCost:
    """What GitLab's analyzers measure of one operation before running it."""

    score: int
    depth: int


class UnanalyzableQuery(ValueError):
    """The operation cannot be chosen or its variables do not coerce: GitLab reports that
    as a validation error and never analyzes, so neither should the caller."""


def limit_errors(cost: QueryCost, *, authenticated: bool) -> list[str]:
    """graphql-ruby's messages for a query over its limits, in its analyzers' order
    (``MaxQueryDepth`` then ``MaxQueryComplexity``); empty when the query may run.
    A score equal to the limit is allowed: both analyzers compare with ``>``."""
    messages = []
    depth_limit = max_depth(authenticated=authenticated)
    if cost.depth > depth_limit:
        messages.append(
            f"Query has depth of {cost.depth}, which exceeds max depth of {depth_limit}"
        )
    limit = max_complexity(authenticated=authenticated)
    if cost.score > limit:
        messages.append(
            f"Query has complexity of {cost.score}, which exceeds max complexity of {limit}"
        )
    return messages


def query_cost(
    schema: GraphQLSchema,
    document: DocumentNode,
    operation_name: str | None = None,
    variables: Mapping[str, Any] | None = None,
    costs: Mapping[str, FieldCost] = FIELD_COSTS,
) -> QueryCost:
    """Score one operation of a validated document with its variables, as GitLab would.

    Raises UnanalyzableQuery when there is no such operation or the variables do not
    coerce: execution reports those with GraphQL's own errors.
    """
    operation = get_operation_ast(document, operation_name)
    if operation is None:
        raise UnanalyzableQuery(f"no operation {operation_name!r} in the document")
    root = schema.get_root_type(operation.operation)
    if root is None:
        raise UnanalyzableQuery(f"the schema has no {operation.operation.value} type")
    coerced = get_variable_values(
        schema, operation.variable_definitions or (), dict(variables or {})
    )
    if isinstance(coerced, list):
        raise UnanalyzableQuery("; ".join(error.message for error in coerced))
    fragments = {
        definition.name.value: definition
        for definition in document.definitions
        if isinstance(definition, FragmentDefinitionNode)
    }
    tree = _Scope(None, "", "")
    _Collector(schema, fragments, coerced).collect(operation.selection_set, root, tree)
    analysis = _Analysis(schema, coerced, costs)
    return QueryCost(analysis.max_for_scopes([tree]), tree.depth())


@dataclass(eq=False)
class _Scope:
    """graphql-ruby's ScopedTypeComplexity: one response key under one parent type, with
    the AST nodes merged into it and its child selections grouped by their parent type."""

    definition: GraphQLField | None
    owner: str
    name: str
    nodes: list[FieldNode] = field(default_factory=list)
    children: dict[str, dict[str, _Scope]] = field(default_factory=dict)

    def depth(self) -> int:
        """How many fields deep the selection goes from here, this field included (the
        root counts only its fields): graphql-ruby's QueryDepth."""
        below = [scope.depth() for keyed in self.children.values() for scope in keyed.values()]
        return 1 + max(below, default=0) if self.definition else max(below, default=0)


class _Collector:
    """Builds the scope tree the way graphql-ruby's analysis visitor enters fields:
    fragments are followed where they are spread, skipped selections are left out."""

    def __init__(
        self,
        schema: GraphQLSchema,
        fragments: Mapping[str, FragmentDefinitionNode],
        variables: VariableValues,
    ) -> None:
        self.schema = schema
        self.fragments = fragments
        self.variables = variables

    def collect(
        self, selections: SelectionSetNode, parent: GraphQLNamedType, scope: _Scope
    ) -> None:
        for selection in selections.selections:
            if not self._included(selection):
                continue
            if isinstance(selection, FieldNode):
                self._field(selection, parent, scope)
            elif isinstance(selection, InlineFragmentNode):
                condition = selection.type_condition
                narrowed = self.schema.get_type(condition.name.value) if condition else parent
                self.collect(selection.selection_set, narrowed or parent, scope)
            elif isinstance(selection, FragmentSpreadNode):
                fragment = self.fragments.get(selection.name.value)
                if fragment is not None:
                    narrowed = self.schema.get_type(fragment.type_condition.name.value)
                    self.collect(fragment.selection_set, narrowed or parent, scope)

    def _field(self, node: FieldNode, parent: GraphQLNamedType, scope: _Scope) -> None:
        name = node.name.value
        definition = _field_definition(self.schema, parent, name)
        if definition is None:
            return  # validation has already refused the document
        key = node.alias.value if node.alias else name
        keyed = scope.children.setdefault(parent.name, {})
        child = keyed.get(key)
        if child is None:
            child = keyed[key] = _Scope(definition, parent.name, name)
        child.nodes.append(node)
        returned = get_named_type(definition.type)
        if node.selection_set is not None and is_composite_type(returned):
            self.collect(node.selection_set, returned, child)

    def _included(self, node: SelectionNode) -> bool:
        skip = get_directive_values(GraphQLSkipDirective, node, self.variables)
        if skip and skip["if"] is True:
            return False
        include = get_directive_values(GraphQLIncludeDirective, node, self.variables)
        return not (include and include["if"] is False)


def _field_definition(
    schema: GraphQLSchema, parent: GraphQLNamedType, name: str
) -> GraphQLField | None:
    if name == "__typename":
        return TypeNameMetaFieldDef
    if name == "__schema" and parent is schema.query_type:
        return SchemaMetaFieldDef
    if name == "__type" and parent is schema.query_type:
        return TypeMetaFieldDef
    fields = getattr(parent, "fields", None)
    return fields.get(name) if fields else None


class _Analysis:
    """graphql-ruby's merged maximum over the scope tree (the ``legacy`` cost mode)."""

    def __init__(
        self,
        schema: GraphQLSchema,
        variables: VariableValues,
        costs: Mapping[str, FieldCost],
    ) -> None:
        self.schema = schema
        self.variables = variables
        self.costs = costs

    def max_for_scopes(self, scopes: list[_Scope]) -> int:
        """merged_max_complexity_for_scopes: the costliest of the concrete types the
        selections may apply to, each taking every selection whose type overlaps it."""
        possible: dict[str, None] = {}
        for scope in scopes:
            possible.update(dict.fromkeys(scope.children))
        for type_name in list(possible):
            named = self.schema.get_type(type_name)
            if named is not None and is_abstract_type(named):
                for concrete in self._possible(type_name):
                    possible.setdefault(concrete, None)
                del possible[type_name]
        best = 0
        for type_name in possible:
            inner = [
                selections
                for scope in scopes
                for scope_type, selections in scope.children.items()
                if self._intersect(scope_type, type_name)
            ]
            best = max(best, self._merged(inner))
        return best

    def _merged(self, inner: list[dict[str, _Scope]]) -> int:
        """Sum over response keys; for a key chosen in several places a leaf costs what its
        last occurrence costs and a composite prices its last occurrence over the merged
        selections of all of them, as graphql-ruby's legacy mode does."""
        keys: dict[str, None] = {}
        for selections in inner:
            keys.update(dict.fromkeys(selections))
        total = 0
        for key in keys:
            composite: list[_Scope] = []
            cost = 0
            for selections in inner:
                child = selections.get(key)
                if child is None:
                    continue
                if child.children:
                    composite.append(child)
                else:
                    cost = self._own(child, 0)
            if composite:
                cost = self._own(composite[-1], self.max_for_scopes(composite))
            total += cost
        return total

    def _own(self, scope: _Scope, children: int) -> int:
        """The field's own price over its selections' cost: Types::BaseField."""
        cost = self.costs.get(f"{scope.owner}.{scope.name}", PLAIN)
        if isinstance(cost, Fixed):
            return cost.value + children
        assert scope.definition is not None
        try:
            args = get_argument_values(scope.definition, scope.nodes[0], self.variables)
        except GraphQLError:
            return children  # graphql-ruby: arguments that fail to load price nothing extra
        # BaseResolver.resolver_complexity: 1, +1 for a sort, +5 for a search (Ruby's
        # truthiness: any value but nil counts, defaults included).
        complexity: float = children + 1
        if args.get("sort") is not None:
            complexity += 1
        if args.get("search") is not None:
            complexity += 5
        if cost.calls_gitaly:
            complexity += 1
        returned = get_named_type(scope.definition.type).name
        connection = returned.endswith("Connection") and returned != "Connection"
        if connection or cost.always_paged:
            page_size = cost.max_page_size or DEFAULT_MAX_PAGE_SIZE
            sizes = [args.get("first"), args.get("last"), page_size]
            limit = min(size for size in sizes if size is not None)
            by_ids = args.get("iid") is not None or args.get("iids") is not None
            multiplier = 0.0 if cost.ids_waive_multiplier and by_ids else cost.multiplier
            complexity += complexity * (limit * multiplier)
        return int(complexity)  # Ruby's Float#to_i truncates

    def _possible(self, type_name: str) -> list[str]:
        named = self.schema.get_type(type_name)
        if named is None:
            return []
        if is_object_type(named):
            return [type_name]
        if is_abstract_type(named):
            return [t.name for t in self.schema.get_possible_types(named)]
        return []

    def _intersect(self, first: str, second: str) -> bool:
        return first == second or bool(set(self._possible(first)) & set(self._possible(second)))
