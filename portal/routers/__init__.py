"""The portal's routers, one per concern: auth, submissions (reporters), review (office), admin."""
