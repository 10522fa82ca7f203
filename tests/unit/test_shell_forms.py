"""Filling modals field by field in the shell."""

from __future__ import annotations

from dataclasses import replace

import pytest
from slack_sdk.models.blocks import (
    ChannelSelectElement,
    CheckboxesElement,
    ConversationMultiSelectElement,
    ConversationSelectElement,
    DatePickerElement,
    DateTimePickerElement,
    DividerBlock,
    EmailInputElement,
    ExternalDataMultiSelectElement,
    ExternalDataSelectElement,
    InputBlock,
    NumberInputElement,
    Option,
    OptionGroup,
    PlainTextInputElement,
    RadioButtonsElement,
    SectionBlock,
    StaticMultiSelectElement,
    StaticSelectElement,
    TimePickerElement,
    UrlInputElement,
    UserMultiSelectElement,
    UserSelectElement,
)
from slack_sdk.models.views import View

from bot.shell.forms import Field, describe, fields_of, parse_answer, state_values

STAGES = [
    Option(value="lead", text="Lead"),
    Option(value="proposal", text="Proposal"),
    Option(value="won", text="Closed won"),
]


def view_of(*blocks: InputBlock) -> dict:
    """A real modal dict around the given blocks."""
    view = View(
        type="modal",
        callback_id="customer_add",
        title="Add customer",
        submit="Save",
        blocks=[SectionBlock(text="Intro"), *blocks, DividerBlock()],
    )
    return view.to_dict()


def field_of(element: object, *, label: str = "Field", **block_kwargs: object) -> Field:
    """The single Field of a modal holding one input block."""
    block = InputBlock(block_id="b", label=label, element=element, **block_kwargs)
    (fld,) = fields_of(view_of(block))
    return fld


# ---------------------------------------------------------------- fields_of / describe


def test_fields_of_reads_input_blocks_in_order() -> None:
    view = view_of(
        InputBlock(
            block_id="name",
            label="Name",
            element=PlainTextInputElement(
                action_id="value", initial_value="Acme", max_length=80, min_length=2
            ),
        ),
        InputBlock(
            block_id="notes",
            label="Notes",
            optional=True,
            hint="Anything useful",
            element=PlainTextInputElement(action_id="value", multiline=True, placeholder="Type…"),
        ),
        InputBlock(
            block_id="stage",
            label="Stage",
            element=StaticSelectElement(
                action_id="pick",
                option_groups=[
                    OptionGroup(label="Open", options=STAGES[:2]),
                    OptionGroup(label="Closed", options=STAGES[2:]),
                ],
                initial_option=STAGES[1],
            ),
        ),
    )
    name, notes, stage = fields_of(view)

    assert (name.block_id, name.action_id, name.label, name.kind) == (
        "name",
        "value",
        "Name",
        "plain_text_input",
    )
    assert (name.initial, name.max_length, name.min_length, name.optional) == ("Acme", 80, 2, False)
    assert (notes.optional, notes.multiline, notes.hint, notes.placeholder, notes.initial) == (
        True,
        True,
        "Anything useful",
        "Type…",
        None,
    )
    assert stage.options == [("lead", "Lead"), ("proposal", "Proposal"), ("won", "Closed won")]
    assert stage.initial == "proposal"


def test_initial_values_take_the_answer_shape() -> None:
    assert field_of(UserMultiSelectElement(action_id="a", initial_users=["U1"])).initial == ["U1"]
    assert field_of(
        StaticMultiSelectElement(action_id="a", options=STAGES, initial_options=STAGES[:2])
    ).initial == ["lead", "proposal"]
    assert field_of(
        ExternalDataSelectElement(action_id="a", initial_option=Option(value="c9", text="Acme"))
    ).initial == ("c9", "Acme")
    assert field_of(DatePickerElement(action_id="a", initial_date="2024-05-31")).initial == (
        "2024-05-31"
    )
    assert field_of(DateTimePickerElement(action_id="a", initial_date_time=1700000000)).initial == (
        1700000000
    )
    assert field_of(NumberInputElement(action_id="a", initial_value=3)).initial == "3"


def test_describe_text_field() -> None:
    fld = field_of(
        EmailInputElement(action_id="a", initial_value="a@b.c"),
        label="Email",
        optional=True,
        hint="Main contact",
    )
    assert describe(fld) == "Email (optional) [current: a@b.c] — Main contact"


def test_describe_shows_placeholder_when_nothing_else_explains() -> None:
    fld = field_of(PlainTextInputElement(action_id="a", placeholder="Jane Doe"), label="Contact")
    assert describe(fld) == "Contact — e.g. Jane Doe"


