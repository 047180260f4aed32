"""The submission portal (月报报送平台): departments, task forces and counties upload their files and
see the tier-1 findings at once; the coordination office tracks deliveries, returns submissions
with a comment and approves the month's publication. ``portal.app.create_app`` builds the FastAPI
application; ``yuebao portal`` serves it.
"""
