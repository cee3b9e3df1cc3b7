-- Provider organisations that applied through /register wait, inactive, for an administrator.
ALTER TABLE providers ADD COLUMN active INTEGER NOT NULL DEFAULT 1;
