-- Files or rows that were rejected, with the reason. Every raw file is either in dim_document (plans), loaded (scores) or here. Grain: one rejected file, row or cell.
-- @source_path: File relative to its raw root
-- @stage: read / decode / parse / score_load
-- @reason: Why it was rejected, in words
-- @source_ref: The row or cell rejected; NULL when the whole file was
SELECT
    source_path,
    raw_root,
    sha256,
    stage,
    reason,
    source_ref,
    detected_at
FROM stg_quarantine
UNION ALL
SELECT source_path, raw_root, sha256, stage, reason, source_ref, detected_at
FROM stg_score_quarantine
