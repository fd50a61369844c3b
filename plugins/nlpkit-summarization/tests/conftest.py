"""Fixtures for nlpkit-summarization's tests."""

import pytest

from nlpkit.testing.parity import parity  # noqa: F401  (the fixture; here too so the tests run from the unpacked sdist)


@pytest.fixture(scope="module")
def one_torch_thread():
    """Tiny models run fastest on one thread; on a busy CPU, two threads spin-wait for seconds."""
    import torch

    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)
