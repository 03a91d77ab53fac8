"""Importing the DynamoDB store (every cold start on Lambda with SKILL_STORE=dynamodb) builds no
client, needs no region and looks for no credentials; the store builds clients only, never a
resource (which a cold start pays for on top of its client), also on its first calls."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.support.servers import ROOT

CHILD = """
import json
import boto3.session
built = []
def counting(kind, build):
    def counted(self, *args, **kwargs):
        built.append((kind, args[0] if args else kwargs.get("service_name")))
        return build(self, *args, **kwargs)
    return counted
boto3.session.Session.client = counting("client", boto3.session.Session.client)
boto3.session.Session.resource = counting("resource", boto3.session.Session.resource)
import skill.storage.dynamodb_store as module
after_import = list(built)
store = module.DynamoDbStore("progress", region="eu-west-1", endpoint_url="http://127.0.0.1:9")
after_store = list(built)
from skill.budget import request_budget
from skill.storage.base import StoreUnavailable
from ask_sdk_model import Context, RequestEnvelope, User
from ask_sdk_model.interfaces.system import SystemState
user = RequestEnvelope(context=Context(system=SystemState(user=User("someone"))))
for budget in (6.0, 1.1):  # the first client's 2 s timeout, then a new one's 0.5 s
    with request_budget(budget):
        try:
            store.get_attributes(user)  # nothing listens there (nor are there credentials)
        except StoreUnavailable:
            pass
print(json.dumps({"after_import": after_import, "after_store": after_store, "after_calls": built}))
"""


def test_the_store_builds_clients_only_and_its_import_nothing(tmp_path: Path) -> None:
    env = {
        "PATH": os.environ["PATH"],
        "HOME": str(tmp_path),  # no ~/.aws
        "PYTHONPATH": str(ROOT),
        "AWS_EC2_METADATA_DISABLED": "true",
    }
    done = subprocess.run(
        [sys.executable, "-c", CHILD], env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    built = json.loads(done.stdout)
    assert built["after_import"] == []
    assert built["after_store"] == [["client", "dynamodb"]]  # the store's own, and only that
    assert built["after_calls"] == [["client", "dynamodb"]] * 2  # one more for a shorter timeout