def test_describe_select_lists_numbered_options() -> None:
    fld = field_of(
        StaticSelectElement(action_id="a", options=STAGES, initial_option=STAGES[1]), label="Stage"
    )
    assert describe(fld) == "\n".join(
        [
            "Stage [current: Proposal]",
            "  1) Lead",
            "  2) Proposal (current)",
            "  3) Closed won",
        ]
    )


def test_describe_says_how_to_type_special_kinds() -> None:
    assert describe(field_of(DatePickerElement(action_id="a"), label="Close date")) == (
        "Close date (YYYY-MM-DD)"
    )
    owner = field_of(UserSelectElement(action_id="a", initial_user="U1"), label="Owner")
    assert describe(owner) == "Owner (user ID) [current: @U1]"
    number = NumberInputElement(action_id="a", min_value=1, max_value=10)
    assert describe(field_of(number, label="Seats")) == "Seats (whole number 1–10)"


# ---------------------------------------------------------------- parse_answer


def test_empty_answer_keeps_current_value_or_is_required() -> None:
    with_value = field_of(PlainTextInputElement(action_id="a", initial_value="Acme"), label="Name")
    assert parse_answer(with_value, "") == "Acme"
    assert parse_answer(with_value, "  Globex  ") == "Globex"

    required = field_of(PlainTextInputElement(action_id="a"), label="Name")
    with pytest.raises(ValueError, match="Name is required"):
        parse_answer(required, "")

    optional = field_of(UserMultiSelectElement(action_id="a"), optional=True)
    assert parse_answer(optional, "") == []


def test_dash_clears_an_optional_field() -> None:
    fld = field_of(PlainTextInputElement(action_id="a", initial_value="x"), optional=True)
    assert parse_answer(fld, "-") is None


def test_text_length_limits() -> None:
    fld = field_of(PlainTextInputElement(action_id="a", max_length=5, min_length=2))
    assert parse_answer(fld, "abc") == "abc"
    with pytest.raises(ValueError, match="at most 5"):
        parse_answer(fld, "abcdef")
    with pytest.raises(ValueError, match="at least 2"):
        parse_answer(fld, "a")


def test_email_and_url_are_checked() -> None:
    email = field_of(EmailInputElement(action_id="a"))
    assert parse_answer(email, "ann@acme.com") == "ann@acme.com"
    with pytest.raises(ValueError, match="email"):
        parse_answer(email, "ann at acme")

    url = field_of(UrlInputElement(action_id="a"))
    assert parse_answer(url, "https://acme.example/x") == "https://acme.example/x"
    with pytest.raises(ValueError, match="URL"):
        parse_answer(url, "acme")


def test_number_input() -> None:
    whole = field_of(NumberInputElement(action_id="a", min_value=1, max_value=100))
    assert parse_answer(whole, "42") == "42"
    for bad, message in (("4.5", "whole number"), ("abc", "whole number"), ("0", "at least 1")):
        with pytest.raises(ValueError, match=message):
            parse_answer(whole, bad)
    decimal = field_of(NumberInputElement(action_id="a", is_decimal_allowed=True))
    assert parse_answer(decimal, "12.50") == "12.50"


@pytest.mark.parametrize("raw", ["2", "proposal", "PROPOSAL", "Proposal", " proposal "])
def test_select_accepts_number_value_or_text(raw: str) -> None:
    fld = field_of(StaticSelectElement(action_id="a", options=STAGES))
    assert parse_answer(fld, raw) == "proposal"


def test_select_text_match_and_errors() -> None:
    fld = field_of(RadioButtonsElement(action_id="a", options=STAGES))
    assert parse_answer(fld, "closed WON") == "won"
    with pytest.raises(ValueError, match="enter 1-3"):
        parse_answer(fld, "4")
    with pytest.raises(ValueError, match="not an option"):
        parse_answer(fld, "lost")


def test_multi_select_and_checkboxes_take_comma_separated_answers() -> None:
    multi = field_of(StaticMultiSelectElement(action_id="a", options=STAGES, max_selected_items=2))
    assert parse_answer(multi, "1, Closed won, 1") == ["lead", "won"]
    with pytest.raises(ValueError, match="at most 2"):
        parse_answer(multi, "1,2,3")

    boxes = field_of(CheckboxesElement(action_id="a", options=STAGES))
    assert parse_answer(boxes, "lead,proposal") == ["lead", "proposal"]


