"""Indicators computed from campaign answers and platform data, stored as yearly series, and their dashboards."""
