-- Canonical agencies: one row per agency per unit it belongs to (Hà Nội's and HCMC's Sở Nội vụ are two rows of one sector; "Phòng Nội vụ" in a Hưng Yên city plan is that city's office, under the province), one row per generic group ("các sở, ban, ngành", "UBND quận, huyện") with no unit, and UNRESOLVED rows for plans whose province could not be read. Only agencies some plan names. Grain: agency_id.
SELECT
    coalesce(a.agency_unit_key, 'GROUP') || ':' || a.agency_code AS agency_id,
    a.agency_code,
    min(a.name_vi) AS name_vi,  -- not any_value: the same name every build
    r.name_en,
    a.agency_province_key AS province_key,
    a.agency_unit_key AS unit_key,
    a.agency_unit_level AS unit_level,
    CASE WHEN a.agency_unit_level IN ('district', 'commune') THEN a.agency_province_key END AS parent_unit_key,
    r.sector,
    r.level,
    r.agency_type,
    r.is_group = 'true' AS is_group
FROM stg_task_agency AS a
JOIN stg_ref_agencies AS r ON r.agency_code = a.agency_code
GROUP BY a.agency_province_key, a.agency_unit_key, a.agency_unit_level, a.agency_code, r.name_en, r.sector, r.level,
         r.agency_type, r.is_group
