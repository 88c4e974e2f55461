-- One row per task of a plan. Grain: task_id. Codes, canonical agencies and dates are filled by the normalisation step; until then they are NULL, never guessed.
-- @task_id: document_id-NNNN, the task's order in its document
-- @task_ref: The row's own number and letter when the plan gives one, e.g. 3.4.b
-- @source_kind: table / narrative
-- @section_as_written: Dimension or criterion heading as written (NULL when the heading was lost)
-- @indicator_code: Conformed indicator code (PAPI.D1 ... / PAR.*), NULL until mapped
-- @line_start: First line of the task in the normalised text of the document
-- @line_end: Last line of the task in the normalised text
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
    CAST(NULL AS VARCHAR) AS indicator_code,
    CAST(NULL AS VARCHAR) AS subindicator_code,
    t.task_text,
    t.output_text,
    t.lead_as_written,
    t.support_as_written,
    t.timeline_text,
    CAST(NULL AS DATE) AS due_start,
    CAST(NULL AS DATE) AS due_end,
    CAST(NULL AS VARCHAR) AS recurrence,
    t.note_text,
    t.source_path,
    t.line_start,
    t.line_end
FROM stg_plan_tasks AS t
