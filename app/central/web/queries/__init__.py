"""Every database read and write the HR pages make, one module per page group (issue 25: pages
keep no queries; import-linter keeps SQLAlchemy out of ``web.pages_*``).

``scope`` (who a user may see, the 404 lookups), ``today`` (the Hoje board), ``kiosks``,
``admin`` (users, teams, audit log), ``people`` (employees, schedules, holidays), ``punches``
(list, review, corrections, absences), ``reports`` (employer). Functions take the ``Session`` and
plain values and return ORM rows or small frozen dataclasses; writes the domain already owns stay
in ``app.central.service``/``hr_data``/``auth``.
"""
