"""What the shell shows for Slack messages and views."""

from __future__ import annotations

from slack_sdk.models.blocks import (
    ActionsBlock,
    ButtonElement,
    ContextBlock,
    DividerBlock,
    HeaderBlock,
    ImageBlock,
    ImageElement,
    InputBlock,
    MarkdownTextObject,
    Option,
    OptionGroup,
    OverflowMenuElement,
    PlainTextInputElement,
    RawNumberObject,
    RawTextObject,
    RichTextBlock,
    RichTextListElement,
    RichTextSectionElement,
    SectionBlock,
    StaticSelectElement,
    TableBlock,
    TableBlockColumnSettings,
    UserSelectElement,
)
from slack_sdk.models.views import View

from bot.shell.render import Choice, mrkdwn_to_text, render_blocks, render_view, strip_ansi


def customer_card() -> list[dict]:
    """A realistic customer card as the app would post it."""
    blocks = [
        HeaderBlock(text="Acme Corp"),
        SectionBlock(
            text="*Acme Corp* makes widgets. <https://acme.example|Website>",
            fields=[
                MarkdownTextObject(text="*Stage*\nProposal"),
                MarkdownTextObject(text="*Owner*\n<@U123>"),
                MarkdownTextObject(text="*Value*\n$12,000"),
                MarkdownTextObject(text="*Next step*\nDemo on Friday"),
            ],
        ),
        ContextBlock(
            elements=[
                MarkdownTextObject(text="Added by <@U999>"),
                MarkdownTextObject(text="Updated <!date^1700000000^{date}|Nov 14>"),
            ]
        ),
        ActionsBlock(
            block_id="customer_actions",
            elements=[
                ButtonElement(text="Edit", action_id="customer_edit", value="42", style="primary"),
                ButtonElement(text="Add note", action_id="customer_note", value="42"),
                ButtonElement(
                    text="Delete", action_id="customer_delete", value="42", style="danger"
                ),
            ],
        ),
        DividerBlock(),
    ]
    return [b.to_dict() for b in blocks]


def test_customer_card_text_and_choices() -> None:
    rendered = render_blocks(customer_card(), fallback_text="Acme Corp")

    assert rendered.text == "\n".join(
        [
            "Acme Corp",
            "─────────",
            "Acme Corp makes widgets. Website (https://acme.example)",
            "Stage       Owner",
            "Proposal    @U123",
            "",
            "Value       Next step",
            "$12,000     Demo on Friday",
            "Added by @U999 · Updated Nov 14",
            "[1] Edit  [2] Add note  [3] Delete (danger)",
            "─" * 60,
        ]
    )
    edit, note, delete = rendered.choices
    assert edit == Choice(
        number=1,
        label="Edit",
        action_id="customer_edit",
        block_id="customer_actions",
        value="42",
        kind="button",
        element=edit.element,
    )
    assert edit.element is not None and edit.element["action_id"] == "customer_edit"
    assert (note.number, note.label, delete.number, delete.label) == (2, "Add note", 3, "Delete")


def test_numbering_continues_from_start() -> None:
    rendered = render_blocks(customer_card(), start=7)
    assert [c.number for c in rendered.choices] == [7, 8, 9]
    assert "[7] Edit  [8] Add note  [9] Delete (danger)" in rendered.text


def test_color_uses_ansi_but_keeps_the_same_words() -> None:
    rendered = render_blocks(customer_card(), color=True)
    assert "\x1b[1mAcme Corp\x1b[22m" in rendered.text
    assert "\x1b[2mAdded by @U999 · Updated Nov 14\x1b[22m" in rendered.text
    assert "Edit" in strip_ansi(rendered.text)
    assert "*" not in strip_ansi(rendered.text)


def test_fields_too_wide_for_two_columns_go_one_per_line() -> None:
    left, right = "a" * 40, "b" * 40
    block = SectionBlock(fields=[MarkdownTextObject(text=left), MarkdownTextObject(text=right)])
    assert render_blocks([block.to_dict()]).text == f"{left}\n{right}"


