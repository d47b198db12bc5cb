"""Salesforce CRM: accounts, opportunities, tasks and events over REST/SOQL."""
