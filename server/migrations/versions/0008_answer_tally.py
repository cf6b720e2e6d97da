"""answer tally index: the report counts answers by item, score and "don't know" from an index alone

Revision ID: 0008_answer_tally
Revises: 0007_walk_codes
Create Date: 2026-12-02 14:15:00

"""
from alembic import op

revision = '0008_answer_tally'
down_revision = '0007_walk_codes'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index('ix_answers_tally', 'answers', ['item', 'score', 'dont_know'])


def downgrade():
    op.drop_index('ix_answers_tally', table_name='answers')
