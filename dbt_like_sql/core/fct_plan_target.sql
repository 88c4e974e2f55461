-- Numeric targets stated in plans, from task rows and narrative lines, with whether the target is on an index's own value (score, rank, rank change; the PAR Index and SIPAS headline percent) and, for such a target stated again elsewhere in the same plan (the preamble and the objectives section), the first statement it restates. Grain: target_id.
-- materialized: incremental by document_id
WITH t AS (
    SELECT
        s.*,
        -- one home for "a target on an index's score or rank": mart_target_vs_actual evaluates exactly these
        coalesce((s.indicator_code LIKE 'PAPI.%' AND s.unit IN ('points', 'rank', 'rank_change'))
            OR (s.indicator_code IN ('PAR.TOTAL', 'PCI.TOTAL', 'SIPAS.TOTAL') AND s.unit IN ('points', 'rank', 'rank_change'))
            OR (s.indicator_code IN ('PAR.TOTAL', 'SIPAS.TOTAL') AND s.unit = 'percent'), false) AS is_index_target
    FROM stg_plan_targets AS s
)
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
    t.is_index_target,
    -- the same index, year, comparator and value twice in one plan is one target: the later statements point to the
    -- first (lowest line, then target_id), so it is evaluated once
    CASE WHEN t.is_index_target THEN nullif(first_value(t.target_id) OVER (
        PARTITION BY t.document_id, t.is_index_target, t.indicator_code, t.target_year, t.comparator, t.value, t.unit
        ORDER BY t.line, t.target_id), t.target_id) END AS restates_target_id,
    t.line,
    t.quote,
    t.source_path,
    t.source_location
FROM t
