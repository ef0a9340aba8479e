"""The contract between the bot, the sandbox and GitLab's real GraphQL schema.

The sandbox stands in for GitLab in every other test, so a field the sandbox serves but
GitLab does not (or serves with another type) makes those tests pass against a GitLab that
does not exist. ``gitlab_schema.graphql`` next to this file is a vendored snapshot of the
part of GitLab's real schema the two use (its header says from which GitLab reference it was
taken and how to refresh it). Here the bot's documents are validated against it, and the
sandbox's schema is compared with it type by type.
"""

from __future__ import annotations

import importlib
from importlib.resources import files
from pathlib import Path
from types import ModuleType

import pytest
from graphql import (
    GraphQLArgument,
    GraphQLEnumType,
    GraphQLError,
    GraphQLInputField,
    GraphQLInputObjectType,
    GraphQLInterfaceType,
    GraphQLNamedType,
    GraphQLObjectType,
    GraphQLScalarType,
    GraphQLSchema,
    GraphQLUnionType,
    build_schema,
    is_introspection_type,
    is_specified_scalar_type,
    parse,
    print_ast,
    validate,
)
from graphql.language import DocumentNode
from graphql.utilities import get_default_value_ast

SNAPSHOT = Path(__file__).with_name("gitlab_schema.graphql")

# The modules whose uppercase ``str`` constants are GraphQL documents sent to GitLab, and the
# documents known to be in them when this test was written: the discovery below must find at
# least these, so the validation tests cannot pass by validating nothing.
BOT_QUERIES = "triage.gitlab.queries"
KNOWN_BOT_DOCUMENTS = frozenset(
    {
        "CURRENT_USER",
        "EPICS_PAGE",
        "EPIC_NOTES",
        "EPIC_CHILDREN",
        "GROUP_LABELS",
        "CREATE_NOTE",
        "UPDATE_NOTE",
        "UPDATE_LABELS",
    }
)
# The documents the sandbox tests send are written "as the bot will write them", against
# GitLab's API (none uses a sandbox-only field), so they are held to GitLab's schema too.
SANDBOX_TEST_QUERIES = "tests.sandbox.queries"
KNOWN_SANDBOX_TEST_DOCUMENTS = frozenset(
    {"EPICS", "CREATE_NOTE", "UPDATE_NOTE", "UPDATE_LABELS", "LABELS"}
)


def gitlab_schema() -> GraphQLSchema:
    """GitLab's schema as far as the snapshot records it."""
    return build_schema(SNAPSHOT.read_text(encoding="utf-8"))


def sandbox_sdl() -> str:
    """The schema the sandbox serves, read from the installed ``gitlab_sandbox`` package."""
    return files("gitlab_sandbox").joinpath("schema.graphql").read_text(encoding="utf-8")


def graphql_documents(module: ModuleType) -> dict[str, DocumentNode]:
    """Every uppercase-named ``str`` attribute of ``module`` that parses as GraphQL."""
    documents: dict[str, DocumentNode] = {}
    for name, value in vars(module).items():
        if not name.isupper() or not isinstance(value, str):
            continue
        try:
            documents[name] = parse(value)
        except GraphQLError:
            continue  # an uppercase string constant that is not a GraphQL document
    return documents


def documents_of(module_name: str) -> dict[str, DocumentNode]:
    return graphql_documents(importlib.import_module(module_name))


def validation_errors(schema: GraphQLSchema, name: str, document: DocumentNode) -> list[str]:
    """Each error as ``NAME line L: message``, the line within the document's text."""
    lines = []
    for error in validate(schema, document):
        where = "".join(f" line {location.line}" for location in error.locations or [])
        lines.append(f"{name}{where}: {error.message}")
    return lines


def _default(value: GraphQLArgument | GraphQLInputField) -> str | None:
    node = get_default_value_ast(value)
    return None if node is None else print_ast(node)


def _kind(named: GraphQLNamedType) -> str:
    kinds = [
        (GraphQLObjectType, "an object type"),
        (GraphQLInterfaceType, "an interface"),
        (GraphQLUnionType, "a union"),
        (GraphQLEnumType, "an enum"),
        (GraphQLInputObjectType, "an input type"),
        (GraphQLScalarType, "a scalar"),
    ]
    return next(kind for cls, kind in kinds if isinstance(named, cls))


def _compare_values(
    where: str,
    what: str,
    ours: dict[str, GraphQLArgument] | dict[str, GraphQLInputField],
    theirs: dict[str, GraphQLArgument] | dict[str, GraphQLInputField],
) -> list[str]:
    """Arguments or input fields: each of the sandbox's must be GitLab's, with its type.

    A default is compared only where both sides state one: the reference GitLab's snapshot
    comes from does not print every default, and an absent one there is not a disagreement.
    """
    found = []
    for name, value in ours.items():
        if name not in theirs:
            found.append(
                f"{where}({name}:): {what} declared by the sandbox, not in GitLab's schema"
            )
            continue
        other = theirs[name]
        if str(value.type) != str(other.type):
            found.append(f"{where}({name}:): sandbox `{value.type}`, GitLab `{other.type}`")
        default, other_default = _default(value), _default(other)
        if default is not None and other_default is not None and default != other_default:
            found.append(
                f"{where}({name}:): sandbox default `{default}`, GitLab default `{other_default}`"
            )
    return found


