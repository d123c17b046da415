"""`settle_heap`: what is alive after start-up leaves the garbage collector's full
collections; start-up garbage is freed first, not frozen with it."""

from __future__ import annotations

import gc
import weakref
from collections.abc import Iterator

import pytest

from bot.app import settle_heap


class Node:
    def __init__(self) -> None:
        self.me = self  # a reference cycle: only the cyclic collector frees it


@pytest.fixture
def unfrozen() -> Iterator[None]:
    """Put the test process back as it was: frozen objects stay alive until unfrozen."""
    yield
    gc.unfreeze()


@pytest.mark.usefixtures("unfrozen")
def test_start_up_garbage_is_freed_before_the_rest_is_frozen() -> None:
    garbage = weakref.ref(Node())  # unreachable as soon as it is made
    settle_heap()
    assert garbage() is None


@pytest.mark.usefixtures("unfrozen")
def test_what_was_alive_is_left_out_of_later_collections() -> None:
    held = [Node()]
    node = weakref.ref(held[0])
    settle_heap()
    held.clear()  # the node is now a garbage cycle, but a frozen one
    gc.collect()
    assert node() is not None, "a full collection walked the frozen objects"
    gc.unfreeze()
    gc.collect()
    assert node() is None
