-- What each plan covers: per document and indicator, the number of tasks, of distinct lead agencies, of tasks with a lead and with a deadline (and their shares) and of targets. Tasks of sections outside the indices appear with indicator_code NULL. A document without tasks or targets has one row (indicator_code NULL, 0 tasks) with its doc_type and no_task_reason: a coverage of nothing, never an absence. Grain: (document_id, indicator_code).
-- materialized: incremental by document_id
WITH t AS (
    SELECT document_id, indicator_code, count(*) AS n_tasks, count(due_end) AS n_tasks_with_deadline
    FROM fct_plan_task GROUP BY ALL
),
l AS (
    SELECT f.document_id, f.indicator_code, count(DISTINCT b.agency_id) AS n_lead_agencies,
           count(DISTINCT f.task_id) AS n_tasks_with_lead
    FROM fct_plan_task AS f JOIN bridge_task_agency AS b ON b.task_id = f.task_id AND b.role = 'lead'
    GROUP BY ALL
),
g AS (
    SELECT document_id, indicator_code, count(*) AS n_targets FROM fct_plan_target GROUP BY ALL
),
keys AS (
    SELECT document_id, indicator_code FROM t UNION SELECT document_id, indicator_code FROM g
    UNION SELECT document_id, NULL FROM dim_document AS e
    WHERE NOT EXISTS (SELECT 1 FROM fct_plan_task AS x WHERE x.document_id = e.document_id)
      AND NOT EXISTS (SELECT 1 FROM fct_plan_target AS x WHERE x.document_id = e.document_id)
)
SELECT
    k.document_id,
    d.province_key,
    d.issuer_name,
    d.plan_year_start AS year,
    d.doc_type,
    k.indicator_code,
    coalesce(t.n_tasks, 0) AS n_tasks,
    coalesce(l.n_lead_agencies, 0) AS n_lead_agencies,
    coalesce(l.n_tasks_with_lead, 0) AS n_tasks_with_lead,
    coalesce(t.n_tasks_with_deadline, 0) AS n_tasks_with_deadline,
    CASE WHEN t.n_tasks > 0 THEN coalesce(l.n_tasks_with_lead, 0) / t.n_tasks END AS share_tasks_with_lead,
    CASE WHEN t.n_tasks > 0 THEN t.n_tasks_with_deadline / t.n_tasks END AS share_tasks_with_deadline,
    coalesce(g.n_targets, 0) AS n_targets,
    CASE WHEN t.n_tasks IS NULL AND g.n_targets IS NULL THEN d.no_task_reason END AS no_task_reason
FROM keys AS k
JOIN dim_document AS d ON d.document_id = k.document_id
LEFT JOIN t ON t.document_id = k.document_id AND t.indicator_code IS NOT DISTINCT FROM k.indicator_code
LEFT JOIN l ON l.document_id = k.document_id AND l.indicator_code IS NOT DISTINCT FROM k.indicator_code
LEFT JOIN g ON g.document_id = k.document_id AND g.indicator_code IS NOT DISTINCT FROM k.indicator_code
-- a plan counts once: a near-duplicate of another document (README, "Near-duplicates") is left out
WHERE k.document_id NOT IN (SELECT x.document_id FROM dq_finding AS x WHERE x.rule = 'near_duplicate_of' AND x.document_id IS NOT NULL)
