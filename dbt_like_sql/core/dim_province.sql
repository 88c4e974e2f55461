-- Provinces in two vintages: the 63 in force until 30 June 2025 (key 2004-<code>) and the 34 units from 1 July 2025 (key 2025-<code>), plus Hà Tây (2004-28, merged into Hà Nội on 1 August 2008; successor 2004-01), which the PCI reports for 2005-2008. The 2025 units reuse old codes, so the vintage is part of the key. Grain: province_key.
WITH p AS (SELECT * FROM stg_ref_provinces),
m AS (SELECT * FROM stg_ref_merger_2025)
SELECT
    '2004-' || p.gso_code_2004 AS province_key,
    2004 AS vintage,
    p.gso_code_2004 AS code,
    p.name_vi,
    p.name_ascii,
    p.unit_type_pre2025 AS unit_type,
    p.gso_region_6 AS region,
    p.iso_3166_2,
    DATE '2008-08-01' AS valid_from,
    DATE '2025-06-30' AS valid_to,
    '2025-' || p.merged_into_2025_gso_code AS successor_key,
    p.hnks_province_code AS papi_panel_code
FROM p
UNION ALL
SELECT
    '2004-' || d.gso_code_2004 AS province_key,
    2004 AS vintage,
    d.gso_code_2004 AS code,
    d.name_vi,
    d.name_ascii,
    d.unit_type_pre2025 AS unit_type,
    d.gso_region_6 AS region,
    CAST(NULL AS VARCHAR) AS iso_3166_2,
    CAST(NULL AS DATE) AS valid_from,
    CAST(d.valid_to AS DATE) AS valid_to,
    d.successor_key,
    CAST(NULL AS VARCHAR) AS papi_panel_code
FROM stg_ref_provinces_dissolved AS d
UNION ALL
SELECT
    '2025-' || m.new_gso_code_QD19_2025 AS province_key,
    2025 AS vintage,
    m.new_gso_code_QD19_2025 AS code,
    m.new_unit_name_vi AS name_vi,
    replace(replace(strip_accents(m.new_unit_name_vi), 'Đ', 'D'), 'đ', 'd') AS name_ascii,
    m.new_unit_type AS unit_type,
    (SELECT min(p2.gso_region_6) FROM p AS p2 WHERE p2.name_vi = m.admin_center_in_former) AS region,
    CAST(NULL AS VARCHAR) AS iso_3166_2,
    DATE '2025-07-01' AS valid_from,
    CAST(NULL AS DATE) AS valid_to,
    CAST(NULL AS VARCHAR) AS successor_key,
    CAST(NULL AS VARCHAR) AS papi_panel_code
FROM m
