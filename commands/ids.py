"""Action, block and callback ids: one place, so views, handlers and tests agree."""

from __future__ import annotations

from enum import StrEnum


class CallbackId(StrEnum):
    CUSTOMER_SAVE = "customer_save"
    CONTACT_SAVE = "contact_save"
    LOG_SAVE = "log_save"
    LOG_MESSAGE_SHORTCUT = "log_message"  # message shortcut "Log to customer" (manifest.yml)
    TASK_SAVE = "task_save"
    TASK_REASSIGN_SAVE = "task_reassign_save"
    SALE_SAVE = "sale_save"  # /sales record
    STOCK_RULE_SAVE = "stock_rule_save"  # reorder rule modal


class ActionId(StrEnum):
    INPUT = "value"  # the single element inside each input block
    CUSTOMER_ADD = "customer_add"
    CUSTOMER_EDIT = "customer_edit"
    CUSTOMER_OPEN = "customer_open"
    CUSTOMER_HISTORY_MORE = "customer_history_more"  # value "<customer id>:<offset>"
    CONTACT_ADD = "contact_add"
    CONTACT_REMOVE = "contact_remove"  # overflow on a contact line; option value "<cust>:<id>"
    CUSTOMER_SELECT = "customer_select"  # external_select searching customers (app.options)
    LOG_CALL = "log_call"  # value: customer id
    LOG_EMAIL = "log_email"
    LOG_NOTE = "log_note"
    LOG_PICK_CUSTOMER = "log_pick_customer"  # quick /log with an ambiguous name: which one
    TASK_ADD = "task_add"  # value: customer id or ""
    TASK_DONE = "task_done"  # value: task id
    TASK_SNOOZE = "task_snooze"  # overflow / button: value "<task id>:<1h|tomorrow|nextweek>"
    TASK_REASSIGN = "task_reassign"  # value: task id (opens a small modal)
    TASK_MENU = "task_menu"  # overflow on a task line: Done / Snooze ... / Reassign
    PRODUCT_SELECT = "product_select"  # external_select searching products by SKU or name
    SALE_RECORD = "sale_record"  # opens the order modal (App Home, cards)
    SALE_LINE_ADD = "sale_line_add"  # in the order modal: one more line
    SALE_LINE_REMOVE = "sale_line_remove"  # value: the line's number
    STOCK_OPEN = "stock_open"  # value: product id → its stock card
    STOCK_HISTORY = "stock_history"  # value: "<product id>:<offset>"
    STOCK_RULE_EDIT = "stock_rule_edit"  # value: product id → rule modal
    STOCK_APPLY_SUGGESTION = "stock_apply_suggestion"  # value: product id
    STOCK_REORDERED = "stock_reordered"  # value: "<product id>:<qty>" (alert button)
    STOCK_SNOOZE = "stock_snooze"  # value: "<product id>:<1d|1w>"


class BlockId(StrEnum):
    CUSTOMER_NAME = "customer_name"
    CUSTOMER_COMPANY = "customer_company"
    CUSTOMER_EMAIL = "customer_email"
    CUSTOMER_PHONE = "customer_phone"
    CUSTOMER_OWNER = "customer_owner"
    CUSTOMER_TAGS = "customer_tags"
    CUSTOMER_ADDRESS = "customer_address"
    CUSTOMER_CITY = "customer_city"
    CUSTOMER_REGION = "customer_region"
    CUSTOMER_COUNTRY = "customer_country"
    CUSTOMER_INDUSTRY = "customer_industry"
    CUSTOMER_NOTES = "customer_notes"
    CUSTOMER_ACTIONS = "customer_actions"
    CONTACT_NAME = "contact_name"
    CONTACT_TITLE = "contact_title"
    CONTACT_EMAIL = "contact_email"
    CONTACT_PHONE = "contact_phone"