def test_selects_and_overflow_list_one_choice_per_option() -> None:
    select = StaticSelectElement(
        action_id="stage",
        placeholder="Stage",
        option_groups=[
            OptionGroup(label="Open", options=[Option(value="lead", text="Lead")]),
            OptionGroup(label="Late", options=[Option(value="proposal", text="Proposal")]),
        ],
        initial_option=Option(value="lead", text="Lead"),
    )
    overflow = OverflowMenuElement(
        action_id="more",
        options=[
            Option(value="archive", text="Archive"),
            Option(value="crm", text="Open in CRM", url="https://crm.example/42"),
        ],
    )
    blocks = [
        ActionsBlock(block_id="b", elements=[ButtonElement(text="Edit", action_id="e"), select]),
        SectionBlock(block_id="s", text="More", accessory=overflow),
    ]
    rendered = render_blocks([b.to_dict() for b in blocks], start=3)

    assert rendered.text.splitlines() == [
        "[3] Edit",
        "[4] Stage: Lead (selected)  [5] Stage: Proposal",
        "More",
        "[6] Option: Archive  [7] Option: Open in CRM",
    ]
    stage = rendered.choices[2]
    assert (stage.kind, stage.value, stage.option_text, stage.action_id) == (
        "static_select",
        "proposal",
        "Proposal",
        "stage",
    )
    crm = rendered.choices[4]
    assert (crm.kind, crm.value, crm.url, crm.block_id) == (
        "overflow",
        "crm",
        "https://crm.example/42",
        "s",
    )


def test_picker_elements_are_a_single_choice() -> None:
    block = ActionsBlock(
        block_id="b",
        elements=[UserSelectElement(action_id="assign", placeholder="Assign owner")],
    )
    rendered = render_blocks([block.to_dict()])
    assert rendered.text == "[1] Assign owner…"
    assert rendered.choices[0].kind == "users_select"
    assert rendered.choices[0].value is None


def test_image_and_context_image() -> None:
    blocks = [
        ImageBlock(image_url="https://x.example/logo.png", alt_text="Acme logo"),
        ImageBlock(slack_file={"id": "F123"}, alt_text="chart"),
        ContextBlock(
            elements=[
                ImageElement(image_url="https://x.example/a.png", alt_text="Jane"),
                MarkdownTextObject(text="Jane added a note"),
            ]
        ),
    ]
    assert render_blocks([b.to_dict() for b in blocks]).text.splitlines() == [
        "[image: Acme logo] https://x.example/logo.png",
        "[image: chart] F123",
        "[Jane] · Jane added a note",
    ]


def test_table_block_is_aligned_with_header() -> None:
    rich_cell = RichTextBlock(
        elements=[RichTextSectionElement(elements=[{"type": "text", "text": "Won"}])]
    )
    table = TableBlock(
        rows=[
            [
                RawTextObject(text="Customer"),
                RawTextObject(text="Stage"),
                RawTextObject(text="Value"),
            ],
            [RawTextObject(text="Acme"), rich_cell, RawNumberObject(value=12000, text="12,000")],
            [RawTextObject(text="Globex Corporation"), RawTextObject(text="Lead")],
        ],
        column_settings=[None, None, TableBlockColumnSettings(align="right")],
    )
    assert render_blocks([table.to_dict()]).text.splitlines() == [
        "Customer            Stage   Value",
        "──────────────────  ─────  ──────",
        "Acme                Won    12,000",
        "Globex Corporation  Lead",
    ]


def test_rich_text_shows_plain_text() -> None:
    block = RichTextBlock(
        elements=[
            RichTextSectionElement(
                elements=[
                    {"type": "text", "text": "Follow up with "},
                    {"type": "user", "user_id": "U1"},
                    {"type": "text", "text": " today", "style": {"bold": True}},
                ]
            ),
            RichTextListElement(
                style="bullet",
                elements=[
                    RichTextSectionElement(elements=[{"type": "text", "text": "send quote"}]),
                    RichTextSectionElement(
                        elements=[{"type": "link", "url": "https://x.example", "text": "book demo"}]
                    ),
                ],
            ),
        ]
    )
    assert render_blocks([block.to_dict()]).text.splitlines() == [
        "Follow up with @U1 today",
        "• send quote",
        "• book demo (https://x.example)",
    ]


