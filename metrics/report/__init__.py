"""The monthly exec report (issue #9, DESIGN.md §5): build once per month, render to email, text,
archive page and PDF, send once per (month, address)."""
