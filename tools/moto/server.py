# moto_server as moto.mjs starts it: exits with its parent, and acts as AWS does where the tests rely on it.
import os
import sys
import threading

from moto.awslambda_simple import models as lambda_simple
from moto.cloudformation import models as cloudformation, utils
from moto.core.base_backend import BackendDict
from moto.core.config import default_user_config
from moto.dynamodb.models import DynamoDBBackend
from moto.server import main
from moto.stepfunctions import models as stepfunctions
from moto.stepfunctions.parser.models import stepfunctions_parser_backends


def lint_errors_only(template):
    # moto's ValidateTemplate rejects a template on any cfn-lint finding, warnings included, so the
    # templates the Serverless Framework generates fail (W3005, a DependsOn that a Ref already implies).
    # CloudFormation rejects none of those; keep only cfn-lint's errors (E rules).
    return [match for match in utils.validate_template_cfn_lint(template) if match.rule.id.startswith("E")]


class DockerFreeLambdaBackend(lambda_simple.LambdaSimpleBackend):
    # moto's Docker-free backend answers any invocation, even of a function that does not exist; AWS
    # answers ResourceNotFoundException, and so does this one.
    def invoke(self, function_name, qualifier, body, headers, response_headers):
        self.get_function(function_name, qualifier)
        return super().invoke(function_name, qualifier, body, headers, response_headers)


# DynamoDB applies a conditional write atomically: nothing writes the item between its condition check
# and its write. moto serves requests on threads and reads, checks, then writes with no lock, so two
# racing conditional puts could both succeed (the lock-race tests saw two winners in one round, once in
# 60). One lock around moto's item writes gives back what the stage lock relies on.
item_writes = threading.RLock()


def atomic(write):
    def locked(*args, **kwargs):
        with item_writes:
            return write(*args, **kwargs)

    return locked


def exit_when_parent_exits():
    # stdin is a pipe from the Node process that started moto; it reaches EOF when that process ends,
    # however it ends (even SIGKILL), so moto never outlives it.
    sys.stdin.read()
    os._exit(0)


cloudformation.validate_template_cfn_lint = lint_errors_only
# Run executions with moto's ASL interpreter (Pass, Choice, Wait, Succeed, Fail...) instead of leaving
# them RUNNING forever. The interpreter keeps its state machines in a backend of its own, so state
# machines created by CloudFormation must go there too, or the API could not find them.
default_user_config["stepfunctions"] = {"execute_state_machine": True}
# Lambda code cannot run here (that needs Docker). With Docker absent, moto's default Lambda backend
# still tries it whenever something invokes a function (an SNS topic with a Lambda subscription, an
# SQS event source, Invoke): each such call waits on the Docker client, so publishing to the
# notifications topic stalled deploys and e2e runs. The Docker-free backend answers those invocations
# at once (the function's code is not run, as before); functions, versions and aliases are the same.
default_user_config["lambda"] = {"use_docker": False}
lambda_simple.lambda_simple_backends = BackendDict(DockerFreeLambdaBackend, "lambda")
stepfunctions.stepfunctions_backends = stepfunctions_parser_backends
for name in ("put_item", "update_item", "delete_item", "transact_write_items"):
    setattr(DynamoDBBackend, name, atomic(getattr(DynamoDBBackend, name)))
threading.Thread(target=exit_when_parent_exits, daemon=True).start()
main(sys.argv[1:])
