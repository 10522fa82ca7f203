"""Repositories: every query takes the workspace's team_id and filters on it."""
