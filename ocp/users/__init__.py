"""Accounts: users, passwords, API tokens."""
