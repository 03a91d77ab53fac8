"""Importing the DynamoDB store (every cold start on Lambda with SKILL_STORE=dynamodb) builds no
client, needs no region and looks for no credentials; the store builds one client and never a
resource (which costs a cold start about twice as much)."""

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
store = module.DynamoDbStore("progress", region="eu-west-1")
print(json.dumps({"after_import": after_import, "after_store": built}))
"""


def test_importing_the_store_builds_nothing_and_the_store_one_client(tmp_path: Path) -> None:
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
