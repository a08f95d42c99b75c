# moto_server as moto.mjs starts it: exits with its parent, and validates templates the way AWS would.
import os
import sys
import threading

from moto.awslambda import models as lambda_models
from moto.awslambda_simple import models as lambda_simple
from moto.cloudformation import models as cloudformation, utils
from moto.cloudformation.responses import CloudFormationResponse
from moto.core.responses import ActionResult
from moto.core.base_backend import BackendDict
from moto.core.config import default_user_config
from moto.core.utils import iso_8601_datetime_with_nanoseconds
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


def bumps_last_modified(update):
    # Lambda sets a function's LastModified on every code or configuration update; moto sets it only
    # when the function is created. The Serverless Framework compares it with its last upload to
    # decide whether a deploy has anything to do, so without it every deploy after a change deploys again.
    def updated(function, *args, **kwargs):
        # Set first: the update answers with the function's configuration, LastModified included.
        function.last_modified = iso_8601_datetime_with_nanoseconds()
        return update(function, *args, **kwargs)

    return updated


def one_write_at_a_time(write):
    # DynamoDB applies a conditional write atomically: of writes racing for one item, the condition
    # sees each one's predecessor. moto_server answers requests on threads and checks a condition
    # and then writes, unguarded, so two racing PutItems can both find the item absent. Writes go
    # one at a time here, as DynamoDB orders them.
    def guarded(*args, **kwargs):
        with DYNAMODB_WRITES:
            return write(*args, **kwargs)

    return guarded


DYNAMODB_WRITES = threading.Lock()


def forgets_missing_change_sets(delete):
    # The Serverless Framework deletes its change set by name before making a new one; after a deploy
    # whose change set had no changes, it has already deleted that one, and AWS answers the second
    # delete with success. moto fails on it (an unbound local, a 500), so every deploy after a no-op
    # deploy failed here.
    def deleted(backend, change_set_name):
        known = change_set_name in backend.change_sets or any(
            change_set.change_set_name == change_set_name for change_set in backend.change_sets.values()
        )
        if known:
            delete(backend, change_set_name)

    return deleted


def honours_request_tokens(action):
    # CloudFormation takes a CreateStack's or UpdateStack's ClientRequestToken as the request's identity:
    # the same request sent again (the SDK retrying after a response was lost) is answered as the first
    # one was, instead of AlreadyExistsException, and the stack's events carry the token of the
    # operation that caused them. moto ignores the token.
    def handled(self):
        token = self._get_param("ClientRequestToken")
        if not token:
            return action(self)
        name = self._get_param("StackName")
        live = lambda: next(  # noqa: E731
            (
                stack
                for stack in self.cloudformation_backend.stacks.values()
                if name in (stack.name, stack.stack_id) and stack.status != "DELETE_COMPLETE"
            ),
            None,
        )
        before = live()
        if before is not None and any(event.client_request_token == token for event in before.events):
            return ActionResult({"StackId": before.stack_id})
        seen = 0 if before is None else len(before.events)
        result = action(self)
        for event in live().events[seen:]:
            event.client_request_token = token
        return result

    return handled


def exit_when_parent_exits():
    # stdin is a pipe from the Node process that started moto; it reaches EOF when that process ends,
    # however it ends (even SIGKILL), so moto never outlives it.
    sys.stdin.read()
    os._exit(0)


cloudformation.validate_template_cfn_lint = lint_errors_only
for name in ("create_stack", "update_stack"):
    setattr(CloudFormationResponse, name, honours_request_tokens(getattr(CloudFormationResponse, name)))
cloudformation.CloudFormationBackend.delete_change_set = forgets_missing_change_sets(
    cloudformation.CloudFormationBackend.delete_change_set
)
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
for name in ("update_configuration", "update_function_code"):
    setattr(lambda_models.LambdaFunction, name, bumps_last_modified(getattr(lambda_models.LambdaFunction, name)))
for name in ("put_item", "update_item", "delete_item", "transact_write_items"):
    setattr(DynamoDBBackend, name, one_write_at_a_time(getattr(DynamoDBBackend, name)))
threading.Thread(target=exit_when_parent_exits, daemon=True).start()
main(sys.argv[1:])
