"""Runs documentation snippets as written and prints, as JSON, every value their ``result`` variable took.

Usage: python3 run_snippet.py SNIPPET.py [DRIVER.py ...]

The seeds write their examples the way ``python -m asyncio`` (the asyncio REPL) runs them: with ``await`` at the top
level. Each file is parsed and its top-level statements are compiled one by one with ``ast.PyCF_ALLOW_TOP_LEVEL_AWAIT``
(what that REPL does) and run in one shared namespace on one event loop, so a snippet that binds ``result`` twice is
seen both times. Later files (drivers) run in the same namespace after the snippet. Output on stdout:
``{"results": [...], "error": null | {"type", "status", "error", "detail", "field", "message"}}``; the exit code is 0
when every statement ran.
"""

import ast
import asyncio
import inspect
import json
import sys
import traceback

_UNSET = object()


def _jsonable(value):
    try:
        json.dumps(value)
        return value
    except (TypeError, ValueError):
        return repr(value)


async def _run(paths, results):
    namespace = {"__name__": "__snippet__", "__builtins__": __builtins__}
    for path in paths:
        with open(path, encoding="utf-8") as file:
            tree = ast.parse(file.read(), filename=path)
        for statement in tree.body:
            code = compile(ast.Module(body=[statement], type_ignores=[]), path, "exec", flags=ast.PyCF_ALLOW_TOP_LEVEL_AWAIT)
            before = namespace.get("result", _UNSET)
            outcome = eval(code, namespace)  # noqa: S307 - the repository's own snippet files
            if inspect.isawaitable(outcome):
                await outcome
            after = namespace.get("result", _UNSET)
            # A statement that (re)binds result is recorded, even to an equal value.
            if after is not _UNSET and (after is not before or _binds_result(statement)):
                results.append(_jsonable(after))


def _binds_result(statement):
    return any(isinstance(node, ast.Name) and node.id == "result" and isinstance(node.ctx, ast.Store) for node in ast.walk(statement))


def main(paths):
    results = []
    try:
        asyncio.run(_run(paths, results))
    except Exception as error:  # noqa: BLE001 - reported to the test as data
        report = {
            "type": type(error).__name__,
            "status": getattr(error, "status", None),
            "error": getattr(error, "error", None),
            "detail": getattr(error, "detail", None),
            "field": getattr(error, "field", None),
            "message": str(error),
        }
        print(json.dumps({"results": results, "error": report}))
        traceback.print_exc()
        return 1
    print(json.dumps({"results": results, "error": None}))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
