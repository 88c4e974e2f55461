-- Files or rows that were rejected, with the reason. Every raw file is either in dim_document (plans), loaded (scores) or here. Grain: one rejected file, row or cell.
SELECT
    source_path,
    raw_root,
    sha256,
    stage,
    reason,
    source_ref
FROM stg_quarantine
UNION ALL
SELECT source_path, raw_root, sha256, stage, reason, source_ref
FROM stg_score_quarantine
