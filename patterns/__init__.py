"""Rule data: medspaCy target/context/section rules and the criteria file (read as package data)."""