def test_users_and_conversations() -> None:
    user = field_of(UserSelectElement(action_id="a"))
    for raw in ("U123", "<@U123>", "@U123", "<@U123|ann>"):
        assert parse_answer(user, raw) == "U123"
    with pytest.raises(ValueError, match="user ID"):
        parse_answer(user, "ann")

    users = field_of(UserMultiSelectElement(action_id="a"))
    assert parse_answer(users, "U1, <@U2>, @U1") == ["U1", "U2"]

    channel = field_of(ChannelSelectElement(action_id="a"))
    assert parse_answer(channel, "<#C123|sales>") == "C123"
    with pytest.raises(ValueError, match="channel ID"):
        parse_answer(channel, "#sales")

    conversations = field_of(ConversationMultiSelectElement(action_id="a"))
    assert parse_answer(conversations, "C1, #G2") == ["C1", "G2"]


def test_dates_and_times() -> None:
    date = field_of(DatePickerElement(action_id="a"))
    assert parse_answer(date, "2024-05-31") == "2024-05-31"
    with pytest.raises(ValueError, match="YYYY-MM-DD"):
        parse_answer(date, "31/05/2024")
    with pytest.raises(ValueError, match="YYYY-MM-DD"):
        parse_answer(date, "2024-02-30")

    time = field_of(TimePickerElement(action_id="a"))
    assert parse_answer(time, "9:05") == "09:05"
    with pytest.raises(ValueError, match="HH:MM"):
        parse_answer(time, "25:00")

    moment = field_of(DateTimePickerElement(action_id="a"))
    assert parse_answer(moment, "2023-11-14 22:13") == 1700000000 - 20
    assert parse_answer(moment, "2023-11-14T23:13+01:00") == 1700000000 - 20
    assert parse_answer(moment, "1700000000") == 1700000000
    with pytest.raises(ValueError, match="date and time"):
        parse_answer(moment, "tomorrow")


def test_external_select_matches_loaded_options() -> None:
    fld = field_of(ExternalDataSelectElement(action_id="a"))
    assert parse_answer(fld, "c9") == ("c9", "c9")
    loaded = replace(fld, options=[("c9", "Acme"), ("c10", "Globex")])
    assert parse_answer(loaded, "globex") == ("c10", "Globex")


# ---------------------------------------------------------------- state_values


def plain(text: str) -> dict:
    """Option text as Slack echoes it in state."""
    return {"type": "plain_text", "text": text, "emoji": True}


