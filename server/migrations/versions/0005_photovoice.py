"""photovoice: photos with captions and the media files the server holds

Revision ID: 0005_photovoice
Revises: 0003_audits
Create Date: 2026-12-02 05:00:00

"""
import sqlalchemy as sa
from alembic import op

revision = '0005_photovoice'
down_revision = '0003_audits'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('media_files',
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('content_type', sa.String(length=64), nullable=False),
    sa.Column('bytes', sa.BigInteger(), nullable=False),
    sa.Column('width', sa.Integer(), nullable=True),
    sa.Column('height', sa.Integer(), nullable=True),
    sa.Column('has_thumbnail', sa.Boolean(), nullable=False),
    sa.Column('stored_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('sha256', name=op.f('pk_media_files'))
    )
    op.create_table('photos',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('response_id', sa.String(length=36), nullable=False),
    sa.Column('walk_id', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('bytes', sa.BigInteger(), nullable=False),
    sa.Column('content_type', sa.String(length=64), nullable=False),
    sa.Column('width', sa.Integer(), nullable=True),
    sa.Column('height', sa.Integer(), nullable=True),
    sa.Column('station_code', sa.String(length=16), nullable=True),
    sa.Column('topic', sa.String(length=32), nullable=True),
    sa.Column('item', sa.String(length=32), nullable=True),
    sa.Column('caption', sa.Text(), nullable=True),
    sa.Column('caption_translations', sa.JSON(), nullable=True),
    sa.Column('rating', sa.String(length=16), nullable=True),
    sa.Column('taken_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('voice_sha256', sa.String(length=64), nullable=True),
    sa.Column('voice_bytes', sa.BigInteger(), nullable=True),
    sa.Column('voice_content_type', sa.String(length=64), nullable=True),
    sa.Column('voice_duration_s', sa.Float(), nullable=True),
    sa.Column('shown', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['response_id'], ['responses.id'], name=op.f('fk_photos_response_id_responses'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['walk_id'], ['walks.id'], name=op.f('fk_photos_walk_id_walks'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', 'response_id', name=op.f('pk_photos'))
    )
    with op.batch_alter_table('photos', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_photos_response_id'), ['response_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_photos_sha256'), ['sha256'], unique=False)
        batch_op.create_index(batch_op.f('ix_photos_voice_sha256'), ['voice_sha256'], unique=False)
        batch_op.create_index(batch_op.f('ix_photos_walk_id'), ['walk_id'], unique=False)


def downgrade():
    with op.batch_alter_table('photos', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_photos_walk_id'))
        batch_op.drop_index(batch_op.f('ix_photos_voice_sha256'))
        batch_op.drop_index(batch_op.f('ix_photos_sha256'))
        batch_op.drop_index(batch_op.f('ix_photos_response_id'))
    op.drop_table('photos')
    op.drop_table('media_files')
