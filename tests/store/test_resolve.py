"""Thread ids resolve by unique prefix (4+ characters) through one store method."""

from __future__ import annotations

import pytest

from harness.store.base import AmbiguousThreadPrefix, ThreadNotFound


def _rename(store, old: str, new: str) -> None:
    with store._lock, store._transaction():
        store._x("UPDATE threads SET thread_id = ? WHERE thread_id = ?", (new, old))


def test_an_id_or_a_unique_prefix_of_four_resolves(store):
    a = store.create_thread("/p")
    assert store.resolve_thread(a.thread_id).thread_id == a.thread_id
    assert store.resolve_thread(a.thread_id[:4]).thread_id == a.thread_id
    with pytest.raises(ThreadNotFound):
        store.resolve_thread(a.thread_id[:3])  # too short to be a prefix


def test_like_wildcards_in_a_prefix_match_literally(store):
    store.create_thread("/p")
    with pytest.raises(ThreadNotFound):
        store.resolve_thread("%%%%")
    with pytest.raises(ThreadNotFound):
        store.resolve_thread("____")


def test_an_ambiguous_prefix_names_the_candidates(store):
    a, b = store.create_thread("/p"), store.create_thread("/p")
    _rename(store, a.thread_id, "abcd00000001")
    _rename(store, b.thread_id, "abcd00000002")
    with pytest.raises(AmbiguousThreadPrefix) as caught:
        store.resolve_thread("abcd")
    assert "abcd00000001" in str(caught.value) and "abcd00000002" in str(caught.value)
    assert store.resolve_thread("abcd00000002").thread_id == "abcd00000002"
