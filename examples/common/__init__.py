"""Code shared by the example apps (DynamoDB tables and bearer-token auth)."""
