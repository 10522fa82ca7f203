"""Action, block and callback ids of the settings' pipeline editing (all "settings_pipeline_")."""

from __future__ import annotations

from enum import StrEnum


class PipelineId(StrEnum):
    # Buttons on the settings card and on a "where do its deals go?" answer.
    EDIT = "settings_pipeline_edit"  # opens the edit form
    MOVE_DEALS_TO = "settings_pipeline_move_deals_to"  # value "<stage id>:<target stage id>"
    # The edit form (callback) and what is in it.
    SAVE = "settings_pipeline_save"
    NAME = "settings_pipeline_name"  # block "settings_pipeline_name:<stage id>"
    PROBABILITY = "settings_pipeline_probability"  # block "…:<stage id>"
    ROW = "settings_pipeline_row"  # block "…:<stage id>": Up, Down, Remove
    UP = "settings_pipeline_up"  # value: stage id
    DOWN = "settings_pipeline_down"  # value: stage id
    REMOVE = "settings_pipeline_remove"  # value: stage id
    ADD = "settings_pipeline_add"  # pushes the add form
    # The add form, pushed over the edit form.
    ADD_SAVE = "settings_pipeline_add_save"
    NEW_NAME = "settings_pipeline_new_name"
    NEW_PROBABILITY = "settings_pipeline_new_probability"
    NEW_AFTER = "settings_pipeline_new_after"  # static select: "0" first, else a stage id
    # The "where do its deals go?" form, pushed over the edit form.
    REMOVE_SAVE = "settings_pipeline_remove_save"
    TARGET = "settings_pipeline_target"  # static select of the other open stages
