"""Every API schema has one name: two apps' schemas must never share an OpenAPI component."""

import ast
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_schema_class_names_are_unique_across_apps():
    names = Counter()
    for path in ROOT.glob("*/api.py"):
        for node in ast.parse(path.read_text()).body:
            if isinstance(node, ast.ClassDef):
                names[node.name] += 1
    assert [name for name, count in names.items() if count > 1] == []


def test_openapi_document_renders(client):
    response = client.get("/api/openapi.json")
    assert response.status_code == 200
    assert response.json()["info"]["title"] == "Duet API"
