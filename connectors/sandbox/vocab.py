"""Word pools for the synthetic company.

Kept apart from the generator so the generator reads as business logic; every pool is a tuple so
iteration order (and therefore the generated data) never depends on hashing.
"""

NAME_HEADS = (
    "Bright",
    "Blue",
    "Silver",
    "North",
    "Quiet",
    "Rapid",
    "Clever",
    "Amber",
    "Iron",
    "Cedar",
    "Lumen",
    "Pixel",
    "Harbor",
    "Summit",
    "Nimbus",
    "Atlas",
    "Orbit",
    "Vertex",
    "Maple",
    "Granite",
    "Cobalt",
    "Sparrow",
    "Falcon",
    "Willow",
    "Crimson",
    "Polar",
    "Zephyr",
    "Echo",
    "Juniper",
    "Nova",
    "Beacon",
    "Copper",
    "Meadow",
    "Tidal",
    "Aurora",
    "Kestrel",
    "Onyx",
    "Sable",
    "Velvet",
    "Prism",
    "Fern",
    "Helix",
    "Quartz",
    "Solstice",
    "Tundra",
    "Hollow",
    "Ridge",
    "Lark",
    "Mosaic",
    "Pioneer",
)
NAME_TAILS = (
    "Labs",
    "Works",
    "Systems",
    "Analytics",
    "Health",
    "Logistics",
    "Studio",
    "Software",
    "Foods",
    "Robotics",
    "Finance",
    "Media",
    "Energy",
    "Commerce",
    "Bio",
    "Cloud",
    "Data",
    "Networks",
    "Travel",
    "Learning",
    "Security",
    "Retail",
    "Mobility",
    "Insights",
    "Partners",
    "Dynamics",
    "Apparel",
    "Games",
    "Legal",
    "Farms",
)
TLDS = ("io", "com", "co", "dev", "ai", "app", "com", "io")

FIRST_NAMES = (
    "Ava",
    "Liam",
    "Maya",
    "Noah",
    "Zoe",
    "Ethan",
    "Chloe",
    "Lucas",
    "Priya",
    "Mateo",
    "Hana",
    "Oliver",
    "Sofia",
    "Arjun",
    "Emma",
    "Kenji",
    "Layla",
    "Jonas",
    "Amara",
    "Diego",
    "Nora",
    "Felix",
    "Ines",
    "Omar",
    "Grace",
    "Tomás",
    "Mei",
    "Samuel",
    "Freya",
    "Yusuf",
    "Clara",
    "Malik",
    "Elena",
    "Ravi",
    "Ingrid",
    "Theo",
    "Aisha",
    "Leo",
    "Julia",
    "Kofi",
)
LAST_NAMES = (
    "Smith",
    "Garcia",
    "Chen",
    "Patel",
    "Müller",
    "Rossi",
    "Kim",
    "Nguyen",
    "Okafor",
    "Silva",
    "Johansson",
    "Dubois",
    "Tanaka",
    "Cohen",
    "Novak",
    "Brown",
    "Haddad",
    "Walker",
    "Ivanova",
    "Mensah",
    "Lopez",
    "Schmidt",
    "Khan",
    "Moreau",
    "Sato",
    "Olsen",
    "Reyes",
    "Adeyemi",
    "Fischer",
    "Murphy",
)
AGENT_NAMES = (
    "Rosa Alvarez",
    "Ben Carter",
    "Nadia Petrova",
    "Sam Osei",
    "Lena Vogel",
    "Marcus Reid",
    "Yuki Ito",
    "Hannah Brooks",
    "Dev Mehta",
    "Clara Jensen",
    "Tom Walsh",
    "Ana Costa",
)

# (zendesk value, display name, weight)
PRODUCTS = (
    ("api", "API", 30),
    ("dashboard", "Dashboard", 25),
    ("billing", "Billing", 15),
    ("mobile", "Mobile app", 15),
    ("integrations", "Integrations", 15),
)
REGIONS = ("amer", "emea", "apac")
REGION_TIME_ZONES = {
    "amer": (
        "Eastern Time (US & Canada)",
        "Pacific Time (US & Canada)",
        "Central Time (US & Canada)",
    ),
    "emea": ("London", "Berlin", "Amsterdam", "Paris"),
    "apac": ("Sydney", "Singapore", "Tokyo"),
}

