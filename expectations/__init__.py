"""The data-quality gate: Great Expectations suites declared in code, run by one checkpoint.

``suites`` lists every expectation with its severity (the one place to change it);
``gate`` exports the month's tables, runs the checkpoint and says whether publication may go on.
"""
