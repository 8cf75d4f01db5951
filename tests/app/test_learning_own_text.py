"""The writer's own text for name proposals: runs typed key by key join as written."""

from __future__ import annotations

from app.learning import names_to_propose, own_text


def test_runs_that_touch_join_and_separate_stretches_do_not() -> None:
    text = "Captain Mara Voss came. The model wrote this. Mara Voss left."
    labels = [(i, 1, "human") for i in range(23)]  # typed key by key
    labels.append((23, 23, "model"))
    labels.append((46, len(text) - 46, "human"))
    assert own_text(text, labels, {"human"}) == "Captain Mara Voss came.\nMara Voss left."


def test_a_name_typed_key_by_key_is_proposed() -> None:
    text = "Mara Voss sailed. Later Mara Voss slept. Then Mara Voss woke."
    labels = [(i, 1, "human") for i in range(len(text))]
    assert "Mara Voss" in names_to_propose(own_text(text, labels, {"human"}), set())


def test_the_longest_name_seen_as_often_is_proposed_once() -> None:
    text = "Captain Mara Voss sailed. Captain Mara Voss slept. Captain Mara Voss woke."
    assert names_to_propose(text, set()) == ["Captain Mara Voss"]
    assert names_to_propose(text, {"captain mara voss"}) == []
