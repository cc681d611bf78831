"""Derived facts about coverage: summaries, gaps and risk, closure plans, differential coverage."""
