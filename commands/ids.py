"""Action, block and callback ids: one place, so views, handlers and tests agree."""

from __future__ import annotations

from enum import StrEnum


class CallbackId(StrEnum):
    CUSTOMER_SAVE = "customer_save"


class ActionId(StrEnum):
    CUSTOMER_ADD = "customer_add"
    CUSTOMER_EDIT = "customer_edit"
    CUSTOMER_OPEN = "customer_open"
    INPUT = "value"  # the single element inside each input block


class BlockId(StrEnum):
    CUSTOMER_NAME = "customer_name"
    CUSTOMER_COMPANY = "customer_company"
    CUSTOMER_EMAIL = "customer_email"
    CUSTOMER_PHONE = "customer_phone"
    CUSTOMER_OWNER = "customer_owner"
    CUSTOMER_TAGS = "customer_tags"
    CUSTOMER_ACTIONS = "customer_actions"
