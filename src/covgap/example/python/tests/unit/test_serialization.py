import pytest
from tasker_py.errors import ProtocolError, RetryableError
from tasker_py.serialization import decode_request, encode_result


def test_encodes_success_with_payload():
    line = encode_result(7, 1, 1, {"rows": 3})
    assert line == 'task=7;step=1;attempt=1;status=success;payload={"rows":3}'


def test_encodes_retryable_error():
    line = encode_result(7, 2, 1, error=RetryableError("timeout; again"))
    assert line.endswith("status=retryable_error;error=timeout, again")


def test_decode_rejects_non_json():
    with pytest.raises(ProtocolError, match="not JSON"):
        decode_request("task=1")
