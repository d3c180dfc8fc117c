"""CRM connectors: HubSpot, Salesforce, Zoho CRM (+ PhoneBridge)."""
