-- Numeric targets stated in plans, from task rows and narrative lines. Grain: target_id.
-- @comparator: >=, >, =, <=, <
-- @value: Target value; the decimal comma read as a point ("6,00 điểm" = 6.00)
-- @unit: percent / points / rank / rank_change / count / other
-- @share_comparator: For "100% đơn vị đạt trên 90%": the comparator on the share of units
-- @share_value: The share of units (percent) that must meet the target
-- @paired_with_target_id: The target this one is paired with ("…, trong đó ít nhất 70% đơn vị đạt trên 95%")
-- @line: Line of the quote in the normalised text
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
    t.source_path
FROM stg_plan_targets AS t
