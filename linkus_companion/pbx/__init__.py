"""Yeastar P-Series Open API: REST client, event stream and call model."""
