"""The task workflow as one explicit map: for each action, the states it may start from and the
state it leads to. intake/actions.py checks every move here first; the UI and the API list the
allowed actions from here too. Further conditions that depend on the task (公示 finished, home visit
recorded, 先行救助 allowed) are checked in the action and explained in its message.
"""

from __future__ import annotations

from dataclasses import dataclass

from onedoor.core.exceptions import IllegalTransition

from .choices import TaskAction as A
from .choices import TaskState as S

# None as the target means "decided by the action" (resubmit returns to the state before the return).
SAME = None


@dataclass(frozen=True)
class Move:
    sources: frozenset[str]
    target: str | None


MOVES: dict[str, Move] = {
    A.ACCEPT: Move(frozenset({S.RECEIVED}), S.ACCEPTED),
    A.INVESTIGATE: Move(frozenset({S.ACCEPTED}), S.INVESTIGATING),
    A.RETURN: Move(frozenset({S.RECEIVED, S.ACCEPTED, S.INVESTIGATING}), S.RETURNED),
    A.RESUBMIT: Move(frozenset({S.RETURNED}), SAME),
    A.PROPOSE: Move(frozenset({S.INVESTIGATING}), S.PROPOSED),
    A.PUBLISH_NOTICE: Move(frozenset({S.PROPOSED}), S.NOTICE),
    A.OBJECT: Move(frozenset({S.NOTICE}), S.OBJECTED),
    A.REINVESTIGATE: Move(frozenset({S.OBJECTED}), S.INVESTIGATING),
    A.DISMISS_OBJECTION: Move(frozenset({S.OBJECTED}), S.NOTICE),
    # Approval from received/accepted only under 先行救助 (checked in the action).
    A.APPROVE: Move(frozenset({S.PROPOSED, S.NOTICE, S.RECEIVED, S.ACCEPTED, S.INVESTIGATING}), S.APPROVED),
    A.REFUSE: Move(frozenset({S.INVESTIGATING, S.PROPOSED, S.NOTICE, S.OBJECTED}), S.REFUSED),
    A.COMPLETE: Move(frozenset({S.APPROVED}), S.APPROVED),
    A.CLOSE: Move(frozenset({S.APPROVED, S.REFUSED}), S.CLOSED),
    A.TRANSFER: Move(frozenset({S.RECEIVED, S.ACCEPTED, S.INVESTIGATING}), S.RECEIVED),
    A.WITHDRAW: Move(frozenset({S.RECEIVED, S.ACCEPTED, S.INVESTIGATING, S.RETURNED, S.PROPOSED, S.NOTICE,
                                S.OBJECTED}), S.WITHDRAWN),
}


def actions_from(state: str) -> list[str]:
    """Actions whose map allows a start from `state`, in the order of TaskAction."""
    return [action.value for action in A if state in MOVES[action].sources]


def check_move(action: str, state: str) -> Move:
    """The move for `action` from `state`, or IllegalTransition naming what is allowed instead."""
    try:
        move = MOVES[action]
    except KeyError:
        raise IllegalTransition(f"未知的操作：{action}", details={"allowed": actions_from(state)}) from None
    if state not in move.sources:
        allowed = actions_from(state)
        names = "、".join(str(A(a).label) for a in allowed) or "无"
        raise IllegalTransition(
            f"事项当前状态为“{S(state).label}”，不能“{A(action).label}”。可进行的操作：{names}",
            details={"state": state, "allowed": allowed},
        )
    return move
