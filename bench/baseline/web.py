"""The baseline skill as a Flask app, served like ours: `gunicorn 'bench.baseline.web:app'`.

No signature verification, no store: JSON in, the baseline's `lambda_handler`, JSON out.
"""

from __future__ import annotations

from typing import Any

from flask import Flask, jsonify, request

from bench.baseline.lambda_function import lambda_handler

app = Flask(__name__)


@app.get("/health")
def health() -> dict[str, str]:
    return {"status": "ok"}


@app.post("/alexa")
def alexa() -> Any:
    return jsonify(lambda_handler(request.get_json(), None))
