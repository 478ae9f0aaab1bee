"""The published OpenAPI contract: one schema per name, so that no operation is documented with another
operation's body. The generator names each component after its class, and two classes with the same
name silently share one entry (the probe found nine such pairs)."""

import typing

from pydantic import BaseModel

from casacomuni.api.core import api


def models_in(annotation) -> typing.Iterator[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        yield annotation
        return
    for argument in typing.get_args(annotation):
        yield from models_in(argument)


def every_model() -> set[type[BaseModel]]:
    """The request and response models of every operation, and the models nested in them."""
    found: set[type[BaseModel]] = set()
    pending = []
    for _prefix, router in api._routers:
        for path_view in router.path_operations.values():
            for operation in path_view.operations:
                pending.extend(operation.models)
                pending.extend(m for m in operation.response_models.values() if hasattr(m, "model_fields"))
    while pending:
        model = pending.pop()
        if model in found:
            continue
        found.add(model)
        for field in model.model_fields.values():
            pending.extend(models_in(field.annotation))
    return found


def test_no_two_schemas_of_the_contract_share_a_name():
    by_name: dict[str, set[str]] = {}
    for model in every_model():
        by_name.setdefault(model.__name__, set()).add(f"{model.__module__}.{model.__qualname__}")
    assert {name: paths for name, paths in by_name.items() if len(paths) > 1} == {}


def test_each_component_of_the_contract_has_its_own_class_fields():
    components = api.get_openapi_schema()["components"]["schemas"]
    for model in every_model():
        if model.__name__ in components and "properties" in components[model.__name__]:
            published = set(components[model.__name__]["properties"])
            # A field is published under its name or its alias, depending on the direction.
            fields = model.model_fields.items()
            assert len(published) == len(fields), model
            assert all(name in published or field.alias in published for name, field in fields), model


def test_the_guideline_check_names_each_rule_an_operation_breaks():
    """``api.testing.guideline_problems`` on a hand-written document breaking four rules of the ruleset."""
    from casacomuni.api.testing import guideline_problems

    schema = {
        "paths": {
            "/api/v1/x/{id}": {
                "get": {
                    "operationId": "x",
                    "requestBody": {},
                    "parameters": [{"schema": {"type": "integer"}}],
                    "responses": {"200": {}, "404": {"content": {"application/json": {}}}},
                }
            }
        },
        "components": {"schemas": {}},
    }
    assert guideline_problems(schema, "/api/v1/x") == [
        "GET /api/v1/x/{id}: operation-description",
        "GET /api/v1/x/{id}: http-request-GET-no-body",
        "GET /api/v1/x/{id} 404: use-problem-json-for-errors",
        "GET /api/v1/x/{id}: integer-format",
    ]
