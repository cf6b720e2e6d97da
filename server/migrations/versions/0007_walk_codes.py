"""walk codes: a short code per walk, printed under the QR codes and exchanged for the walk key

Revision ID: 0007_walk_codes
Revises: 0005_photovoice
Create Date: 2026-12-02 14:00:00

"""
import secrets

import sqlalchemy as sa
from alembic import op

revision = '0007_walk_codes'
down_revision = '0005_photovoice'
branch_labels = None
depends_on = None

# As server/models.py draws them; copied so that this step runs the same whatever the models become.
ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"


def upgrade():
    with op.batch_alter_table('walks', schema=None) as batch_op:
        batch_op.add_column(sa.Column('code', sa.String(length=16), nullable=True))
    walks = sa.table('walks', sa.column('id', sa.Integer()), sa.column('code', sa.String(16)))
    connection = op.get_bind()
    for (walk_id,) in connection.execute(sa.select(walks.c.id)).all():
        code = "".join(secrets.choice(ALPHABET) for _ in range(8))
        connection.execute(walks.update().where(walks.c.id == walk_id).values(code=code))
    with op.batch_alter_table('walks', schema=None) as batch_op:
        batch_op.alter_column('code', existing_type=sa.String(length=16), nullable=False)


def downgrade():
    with op.batch_alter_table('walks', schema=None) as batch_op:
        batch_op.drop_column('code')
