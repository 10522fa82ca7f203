"""Action, block and callback ids of the /deal family; views, handlers and tests share them.

They live here rather than in commands.ids so this family can change without touching
the shared list; the "deal_" prefix keeps them apart from every other family's ids.
"""

from __future__ import annotations

from enum import StrEnum


class DealAction(StrEnum):
    OPEN = "deal_open"  # value: deal id → its card
    NEW = "deal_new"  # value: a title to start with ("no match" and list hints)
    MOVE = "deal_move"  # static_select on the card; option value "<deal id>:<stage key>"
    WON = "deal_won"  # value: deal id
    LOST = "deal_lost"  # value: deal id → the reason modal
    NOTE = "deal_note"  # value: deal id → the note modal
    TASK = "deal_task"  # value: deal id → the task modal
    EDIT = "deal_edit"  # value: deal id → the deal modal, prefilled
    HISTORY = "deal_history"  # value: deal id → every stage change


class DealCallback(StrEnum):
    SAVE = "deal_save"  # new and edit: private_metadata says which
    LOST = "deal_lost_save"
    NOTE = "deal_note_save"
    TASK = "deal_task_save"


class DealBlock(StrEnum):
    TITLE = "deal_title"
    CUSTOMER = "deal_customer"
    AMOUNT = "deal_amount"
    CLOSE = "deal_close"
    STAGE = "deal_stage"
    OWNER = "deal_owner"
    NEXT_STEP = "deal_next_step"
    REASON = "deal_reason"
    NOTE = "deal_note_text"
    TASK_TITLE = "deal_task_title"
    TASK_ASSIGNEE = "deal_task_assignee"
    TASK_DUE = "deal_task_due"
    ACTIONS = "deal_actions"  # the card's buttons; ":<deal id>" follows
