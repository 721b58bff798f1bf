"""HTTP plumbing shared by every domain."""
