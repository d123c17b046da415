"""Backup, restore and verify: the database and the photo store are the office's only record.

- ``snapshot.take_backup`` writes one tar archive: every table as JSON lines from one
  consistent snapshot (SQLite's online backup API; on PostgreSQL one REPEATABLE READ, READ
  ONLY transaction), then every file of the sha256 store, then ``manifest.json`` with the
  schema revision, each table's row count and sha256, and each file's sha256 and size. It
  runs beside the bot: the snapshot is taken first and a file is always stored before the
  row that names it is committed, so every file the snapshot references is in the store when
  the store is read.
- ``restore.restore_backup`` fills an empty database and an empty file store from such an
  archive (tables in foreign-key order, PostgreSQL sequences reset, then migrations up to
  this version's schema), checking every hash on the way; it refuses anything not empty.
- ``verify`` checks that every file the database references exists with its hash, and can
  check an archive the same way before it is needed.

The table dumps are backend-neutral, so a SQLite backup restores into PostgreSQL too.
"""
