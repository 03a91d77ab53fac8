"""template.yaml (AWS SAM): cfn-lint clean, before and after the SAM transform, and least privilege.

cfn-lint checks SAM resources against loose schemas only (a wrong runtime or event type passes),
so the template is also transformed with aws-sam-translator, as CloudFormation would, and the
resulting plain CloudFormation is linted and inspected too.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from samtranslator.translator.transform import transform
from samtranslator.yaml_helper import yaml_parse

REPO = Path(__file__).resolve().parent.parent
TEMPLATE = REPO / "template.yaml"
CFN_LINT = Path(sys.executable).with_name("cfn-lint")
SKILL_ID = {"Ref": "SkillId"}


class NoManagedPolicies:
    """The template names its own role, so SAM must never look up AWS managed policies."""

    def load(self) -> dict[str, str]:
        raise AssertionError("the template asks SAM for AWS managed policies")


@pytest.fixture(scope="module")
def sam() -> dict[str, Any]:
    return yaml_parse(TEMPLATE.read_text())


@pytest.fixture(scope="module")
def cloudformation(sam: dict[str, Any]) -> dict[str, Any]:
    """The template after the SAM transform, with CodeUri uploaded as `sam package` would."""
    packaged = json.loads(json.dumps(sam))
    packaged["Resources"]["SkillFunction"]["Properties"]["CodeUri"] = "s3://bucket/skill.zip"
    with pytest.MonkeyPatch.context() as env:
        env.setenv("AWS_DEFAULT_REGION", "us-east-1")  # the translator fills AWS::Region
        return transform(packaged, {"SkillId": "amzn1.ask.skill.0000"}, NoManagedPolicies())


def cfn_lint(path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(CFN_LINT), str(path)], capture_output=True, text=True, timeout=120)


def resources_of_type(template: dict[str, Any], kind: str) -> list[dict[str, Any]]:
    return [r for r in template["Resources"].values() if r["Type"] == kind]


def test_cfn_lint_passes_on_the_sam_template() -> None:
    linted = cfn_lint(TEMPLATE)
    assert linted.returncode == 0, linted.stdout + linted.stderr


def test_cfn_lint_passes_on_the_transformed_template(
    cloudformation: dict[str, Any], tmp_path: Path
) -> None:
    transformed = tmp_path / "transformed.json"
    transformed.write_text(json.dumps(cloudformation))
    linted = cfn_lint(transformed)
    assert linted.returncode == 0, linted.stdout + linted.stderr


def test_function(sam: dict[str, Any]) -> None:
    function = sam["Resources"]["SkillFunction"]
    assert function["Type"] == "AWS::Serverless::Function"
    properties = function["Properties"]
    assert properties["Handler"] == "lambda_function.lambda_handler"
    assert properties["Runtime"] == "python3.13"
    assert properties["CodeUri"] == "build/lambda/"
    assert properties["Architectures"] == ["arm64"]
    assert (properties["MemorySize"], properties["Timeout"]) == (256, 7)
    assert properties["Environment"]["Variables"] == {
        "SKILL_STORE": "dynamodb",
        "SKILL_TABLE": {"Ref": "ProgressTable"},
        "SKILL_ID": SKILL_ID,
    }


def test_only_this_skill_may_invoke(sam: dict[str, Any], cloudformation: dict[str, Any]) -> None:
    events = sam["Resources"]["SkillFunction"]["Properties"]["Events"]
    assert [e["Type"] for e in events.values()] == ["AlexaSkill"]
    assert [e["Properties"]["SkillId"] for e in events.values()] == [SKILL_ID]
    permissions = [
        r["Properties"] for r in resources_of_type(cloudformation, "AWS::Lambda::Permission")
    ]
    assert permissions == [
        {
            "Action": "lambda:InvokeFunction",
            "FunctionName": {"Ref": "SkillFunction"},
            "Principal": "alexa-appkit.amazon.com",
            "EventSourceToken": SKILL_ID,
        }
    ]


def test_table(sam: dict[str, Any]) -> None:
    table = sam["Resources"]["ProgressTable"]
    properties = table["Properties"]
    assert table["DeletionPolicy"] == "Retain"
    assert properties["BillingMode"] == "PAY_PER_REQUEST"
    assert properties["KeySchema"] == [{"AttributeName": "id", "KeyType": "HASH"}]
    assert properties["AttributeDefinitions"] == [{"AttributeName": "id", "AttributeType": "S"}]
    assert properties["PointInTimeRecoverySpecification"] == {"PointInTimeRecoveryEnabled": True}


def test_log_group_is_the_functions_with_retention(sam: dict[str, Any]) -> None:
    log_group = sam["Resources"]["SkillLogGroup"]["Properties"]
    function_name = sam["Resources"]["SkillFunction"]["Properties"]["FunctionName"]
    assert log_group["LogGroupName"] == {"Fn::Sub": "/aws/lambda/" + function_name["Fn::Sub"]}
    assert log_group["RetentionInDays"] == 30


def test_iam_is_least_privilege(cloudformation: dict[str, Any]) -> None:
    roles = resources_of_type(cloudformation, "AWS::IAM::Role")
    assert len(roles) == 1
    assert "ManagedPolicyArns" not in roles[0]["Properties"]
    assert resources_of_type(cloudformation, "AWS::IAM::Policy") == []
    statements = [
        statement
        for policy in roles[0]["Properties"]["Policies"]
        for statement in policy["PolicyDocument"]["Statement"]
    ]
    granted: dict[str, Any] = {}
    for statement in statements:
        assert statement["Effect"] == "Allow"
        assert "*" not in json.dumps(statement["Action"])
        for action in statement["Action"]:
            granted[action] = statement["Resource"]
    table = {"Fn::GetAtt": ["ProgressTable", "Arn"]}
    streams = {
        "Fn::Sub": "arn:${AWS::Partition}:logs:${AWS::Region}:${AWS::AccountId}"
        ":log-group:${SkillLogGroup}:log-stream:*"
    }
    assert granted == {
        "dynamodb:GetItem": table,
        "dynamodb:UpdateItem": table,
        "dynamodb:DeleteItem": table,
        "logs:CreateLogStream": streams,
        "logs:PutLogEvents": streams,
    }


def test_outputs_give_the_function_arn(sam: dict[str, Any]) -> None:
    assert sam["Outputs"]["SkillFunctionArn"]["Value"] == {"Fn::GetAtt": ["SkillFunction", "Arn"]}
