"""Intercom connector: companies, contacts and chat conversations."""
