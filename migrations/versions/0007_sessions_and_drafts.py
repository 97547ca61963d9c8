"""Sign-ins that end, and the public report's answers kept on the server

Revision ID: 0007_sessions_and_drafts
Revises: 0006_plans_and_counts
Create Date: 2026-12-09

Sign-ins move from a token on the user (which only a deactivation changed) to a row per sign-in;
everyone signed in before this revision signs in again. Answers to the public report move from the
cookie to a short-lived row; a report part-way through when this is deployed starts again.

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0007_sessions_and_drafts'
down_revision = '0006_plans_and_counts'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('user_sessions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key_hash', sa.String(length=64), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('last_seen_at', sa.DateTime(), nullable=False),
    sa.Column('ended_at', sa.DateTime(), nullable=True),
    sa.Column('end_reason', sa.String(length=30), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_user_sessions_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_user_sessions')),
    sa.UniqueConstraint('key_hash', name=op.f('uq_user_sessions_key_hash'))
    )
    with op.batch_alter_table('user_sessions', schema=None) as batch_op:
        batch_op.create_index('ix_user_sessions_user_open', ['user_id', 'ended_at'], unique=False)

    op.create_table('public_report_drafts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key_hash', sa.String(length=64), nullable=False),
    sa.Column('answers', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('expires_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_public_report_drafts')),
    sa.UniqueConstraint('key_hash', name=op.f('uq_public_report_drafts_key_hash'))
    )
    with op.batch_alter_table('public_report_drafts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_public_report_drafts_expires_at'), ['expires_at'], unique=False)


def downgrade():
    with op.batch_alter_table('public_report_drafts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_public_report_drafts_expires_at'))

    op.drop_table('public_report_drafts')
    with op.batch_alter_table('user_sessions', schema=None) as batch_op:
        batch_op.drop_index('ix_user_sessions_user_open')

    op.drop_table('user_sessions')
