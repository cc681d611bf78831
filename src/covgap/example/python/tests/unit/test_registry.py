import pytest
from tasker_py import HandlerRegistry, StepHandler, TaskerError
from tasker_py.errors import HandlerNotFound


class Validate(StepHandler):
    name = "payments.validate"

    def call(self, context):
        return {"ok": True}


class ValidateV2(StepHandler):
    name = "payments.validate"
    version = "2.0.0"

    def call(self, context):
        return {"ok": True, "v": 2}


def test_resolves_latest_version():
    registry = HandlerRegistry()
    registry.register(Validate)
    registry.register(ValidateV2)
    assert isinstance(registry.resolve("payments.validate"), ValidateV2)
    assert len(registry) == 2


def test_unknown_version_lists_known_ones():
    registry = HandlerRegistry()
    registry.register(Validate)
    with pytest.raises(HandlerNotFound, match=r"known: 1\.0\.0"):
        registry.resolve("payments.validate", "9.9.9")


def test_rejects_bad_names():
    class Bad(StepHandler):
        name = "Not Valid"

    with pytest.raises(TaskerError):
        HandlerRegistry().register(Bad)
