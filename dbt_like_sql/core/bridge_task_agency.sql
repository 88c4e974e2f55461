-- Which agencies lead or support each task. An agency named twice in one cell is one row, both spellings kept in as_written. Grain: (task_id, agency_id, role).
-- materialized: incremental by document_id
SELECT
    a.task_id,
    coalesce(a.agency_unit_key, 'GROUP') || ':' || a.agency_code AS agency_id,
    a.role,
    a.as_written,
    a.document_id
FROM stg_task_agency AS a
