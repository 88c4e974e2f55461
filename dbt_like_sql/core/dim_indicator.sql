-- Indicators: PAPI total, dimensions D1-D8 and sub-dimension concepts (stable codes across the renamings of 2016 and 2018), the PAR Index with its areas, the PCI headline (weighted; unweighted where printed) and sub-indices with the years they were published, and SIPAS. Grain: indicator_code.
SELECT
    i.indicator_code,
    i.family,
    i.level,
    nullif(i.parent_code, '') AS parent_code,
    i.name_vi,
    i.name_en,
    CAST(nullif(i.first_year, '') AS INTEGER) AS first_year,
    CAST(nullif(i.last_year, '') AS INTEGER) AS last_year,
    CAST(nullif(i.scale_min, '') AS DOUBLE) AS scale_min,
    CAST(nullif(i.scale_max, '') AS DOUBLE) AS scale_max,
    nullif(i.note, '') AS note,
    c.source_columns
FROM stg_ref_indicators AS i
LEFT JOIN (
    SELECT indicator_code,
           string_agg("column" || ' ' || year_from || '-' || coalesce(nullif(year_to, ''), ''), '; ' ORDER BY year_from) AS source_columns
    FROM stg_ref_papi_score_columns
    GROUP BY indicator_code
) AS c ON c.indicator_code = i.indicator_code
