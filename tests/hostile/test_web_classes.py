"""What anyone who can reach the page can do to a server's classes: create them without
end (bounded: `MAX_CLASSES`, the oldest that are over forgotten first) and send a seat's
or the teacher's address with any text in it (refused, never a traceback)."""

from __future__ import annotations

import pytest

pytest.importorskip("solara", reason="the web extra is not installed")

from sim.web import classroom
from sim.web.classroom import ClassError, same_token
from sim.web.watch import compiled

FLAGSHIP = "scenarios/isf/res2803.yaml"


def test_a_full_server_refuses_a_new_class_in_one_line(registry, monkeypatch) -> None:
    monkeypatch.setattr(classroom, "MAX_CLASSES", 3)
    C = compiled(FLAGSHIP)
    held = [registry.create(C) for _ in range(3)]
    with pytest.raises(ClassError) as caught:
        registry.create(C)
    assert str(caught.value) == (
        "This server holds 3 classes that are not over, the most it takes at once: "
        "end a class, or restart the server."
    )
    assert list(registry.sessions.values()) == held  # none forgotten, none added


def test_the_oldest_classes_that_are_over_make_room(registry, monkeypatch) -> None:
    monkeypatch.setattr(classroom, "MAX_CLASSES", 3)
    C = compiled(FLAGSHIP)
    first, second, third = (registry.create(C) for _ in range(3))
    third.state = "over"
    second.state = "over"
    fourth = registry.create(C)
    assert list(registry.sessions.values()) == [first, third, fourth]  # `second`, older, went
    assert registry.find(fourth.code) is fourth
    with pytest.raises(ClassError, match=f"No class has the code {second.code}"):
        registry.find(second.code)


@pytest.mark.parametrize("given", ["é", "ü" * 22, "\udcff", "", None, 7])
def test_an_address_with_any_text_is_refused_not_a_traceback(registry, given) -> None:
    session = registry.create(compiled(FLAGSHIP))
    token = session.take("IDN")
    assert session.seat_of(given) is None
    with pytest.raises(ClassError, match="Only the teacher can do that"):
        session.set_timer(given, 60)
    assert not same_token(session.teacher, given)
    assert session.seat_of(token) == "IDN" and same_token(session.teacher, session.teacher)
