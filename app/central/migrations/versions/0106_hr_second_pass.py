"""hr second pass: names sorted and searched as Brazilians write them

Revision ID: 0106_hr_second_pass
Revises: 0105_front_door

- Collation ``pt_br_nome``: ICU, ``pt-BR-u-ks-level1``, non-deterministic: case and accents are
  ignored, so "Ângela Müller" sorts among the A's (the cluster itself is initdb'd with the C
  locale, which puts every accented capital after "Z"). Debian's PostgreSQL is built with ICU.
- Extension ``unaccent`` (trusted, in contrib): the name search compares
  ``lower(unaccent(name))`` so "angela" finds "Ângela" (a non-deterministic collation cannot
  serve LIKE before PostgreSQL 18).
"""

from alembic import op

revision = "0106_hr_second_pass"
down_revision = "0105_front_door"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.execute(
        "CREATE COLLATION IF NOT EXISTS pt_br_nome "
        "(provider = icu, locale = 'pt-BR-u-ks-level1', deterministic = false)"
    )
    op.execute("CREATE EXTENSION IF NOT EXISTS unaccent")


def downgrade() -> None:
    op.execute("DROP EXTENSION IF EXISTS unaccent")
    op.execute("DROP COLLATION IF EXISTS pt_br_nome")
