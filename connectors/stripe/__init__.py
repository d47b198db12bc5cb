"""Stripe billing: customers, prices, subscriptions (with MRR) and invoices."""
