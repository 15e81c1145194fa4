"""Every database read and write the HR pages make, one module per page group: the
pages keep no queries (an import-linter contract keeps SQLAlchemy out of ``web.pages_*``, and
tests/central/test_web_queries.py reads their source for session calls).

``scope`` (who a user may see, the 404 lookups), ``today`` (the Hoje board), ``kiosks``,
``admin`` (users, teams, audit log), ``people`` (employees, schedules, holidays), ``punches``
(list, review, corrections, absences), ``reports`` (employer). Functions take the ``Session`` and
plain values and return ORM rows or small frozen dataclasses; writes the domain already owns stay
in ``app.central.service``/``hr_data``/``auth``.
"""
