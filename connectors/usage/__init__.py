"""Product usage: monthly API calls per account, from a CSV file or a Segment-style warehouse.

Both inputs go through the same steps (VENDOR_APIS.md §5): `rows` reads and validates every row
before anything is written (one bad row rejects the whole input), `write` upserts the usage
accounts as customer identities, links them to customers and upserts UsageMonth rows on
(account_id, month) in batches, inside one transaction.
"""