def test_state_values_shape_for_every_kind() -> None:
    blocks = [
        InputBlock(block_id="name", label="Name", element=PlainTextInputElement(action_id="v")),
        InputBlock(block_id="email", label="E", element=EmailInputElement(action_id="v")),
        InputBlock(block_id="site", label="U", element=UrlInputElement(action_id="v")),
        InputBlock(block_id="seats", label="N", element=NumberInputElement(action_id="v")),
        InputBlock(block_id="owner", label="O", element=UserSelectElement(action_id="v")),
        InputBlock(block_id="team", label="T", element=UserMultiSelectElement(action_id="v")),
        InputBlock(block_id="conv", label="C", element=ConversationSelectElement(action_id="v")),
        InputBlock(block_id="chan", label="Ch", element=ChannelSelectElement(action_id="v")),
        InputBlock(
            block_id="stage",
            label="S",
            element=StaticSelectElement(
                action_id="v", option_groups=[OptionGroup(label="G", options=STAGES)]
            ),
        ),
        InputBlock(
            block_id="tags",
            label="Tags",
            element=StaticMultiSelectElement(action_id="v", options=STAGES),
        ),
        InputBlock(
            block_id="company", label="Co", element=ExternalDataSelectElement(action_id="v")
        ),
        InputBlock(
            block_id="more", label="More", element=ExternalDataMultiSelectElement(action_id="v")
        ),
        InputBlock(block_id="close", label="D", element=DatePickerElement(action_id="v")),
        InputBlock(block_id="at", label="T", element=TimePickerElement(action_id="v")),
        InputBlock(block_id="when", label="W", element=DateTimePickerElement(action_id="v")),
        InputBlock(
            block_id="flags", label="F", element=CheckboxesElement(action_id="v", options=STAGES)
        ),
        InputBlock(
            block_id="prio", label="P", element=RadioButtonsElement(action_id="v", options=STAGES)
        ),
    ]
    fields = fields_of(view_of(*blocks))
    answers = {
        "name": "Acme",
        "email": "ann@acme.com",
        "site": "https://acme.example",
        "seats": "12",
        "owner": "U1",
        "team": ["U1", "U2"],
        "conv": "C1",
        "chan": "C2",
        "stage": "proposal",
        "tags": ["lead", "won"],
        "company": ("c9", "Acme Corp"),
        "more": [("c9", "Acme Corp")],
        "close": "2024-05-31",
        "at": "09:30",
        "when": 1700000000,
        "flags": ["won"],
        "prio": "lead",
    }
    values = state_values(fields, answers)

    assert values == {
        "name": {"v": {"type": "plain_text_input", "value": "Acme"}},
        "email": {"v": {"type": "email_text_input", "value": "ann@acme.com"}},
        "site": {"v": {"type": "url_text_input", "value": "https://acme.example"}},
        "seats": {"v": {"type": "number_input", "value": "12"}},
        "owner": {"v": {"type": "users_select", "selected_user": "U1"}},
        "team": {"v": {"type": "multi_users_select", "selected_users": ["U1", "U2"]}},
        "conv": {"v": {"type": "conversations_select", "selected_conversation": "C1"}},
        "chan": {"v": {"type": "channels_select", "selected_channel": "C2"}},
        "stage": {
            "v": {
                "type": "static_select",
                "selected_option": {"text": plain("Proposal"), "value": "proposal"},
            }
        },
        "tags": {
            "v": {
                "type": "multi_static_select",
                "selected_options": [
                    {"text": plain("Lead"), "value": "lead"},
                    {"text": plain("Closed won"), "value": "won"},
                ],
            }
        },
        "company": {
            "v": {
                "type": "external_select",
                "selected_option": {"text": plain("Acme Corp"), "value": "c9"},
            }
        },
        "more": {
            "v": {
                "type": "multi_external_select",
                "selected_options": [{"text": plain("Acme Corp"), "value": "c9"}],
            }
        },
        "close": {"v": {"type": "datepicker", "selected_date": "2024-05-31"}},
        "at": {"v": {"type": "timepicker", "selected_time": "09:30"}},
        "when": {"v": {"type": "datetimepicker", "selected_date_time": 1700000000}},
        "flags": {
            "v": {
                "type": "checkboxes",
                "selected_options": [{"text": plain("Closed won"), "value": "won"}],
            }
        },
        "prio": {
            "v": {
                "type": "radio_buttons",
                "selected_option": {"text": plain("Lead"), "value": "lead"},
            }
        },
    }

    # Nothing answered: Slack still sends every block, with empty values.
    empty = state_values(fields, {})
    assert empty["name"]["v"] == {"type": "plain_text_input", "value": None}
    assert empty["seats"]["v"] == {"type": "number_input", "value": None}
    assert empty["owner"]["v"] == {"type": "users_select", "selected_user": None}
    assert empty["team"]["v"] == {"type": "multi_users_select", "selected_users": []}
    assert empty["conv"]["v"] == {"type": "conversations_select", "selected_conversation": None}
    assert empty["chan"]["v"] == {"type": "channels_select", "selected_channel": None}
    assert empty["stage"]["v"] == {"type": "static_select", "selected_option": None}
    assert empty["tags"]["v"] == {"type": "multi_static_select", "selected_options": []}
    assert empty["company"]["v"] == {"type": "external_select", "selected_option": None}
    assert empty["close"]["v"] == {"type": "datepicker", "selected_date": None}
    assert empty["at"]["v"] == {"type": "timepicker", "selected_time": None}
    assert empty["when"]["v"] == {"type": "datetimepicker", "selected_date_time": None}
    assert empty["flags"]["v"] == {"type": "checkboxes", "selected_options": []}
    assert empty["prio"]["v"] == {"type": "radio_buttons", "selected_option": None}


def test_state_values_unanswered_fields_keep_initial_values() -> None:
    view = view_of(
        InputBlock(
            block_id="name",
            label="Name",
            element=PlainTextInputElement(action_id="v", initial_value="Acme"),
        ),
        InputBlock(
            block_id="stage",
            label="Stage",
            element=StaticSelectElement(action_id="v", options=STAGES, initial_option=STAGES[2]),
        ),
        InputBlock(
            block_id="company",
            label="Company",
            element=ExternalDataSelectElement(
                action_id="v", initial_option=Option(value="c9", text="Acme Corp")
            ),
        ),
    )
    values = state_values(fields_of(view), {"name": "Acme Inc"})
    assert values["name"]["v"]["value"] == "Acme Inc"
    assert values["stage"]["v"]["selected_option"] == {
        "text": plain("Closed won"),
        "value": "won",
    }
    assert values["company"]["v"]["selected_option"] == {"text": plain("Acme Corp"), "value": "c9"}


def test_parsed_answers_round_trip_into_state() -> None:
    fld = field_of(StaticSelectElement(action_id="v", options=STAGES), label="Stage")
    values = state_values([fld], {fld.block_id: parse_answer(fld, "3")})
    assert values == {
        "b": {
            "v": {
                "type": "static_select",
                "selected_option": {"text": plain("Closed won"), "value": "won"},
            }
        }
    }


def test_state_values_rejects_unknown_option() -> None:
    fld = field_of(StaticSelectElement(action_id="v", options=STAGES), label="Stage")
    with pytest.raises(ValueError, match="not an option of Stage"):
        state_values([fld], {"b": "lost"})
