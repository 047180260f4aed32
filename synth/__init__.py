"""Deterministic synthetic monthly inboxes, for load, scale and robustness tests (`yuebao synth`).

``generate()`` writes ``<out>/<YYYY-MM>/`` inboxes in the contract's formats (long CSV in UTF-8,
UTF-8 with BOM or GB18030, long .xlsx, the statistics bureau's wide .xlsx) and
``<out>/reference/*.csv`` with the seeds' columns. Same arguments give byte-identical files.

Values are modelled, not drawn independently: ``ytd`` series grow month by month and reset in
January, ``stock`` series drift, rates stay in plausible ranges, and an additive region whose
children are all present is the exact sum of them. One warm-up year before ``start`` is generated
internally so that ``yoy_pct`` and annual targets are consistent with the previous year.

Modules: ``catalog`` (the reference catalog, grown to the requested size), ``series`` (the value
model), ``periods`` (统计期 labels), ``writers`` (each department's file habits), ``inbox`` (one
department's files per month, and ``generate``). Test data only: the product never imports it.
"""

from synth.inbox import SynthSummary, generate

__all__ = ["SynthSummary", "generate"]
