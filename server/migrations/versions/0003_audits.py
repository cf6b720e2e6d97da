"""audits: a round of walks in a city with one checklist; the existing walks become the audit prague-2018

Revision ID: 0003_audits
Revises: 0006_trust
Create Date: 2026-12-02 05:00:00

"""
from datetime import date, datetime, timezone

import sqlalchemy as sa
from alembic import op

revision = '0003_audits'
down_revision = '0006_trust'
branch_labels = None
depends_on = None

PRAGUE_2018_TITLE = {
    "en": "Prague City Integration Audit 2018",
    "cs": "Audit integrace města Prahy 2018",
    "uk": "Аудит інтеграції міста Прага 2018",
    "ru": "Аудит интеграции города Праги 2018",
    "vi": "Kiểm định hội nhập thành phố Praha 2018",
}
INTEGRA = "integra-city-audit"


def upgrade():
    audits = op.create_table(
        'audits',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('slug', sa.String(length=64), nullable=False),
        sa.Column('title', sa.JSON(), nullable=False),
        sa.Column('city', sa.String(length=120), nullable=False),
        sa.Column('starts_on', sa.Date(), nullable=True),
        sa.Column('ends_on', sa.Date(), nullable=True),
        sa.Column('checklist_slug', sa.String(length=64), nullable=False),
        sa.Column('checklist_version', sa.Integer(), nullable=False),
        sa.Column('closed', sa.Boolean(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_audits')),
        sa.UniqueConstraint('slug', name=op.f('uq_audits_slug')),
    )
    with op.batch_alter_table('walks', schema=None) as batch_op:
        batch_op.add_column(sa.Column('audit_id', sa.Integer(), nullable=True))

    connection = op.get_bind()
    walks = sa.table('walks', sa.column('id', sa.Integer), sa.column('audit_id', sa.Integer),
                     sa.column('checklist_slug', sa.String), sa.column('checklist_version', sa.Integer))
    existing = connection.execute(sa.select(walks.c.checklist_slug, walks.c.checklist_version)).all()
    if existing:
        # The walks so far are the 2018 Prague walks: one audit holds them, with the INTEGRA
        # checklist at the version its walks use (the oldest one, if they differ).
        versions = [version for slug, version in existing if slug == INTEGRA] or [1]
        slug = INTEGRA if any(s == INTEGRA for s, _ in existing) else existing[0][0]
        connection.execute(audits.insert().values(
            slug='prague-2018', title=PRAGUE_2018_TITLE, city='Prague',
            starts_on=date(2018, 1, 1), ends_on=date(2018, 12, 31),
            checklist_slug=slug, checklist_version=min(versions), closed=False,
            created_at=datetime.now(timezone.utc)))
        audit_id = connection.execute(sa.text("SELECT id FROM audits WHERE slug = 'prague-2018'")).scalar_one()
        connection.execute(walks.update().values(audit_id=audit_id))

    with op.batch_alter_table('walks', schema=None) as batch_op:
        batch_op.alter_column('audit_id', existing_type=sa.Integer(), nullable=False)
        batch_op.create_index(batch_op.f('ix_walks_audit_id'), ['audit_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_walks_audit_id_audits'), 'audits', ['audit_id'], ['id'],
                                    ondelete='RESTRICT')


def downgrade():
    with op.batch_alter_table('walks', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_walks_audit_id_audits'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_walks_audit_id'))
        batch_op.drop_column('audit_id')
    op.drop_table('audits')
