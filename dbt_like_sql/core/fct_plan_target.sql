-- Numeric targets stated in plans, from task rows and narrative lines. Grain: target_id.
-- materialized: incremental by document_id
SELECT
    t.target_id,
    t.document_id,
    t.task_id,
    t.indicator_code,
    t.province_key,
    t.target_year,
    t.metric_text,
    t.comparator,
    t.value,
    t.unit,
    t.share_comparator,
    t.share_value,
    t.paired_with_target_id,
    t.line,
    t.quote,
    t.source_path,
    t.source_location
FROM stg_plan_targets AS t
