"""End to end: a worker runs a three-step refund workflow and reports results."""

import json

from tasker_py import HandlerRegistry, PermanentError, RetryableError, StepHandler
from tasker_py.config import WorkerConfig
from tasker_py.worker import Worker

registry = HandlerRegistry()


@registry.handler()
class Validate(StepHandler):
    name = "refund.validate"

    def call(self, context):
        amount = context.require("amount")
        if amount <= 0:
            raise PermanentError("amount must be positive")
        return {"amount": amount}


@registry.handler()
class Charge(StepHandler):
    name = "refund.charge"

    def call(self, context):
        if context.attempt == 1:
            raise RetryableError("gateway timeout")
        return {"charged": context.result_of("refund.validate")["amount"]}


@registry.handler()
class Notify(StepHandler):
    name = "refund.notify"

    def call(self, context):
        raise RuntimeError("smtp down")


def request(step_id, handler, attempt=1, **extra):
    return json.dumps(
        {"task_id": 9, "step_id": step_id, "handler": handler, "attempt": attempt, **extra}
    )


def test_refund_workflow():
    sent = []
    worker = Worker(registry, sent.append)
    stats = worker.run(
        [
            request(1, "refund.validate", inputs={"amount": 30}),
            request(2, "refund.charge", dependency_results={"refund.validate": {"amount": 30}}),
            request(
                2,
                "refund.charge",
                attempt=2,
                dependency_results={"refund.validate": {"amount": 30}},
            ),
            request(3, "refund.notify"),
            request(4, "refund.unknown"),
            "{not json",
        ]
    )
    assert stats.succeeded == 2
    assert stats.retried == 1
    assert stats.rejected == 1
    assert sent[0] == 'task=9;step=1;attempt=1;status=success;payload={"amount":30}'
    assert worker.events.counts["step.failed"] == 3


def test_config_from_environment():
    config = WorkerConfig.from_env({"TASKER_CONCURRENCY": "8", "TASKER_NAMESPACE": "refunds"})
    assert (config.concurrency, config.namespace) == (8, "refunds")
