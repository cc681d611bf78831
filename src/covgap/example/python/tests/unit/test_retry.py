import random

import pytest
from tasker_py.errors import PermanentError, RetryableError
from tasker_py.retry import RetryPolicy


def test_permanent_errors_are_not_retried():
    assert not RetryPolicy().should_retry(PermanentError("no"), attempt=1)


def test_retryable_errors_are_retried_until_max():
    policy = RetryPolicy(max_attempts=2)
    assert policy.should_retry(RetryableError("later"), attempt=1)
    assert not policy.should_retry(RetryableError("later"), attempt=2)


def test_delay_doubles_without_jitter():
    policy = RetryPolicy(jitter=0)
    assert policy.delay(3) == pytest.approx(1.0)


def test_delay_honours_retry_after():
    assert RetryPolicy().delay(1, RetryableError("busy", retry_after=2.0), random.Random(1)) == 2.0


def test_invalid_policy():
    with pytest.raises(ValueError):
        RetryPolicy(max_attempts=0)