def type_mismatches(name: str, sandbox: GraphQLSchema, gitlab: GraphQLSchema) -> list[str]:
    """Everything the sandbox declares for type ``name`` that GitLab's schema does not have."""
    ours, theirs = sandbox.get_type(name), gitlab.get_type(name)
    assert ours is not None, f"the sandbox declares no type {name}"
    if theirs is None:
        return [f"{name}: {_kind(ours)} declared by the sandbox, not in GitLab's schema"]
    if type(ours) is not type(theirs):
        return [f"{name}: sandbox has {_kind(ours)}, GitLab has {_kind(theirs)}"]
    found = []
    if isinstance(ours, GraphQLObjectType | GraphQLInterfaceType):
        assert isinstance(theirs, GraphQLObjectType | GraphQLInterfaceType)
        their_interfaces = {interface.name for interface in theirs.interfaces}
        found += [
            f"{name}: implements {interface.name} in the sandbox, not in GitLab's schema"
            for interface in ours.interfaces
            if interface.name not in their_interfaces
        ]
        for field_name, field in ours.fields.items():
            where = f"{name}.{field_name}"
            if field_name not in theirs.fields:
                found.append(f"{where}: field declared by the sandbox, not in GitLab's schema")
                continue
            other = theirs.fields[field_name]
            if str(field.type) != str(other.type):
                found.append(f"{where}: sandbox `{field.type}`, GitLab `{other.type}`")
            found += _compare_values(where, "argument", field.args, other.args)
    elif isinstance(ours, GraphQLInputObjectType):
        assert isinstance(theirs, GraphQLInputObjectType)
        found += _compare_values(name, "input field", ours.fields, theirs.fields)
    elif isinstance(ours, GraphQLEnumType):
        assert isinstance(theirs, GraphQLEnumType)
        found += [
            f"{name}.{value}: enum value declared by the sandbox, not in GitLab's schema"
            for value in ours.values
            if value not in theirs.values
        ]
    elif isinstance(ours, GraphQLUnionType):
        assert isinstance(theirs, GraphQLUnionType)
        their_members = {member.name for member in theirs.types}
        found += [
            f"{name}: union member {member.name} in the sandbox, not in GitLab's schema"
            for member in ours.types
            if member.name not in their_members
        ]
    return found


def declared_types(schema: GraphQLSchema) -> list[str]:
    """The schema's own types: not GraphQL's built-in scalars or introspection types."""
    return sorted(
        name
        for name, named in schema.type_map.items()
        if not is_introspection_type(named) and not is_specified_scalar_type(named)
    )


def schema_mismatches(sandbox: GraphQLSchema, gitlab: GraphQLSchema) -> list[str]:
    return [
        line for name in declared_types(sandbox) for line in type_mismatches(name, sandbox, gitlab)
    ]


def test_the_snapshot_has_what_the_bot_is_about_to_read() -> None:
    """The bot will read the query complexity GitLab charges and the instance's version, so
    the snapshot must carry GitLab's own types for them before the sandbox grows them."""
    schema = gitlab_schema()
    query = schema.query_type
    assert query is not None
    types = {name: str(query.fields[name].type) for name in ("queryComplexity", "metadata")}
    assert types == {"queryComplexity": "QueryComplexity", "metadata": "Metadata"}
    complexity = schema.get_type("QueryComplexity")
    assert isinstance(complexity, GraphQLObjectType)
    assert {name: str(field.type) for name, field in complexity.fields.items()} == {
        "limit": "Int",
        "score": "Int",
    }
    metadata = schema.get_type("Metadata")
    assert isinstance(metadata, GraphQLObjectType)
    assert str(metadata.fields["version"].type) == "String!"


def test_every_known_bot_document_is_found() -> None:
    """If discovery found nothing, the per-document validation below would pass vacuously."""
    found = set(documents_of(BOT_QUERIES))
    assert found >= KNOWN_BOT_DOCUMENTS, f"not found: {sorted(KNOWN_BOT_DOCUMENTS - found)}"


@pytest.mark.parametrize("name", sorted(documents_of(BOT_QUERIES)))
def test_bot_document_is_valid_against_gitlab(name: str) -> None:
    """A document GitLab rejects fails the whole weekly run, even when the sandbox takes it."""
    errors = validation_errors(gitlab_schema(), name, documents_of(BOT_QUERIES)[name])
    assert not errors, "GitLab's schema rejects the bot's document:\n" + "\n".join(errors)


