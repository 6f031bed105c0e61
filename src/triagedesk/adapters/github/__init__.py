"""GitHub REST/GraphQL client and webhook verification."""
