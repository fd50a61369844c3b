"""A backend whose libraries are missing (torch in a base install) is a one-line error naming the extra."""

from __future__ import annotations

import pytest

from nlpkit.backends import SklearnBackend, TransformersBackend
from nlpkit.errors import NlpkitError
from nlpkit.models import Backend, require_libraries


class NeedsMissing(Backend):
    name = "fancy"
    requires = ("torch", "nlpkit_no_such_module")
    requires_extra = "nlpkit-fancy[gpu]"


def test_missing_libraries_are_named_with_the_install_command() -> None:
    with pytest.raises(NlpkitError) as caught:
        require_libraries(NeedsMissing())
    message = str(caught.value)
    assert "the fancy backend needs nlpkit_no_such_module, which" in message, "only the missing library is named"
    assert "pip install 'nlpkit-fancy[gpu]'" in message and "download.pytorch.org/whl/cpu" in message


def test_the_transformers_backend_declares_torch_and_the_extra_and_sklearn_nothing() -> None:
    assert TransformersBackend.requires == ("torch", "transformers")
    assert TransformersBackend.requires_extra == "nlpkit-core[transformers]"
    assert SklearnBackend.requires == ()
    require_libraries(TransformersBackend())  # installed here: no error
