-- Who carries the plans: per province, agency (with its catalogue code and level) and role, the number of tasks and of documents. Generic groups count under the province of the plan that names them. Grain: (province_key, agency_id, role).
SELECT
    d.province_key,
    b.agency_id,
    a.agency_code,
    a.name_vi AS agency_name,
    a.sector,
    a.level,
    a.is_group,
    b.role,
    count(*) AS n_tasks,  -- bridge grain (task_id, agency_id, role): one row per task here, no DISTINCT needed
    count(DISTINCT b.document_id) AS n_documents
FROM bridge_task_agency AS b
JOIN dim_agency AS a ON a.agency_id = b.agency_id
JOIN dim_document AS d ON d.document_id = b.document_id
-- a plan counts once: a near-duplicate of another document (README, "Near-duplicates") is left out
WHERE b.document_id NOT IN (SELECT x.document_id FROM dq_finding AS x WHERE x.rule = 'near_duplicate_of' AND x.document_id IS NOT NULL)
GROUP BY ALL
