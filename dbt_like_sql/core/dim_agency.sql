-- Canonical agencies: one row per agency per province (Hà Nội's and HCMC's Sở Nội vụ are two rows of one sector), and one row per generic group ("các sở, ban, ngành", "UBND quận, huyện") with no province. Only agencies some plan names. Grain: agency_id.
SELECT
    coalesce(a.agency_province_key, 'GROUP') || ':' || a.agency_code AS agency_id,
    a.agency_code,
    min(a.name_vi) AS name_vi,  -- not any_value: the same name every build
    r.name_en,
    a.agency_province_key AS province_key,
    r.sector,
    r.level,
    r.agency_type,
    r.is_group = 'true' AS is_group
FROM stg_task_agency AS a
JOIN stg_ref_agencies AS r ON r.agency_code = a.agency_code
GROUP BY a.agency_province_key, a.agency_code, r.name_en, r.sector, r.level, r.agency_type, r.is_group
