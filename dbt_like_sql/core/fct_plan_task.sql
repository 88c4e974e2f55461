-- One row per task of a plan, with its conformed indicator and parsed dates. Grain: task_id. A code or date the plan does not support stays NULL, never guessed.
-- @task_id: document_id-NNNN, the task's order in its document
-- @task_ref: The row's own number and letter when the plan gives one, e.g. 3.4.b
-- @source_kind: table / narrative
-- @section_as_written: Dimension or criterion heading as written (NULL when the heading was lost)
-- @indicator_code: Conformed indicator code (PAPI.D1 ... / PAR.*); NULL for a section of neither index or an unmapped heading
-- @indicator_rule: How the code was found: alias, combined_heading_task_keywords, inferred_from_neighbours, outside_indices, unmapped
-- @subindicator_code: PAPI sub-dimension concept, when the sub-section names one
-- @due_start: First day of the timeline
-- @due_end: Deadline: last day of the timeline
-- @recurrence: continuous / annual / semiannual / quarterly / monthly
-- @timeline_event: Event an event-relative timeline depends on, as written
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