def test_empty_blocks_show_fallback_text() -> None:
    rendered = render_blocks([], fallback_text="Customer *Acme* saved &amp; shared")
    assert rendered.text == "Customer Acme saved & shared"
    assert rendered.choices == []


def test_unknown_block_is_named_not_dropped() -> None:
    assert render_blocks([{"type": "mystery"}]).text == "[mystery block]"


# ---------------------------------------------------------------- mrkdwn


def test_mrkdwn_formatting_is_stripped_without_color() -> None:
    text = "*bold* _italic_ ~gone~ `code` snake_case_name 2*3*4"
    assert mrkdwn_to_text(text) == "bold italic gone code snake_case_name 2*3*4"


def test_mrkdwn_formatting_uses_ansi_with_color() -> None:
    assert mrkdwn_to_text("*bold*", color=True) == "\x1b[1mbold\x1b[22m"
    assert mrkdwn_to_text("*_both_*", color=True) == "\x1b[1m\x1b[3mboth\x1b[23m\x1b[22m"


def test_mrkdwn_links() -> None:
    assert mrkdwn_to_text("<https://x.example|Report>") == "Report (https://x.example)"
    assert mrkdwn_to_text("<https://x.example>") == "https://x.example"
    assert mrkdwn_to_text("<https://x.example/a_b_c|x.example/a_b_c>") == (
        "https://x.example/a_b_c"
    )
    assert mrkdwn_to_text("<mailto:a@b.c|a@b.c>") == "a@b.c"
    assert mrkdwn_to_text("<mailto:a@b.c|Ann>") == "Ann (a@b.c)"
    assert mrkdwn_to_text("<https://x.example?a=1&amp;b=2|q>") == "q (https://x.example?a=1&b=2)"


def test_mrkdwn_mentions() -> None:
    assert mrkdwn_to_text("<@U123> in <#C1|general> or <#C2>") == "@U123 in #general or #C2"
    assert mrkdwn_to_text("<!here> <!channel> <!subteam^S1|@sales>") == "@here @channel @sales"
    assert mrkdwn_to_text("due <!date^1700000000^{date_short}|Nov 14, 2023>") == "due Nov 14, 2023"


def test_mrkdwn_escaped_text_stays_literal() -> None:
    assert mrkdwn_to_text("&lt;!channel&gt;") == "<!channel>"
    assert mrkdwn_to_text("&lt;@U1&gt; &amp;lt; 5 &gt; 3") == "<@U1> &lt; 5 > 3"
    assert mrkdwn_to_text("AT&amp;T") == "AT&T"


def test_mrkdwn_code_is_not_formatted() -> None:
    assert mrkdwn_to_text("`*not bold*` and ```\n<@U1> _x_\n```") == "*not bold* and <@U1> _x_"


# ---------------------------------------------------------------- views


def test_render_view_modal_title_blocks_and_inputs() -> None:
    view = View(
        type="modal",
        callback_id="customer_add",
        title="Add customer",
        submit="Save",
        close="Cancel",
        blocks=[
            SectionBlock(text="Fill in the *basics*."),
            InputBlock(
                block_id="name",
                label="Name",
                element=PlainTextInputElement(action_id="v", initial_value="Acme"),
            ),
            InputBlock(
                block_id="email",
                label="Email",
                optional=True,
                hint="Main contact",
                element=PlainTextInputElement(action_id="v"),
            ),
            ActionsBlock(elements=[ButtonElement(text="Add contact", action_id="add")]),
        ],
    )
    rendered = render_view(view.to_dict(), start=5)
    assert rendered.text.splitlines() == [
        "┌──────────────┐",
        "│ Add customer │",
        "└──────────────┘",
        "Fill in the basics.",
        "Name: Acme",
        "Email (optional): (empty) — Main contact",
        "[5] Add contact",
        "Submit: Save · Close: Cancel",
    ]
    assert [c.label for c in rendered.choices] == ["Add contact"]


def test_render_view_home_without_title() -> None:
    view = {"type": "home", "blocks": [SectionBlock(text="Welcome").to_dict()]}
    assert render_view(view).text.splitlines()[1:] == ["│ Home │", "└──────┘", "Welcome"]
