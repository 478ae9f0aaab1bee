"""The rules of the Italian API guidelines' Spectral ruleset (italia/api-oas-checker-rules, "Italian Guidelines
Full") that an operation of the contract can break, checked on the OpenAPI document Django Ninja generates.
Shared by the tests of each router."""

PROBLEM = "application/problem+json"


def operations_under(schema: dict, prefix: str):
    """("METHOD /path", method, operation) for every operation whose path starts with ``prefix``."""
    for path, methods in schema["paths"].items():
        if path.startswith(prefix):
            for method, operation in methods.items():
                yield f"{method.upper()} {path}", method, operation


def schemas_in(node, schema: dict, seen: set):
    """Every schema object reachable from ``node``, following the references into the components."""
    if isinstance(node, dict):
        reference = node.get("$ref")
        if reference and reference not in seen:
            seen.add(reference)
            yield from schemas_in(schema["components"]["schemas"][reference.rsplit("/", 1)[1]], schema, seen)
        if "type" in node:
            yield node
        for value in node.values():
            yield from schemas_in(value, schema, seen)
    elif isinstance(node, list):
        for value in node:
            yield from schemas_in(value, schema, seen)


def guideline_problems(schema: dict, prefix: str) -> list[str]:
    """What the operations under ``prefix`` break, by the ruleset's names: operation-description,
    http-request-GET-no-body, use-problem-json-for-errors, http-response-no-content-204-205,
    integer-format and number-format; and operation ids used twice."""
    problems, ids = [], set()
    for name, method, operation in operations_under(schema, prefix):
        if not operation.get("description"):
            problems.append(f"{name}: operation-description")
        if method in ("get", "delete") and "requestBody" in operation:
            problems.append(f"{name}: http-request-GET-no-body")
        if operation["operationId"] in ids:
            problems.append(f"{name}: operation id {operation['operationId']} used twice")
        ids.add(operation["operationId"])
        for status, answer in operation["responses"].items():
            if int(status) >= 400 and set(answer.get("content", {})) != {PROBLEM}:
                problems.append(f"{name} {status}: use-problem-json-for-errors")
            if int(status) in (204, 205) and "content" in answer:
                problems.append(f"{name} {status}: http-response-no-content-204-205")
        for node in schemas_in(operation, schema, set()):
            if node["type"] in ("integer", "number") and not node.get("format"):
                problems.append(f"{name}: {node['type']}-format")
    return problems