def test_every_known_sandbox_test_document_is_found() -> None:
    """The sandbox tests' documents are discovered the same way as the bot's."""
    found = set(documents_of(SANDBOX_TEST_QUERIES))
    assert found >= KNOWN_SANDBOX_TEST_DOCUMENTS, (
        f"not found: {sorted(KNOWN_SANDBOX_TEST_DOCUMENTS - found)}"
    )


@pytest.mark.parametrize("name", sorted(documents_of(SANDBOX_TEST_QUERIES)))
def test_sandbox_test_document_is_valid_against_gitlab(name: str) -> None:
    """The sandbox tests claim GitLab's behaviour only for documents GitLab would accept."""
    errors = validation_errors(gitlab_schema(), name, documents_of(SANDBOX_TEST_QUERIES)[name])
    assert not errors, "GitLab's schema rejects the sandbox test's document:\n" + "\n".join(errors)


def test_an_invented_field_fails_validation() -> None:
    """The validation above can fail: a field GitLab does not have is reported by name."""
    errors = validation_errors(gitlab_schema(), "Q", parse("{ currentUser { inventedField } }"))
    assert errors == ["Q line 1: Cannot query field 'inventedField' on type 'CurrentUser'."]


def test_the_sandbox_declares_types() -> None:
    """The per-type comparison below is over a real schema, not an empty one."""
    names = declared_types(build_schema(sandbox_sdl()))
    assert {"Query", "Mutation", "Group", "WorkItem", "WorkItemWidget"} <= set(names)


@pytest.mark.parametrize("name", declared_types(build_schema(sandbox_sdl())))
def test_sandbox_type_agrees_with_gitlab(name: str) -> None:
    """Every type, field, argument, input field and enum value the sandbox serves is GitLab's,
    with GitLab's type: otherwise the tests that run against the sandbox prove nothing about
    GitLab. One test per sandbox type, so a failure names the type to fix; the message lists
    each disagreement on its own line."""
    mismatches = type_mismatches(name, build_schema(sandbox_sdl()), gitlab_schema())
    assert not mismatches, (
        f"sandbox/gitlab_sandbox/schema.graphql disagrees with GitLab ({SNAPSHOT.name}):\n"
        + "\n".join(mismatches)
    )


@pytest.mark.parametrize(
    ("edit", "reported"),
    [
        pytest.param(
            "extend type Group { inventedField: String }",
            "Group.inventedField: field declared by the sandbox, not in GitLab's schema",
            id="field",
        ),
        pytest.param(
            "extend type Query { inventedGroup(fullPath: ID!, invented: Int): Group }",
            "Query.inventedGroup: field declared by the sandbox, not in GitLab's schema",
            id="root-field",
        ),
        pytest.param(
            "extend enum WorkItemSort { INVENTED_ASC }",
            "WorkItemSort.INVENTED_ASC: enum value declared by the sandbox, not in GitLab's schema",
            id="enum-value",
        ),
        pytest.param(
            "type InventedType { id: ID! }",
            "InventedType: an object type declared by the sandbox, not in GitLab's schema",
            id="type",
        ),
        pytest.param(
            "extend input WorkItemWidgetLabelsUpdateInput { labelIds: [LabelID!] }",
            "WorkItemWidgetLabelsUpdateInput(labelIds:): input field declared by the sandbox,"
            " not in GitLab's schema",
            id="input-field",
        ),
    ],
)
def test_the_comparison_reports_an_invented_addition(edit: str, reported: str) -> None:
    """The comparison can fail: each kind of invention added to a copy of the sandbox's schema
    is reported, on a line of its own."""
    edited = build_schema(sandbox_sdl() + "\n" + edit)
    assert reported in schema_mismatches(edited, gitlab_schema())


def test_the_comparison_reports_changed_types_and_defaults() -> None:
    """Names GitLab has, declared with another type or default, are reported with both sides,
    one line each, and nothing else is: a developer reads the list as the fix to make."""
    sdl = """
        type Query { currentUser: UserCore, group(fullPath: ID): Group }
        type UserCore { username: String! }
        type Group {
          webUrl: String
          labels(searchIn: [LabelSearchFieldList!]! = [TITLE]): LabelConnection
        }
        type LabelConnection { count: Int! }
        enum LabelSearchFieldList { TITLE DESCRIPTION }
    """
    assert schema_mismatches(build_schema(sdl), gitlab_schema()) == [
        "Group.webUrl: sandbox `String`, GitLab `String!`",
        "Group.labels(searchIn:): sandbox default `[TITLE]`, GitLab default `[TITLE, DESCRIPTION]`",
        "Query.currentUser: sandbox `UserCore`, GitLab `CurrentUser`",
        "Query.group(fullPath:): sandbox `ID`, GitLab `ID!`",
    ]
