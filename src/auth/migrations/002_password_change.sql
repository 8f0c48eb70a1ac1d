-- A password change ends every session of the user, so it becomes a revocation reason.
-- PostgreSQL named the CHECK constraint of 001 after its table and column.
ALTER TABLE refresh_token_families DROP CONSTRAINT IF EXISTS refresh_token_families_revoked_reason_check;
ALTER TABLE refresh_token_families ADD CONSTRAINT refresh_token_families_revoked_reason_check
  CHECK (revoked_reason IN ('logout', 'reuse', 'password_change'));
