import pytest


@pytest.mark.skip(
    reason="needs libtasker_ffi built from the Rust workspace (cargo build -p tasker-ffi)"
)
def test_submit_round_trips_through_the_core():
    from tasker_py.ffi_bridge import FfiBridge

    bridge = FfiBridge.load()
    assert bridge is not None
    bridge.submit("task=1;step=1;attempt=1;status=success")