# (name, weight among free and starter customers, weight among pro and enterprise, another
# spelling people type). Popular names repeat so the rankings have a clear head, and the two
# audiences want different things: small teams ask for the tools they live in (Slack, Zapier,
# Shopify), bigger accounts for their CRM, data warehouse and identity provider. So ranking by
# tickets and ranking by the requesters' value (MRR, LTV) tell different stories.
INTEGRATION_REQUESTS = (
    ("Salesforce", 12, 24, "SalesForce"),
    ("Slack", 18, 8, "SLACK"),
    ("HubSpot", 14, 4, "Hubspot"),
    ("Zapier", 13, 1, "ZAPIER"),
    ("Jira", 6, 9, "JIRA"),
    ("Shopify", 9, 1, "ShopiFy"),
    ("Snowflake", 1, 16, "SnowFlake"),
    ("Microsoft Teams", 3, 11, "Microsoft teams"),
    ("Notion", 6, 2, "NOTION"),
    ("Okta", 1, 12, "OKTA"),
    ("BigQuery", 1, 7, "Bigquery"),
    ("Pipedrive", 4, 1, "PipeDrive"),
    ("Asana", 2, 1, "ASANA"),
    ("Linear", 1, 2, "LINEAR"),
    ("Segment", 1, 3, "SEGMENT"),
)
# How people open the subject: the pattern matches case-insensitively.
REQUEST_LEADS = (
    ("Requesting integration for", 70),
    ("requesting integration for", 14),
    ("Requesting Integration for", 13),
    ("REQUESTING INTEGRATION FOR", 3),
)
# Around the name: nothing, straight or curly double quotes.
REQUEST_QUOTES = (("", "", 52), ('"', '"', 30), ("\u201c", "\u201d", 18))

SUBJECTS = {
    "api": (
        "API returns 500 on /v1/events",
        "Rate limit hit earlier than documented",
        "How do I paginate the accounts endpoint?",
        "Webhook signatures fail to verify",
        "API key rotation question",
        "Timeouts when calling the export API",
    ),
    "dashboard": (
        "Dashboard charts not loading",
        "How do I share a dashboard with my team?",
        "Date filter shows the wrong month",
        "Export to CSV is missing columns",
        "Dashboard is very slow this morning",
    ),
    "billing": (
        "Invoice shows the wrong amount",
        "How do I change our billing email?",
        "Card declined on renewal",
        "Question about upgrading our plan",
        "Need a copy of last month's invoice",
        "Refund request for duplicate charge",
    ),
    "mobile": (
        "Mobile app crashes on launch",
        "Push notifications stopped working",
        "Can't log in on the iOS app",
        "Android app shows a blank screen",
        "How do I enable offline mode?",
    ),
    "integrations": (
        "Salesforce sync stuck",
        "Slack notifications are duplicated",
        "How do I connect HubSpot?",
        "Zapier trigger not firing",
        "Integration disconnected after password change",
    ),
}
# Product-specific bug tags an engineering team files bugs under, each with its symptoms. Bug
# tickets carry "bug", one of these, or both (agents are not consistent).
BUG_TAGS = {
    "api": ("bug-webhooks", "bug-export"),
    "dashboard": ("bug-charts", "bug-export"),
    "billing": ("bug-invoices",),
    "mobile": ("bug-login", "bug-push"),
    "integrations": ("bug-sync",),
}
BUG_SUBJECTS = {
    "bug-webhooks": (
        "Bug: webhooks delivered twice after the latest release",
        "Bug: webhook payloads missing the account field",
    ),
    "bug-export": (
        "Bug: {product} export is missing rows",
        "Bug: {product} export times out for large accounts",
    ),
    "bug-charts": (
        "Bug: charts show no data for the last day",
        "Bug: {product} totals don't match the table",
    ),
    "bug-invoices": (
        "Bug: invoice PDF shows the wrong tax",
        "Bug: invoices list is empty after upgrading",
    ),
    "bug-login": (
        "Bug: {product} logs users out every few minutes",
        "Bug: SSO login loops on the {product}",
    ),
    "bug-push": ("Bug: push notifications arrive hours late",),
    "bug-sync": (
        "Bug: Salesforce sync stops after a few minutes",
        "Bug: HubSpot sync duplicates contacts",
        "Bug: {product} sync shows an error after the latest release",
    ),
}

REQUESTER_OPENERS = (
    "Hi team,\n\n{subject}. This started today and affects several of our users.",
    "Hello,\n\nWe noticed the following: {subject}. Could you take a look?",
    "Hi,\n\n{subject} - is this expected? Thanks in advance.",
    "Hey support,\n\n{subject}. Let me know if you need more details from our side.",
)
FEATURE_REQUEST_BODY = (
    "Hi,\n\nWe use {name} across the company and would love a native integration. "
    "Is this on your roadmap?"
)
AGENT_REPLIES = (
    "Thanks for reaching out! I'm looking into this now and will update you shortly.",
    "Thanks for the details. Could you send us a screenshot and the time it happened?",
    "We've identified the cause and deployed a fix. Could you confirm it works on your side?",
    "I've passed this on to our engineering team and will keep you posted.",
    "Here is how to do that: open Settings, then Team, and choose the option you need.",
    "Glad we could help! I'll mark this as solved, just reply if anything comes up.",
)
CUSTOMER_FOLLOW_UPS = (
    "Thanks, that worked!",
    "Still seeing the problem, unfortunately.",
    "Attached the screenshot you asked for.",
    "Any update on this?",
    "Great, thank you for the quick help.",
)
INTERNAL_NOTES = (
    "Reproduced on staging. Linking to the known issue.",
    "Customer is on an annual contract, handle with care.",
    "Escalated to engineering in #support-escalations.",
    "Checked logs: errors from their API key around the reported time.",
)
SATISFACTION_COMMENTS = ("Great support", "Quick and helpful", "", "Took too long", "Thanks!")
