-- One row per task of a plan, with its conformed indicator and parsed dates. Grain: task_id. A code or date the plan does not support stays NULL, never guessed.
-- materialized: incremental by document_id
SELECT
    t.task_id,
    t.document_id,
    t.task_seq,
    t.task_ref,
    t.source_kind,
    t.reader,
    t.section_ref,
    t.section_as_written,
    t.section_heading,
    t.section_inferred,
    t.subsection_as_written,
    t.family_context,
    n.indicator_code,
    n.indicator_rule,
    n.subindicator_code,
    t.task_text,
    t.output_text,
    t.lead_as_written,
    t.support_as_written,
    t.timeline_text,
    n.due_start,
    n.due_end,
    n.recurrence,
    n.timeline_kind,
    n.timeline_event,
    t.note_text,
    t.source_path,
    t.line_start,
    t.line_end
FROM stg_plan_tasks AS t
LEFT JOIN stg_task_normalised AS n ON n.task_id = t.task_id
