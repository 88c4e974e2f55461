-- Official PAPI scores at every level. The workbook gives dimensions and totals; for the panel a dimension is the sum of its sub-dimensions and the total the sum of the dimensions, and only when every part is present: a missing part leaves the sum NULL. Grain: (province_key, year, indicator_code, source).
-- @derivation: published / sum_of_subdimensions / sum_of_dimensions
-- @n_parts: Parts present in the sum (NULL for published values)
-- @n_parts_expected: Parts the index had that year
WITH sub AS (
    SELECT s.*, c.dimension_code
    FROM stg_index_scores AS s
    LEFT JOIN int_papi_columns_by_year AS c ON c.year = s.year AND c.indicator_code = s.indicator_code
    WHERE s.level = 'subdimension'
),
expected_sub AS (
    SELECT year, dimension_code, count(*) AS n_expected FROM int_papi_columns_by_year GROUP BY ALL
),
dims_derived AS (
    SELECT
        sub.province_key, sub.province_code, sub.year, sub.dimension_code AS indicator_code, 'dimension' AS level,
        -- summed as DECIMAL: exact, so the order a parallel sum adds in cannot change the last digit between builds
        CASE WHEN count(sub.score) = e.n_expected THEN CAST(sum(CAST(sub.score AS DECIMAL(38, 12))) AS DOUBLE) END AS score,
        sub.source,
        'derived: sum of ' || string_agg(sub.source_column, '+' ORDER BY sub.source_column) || ' at ' || min(sub.source_ref) AS source_ref,
        'sum_of_subdimensions' AS derivation,
        count(sub.score) AS n_parts,
        e.n_expected AS n_parts_expected,
        min(sub.source_path) AS source_path
    FROM sub
    JOIN expected_sub AS e ON e.year = sub.year AND e.dimension_code = sub.dimension_code
    WHERE sub.source <> 'papi_official_workbook'
    GROUP BY sub.province_key, sub.province_code, sub.year, sub.dimension_code, sub.source, e.n_expected
),
published AS (
    SELECT province_key, province_code, year, indicator_code, level, score, source, source_ref,
           'published' AS derivation, CAST(NULL AS BIGINT) AS n_parts, CAST(NULL AS BIGINT) AS n_parts_expected, source_path
    FROM stg_index_scores
),
dims AS (
    SELECT * FROM published WHERE level = 'dimension'
    UNION ALL
    SELECT * FROM dims_derived
),
expected_dims AS (
    SELECT year, count(DISTINCT dimension_code) AS n_expected FROM int_papi_columns_by_year GROUP BY year
),
totals_derived AS (
    SELECT
        d.province_key, d.province_code, d.year, 'PAPI.TOTAL' AS indicator_code, 'total' AS level,
        CASE WHEN count(d.score) = e.n_expected THEN CAST(sum(CAST(d.score AS DECIMAL(38, 12))) AS DOUBLE) END AS score,
        d.source,
        'derived: sum of ' || e.n_expected || ' dimensions' AS source_ref,
        'sum_of_dimensions' AS derivation,
        count(d.score) AS n_parts,
        e.n_expected AS n_parts_expected,
        min(d.source_path) AS source_path
    FROM dims AS d
    JOIN expected_dims AS e ON e.year = d.year
    WHERE d.source <> 'papi_official_workbook'
    GROUP BY d.province_key, d.province_code, d.year, d.source, e.n_expected
)
SELECT * FROM published
UNION ALL
SELECT * FROM dims_derived
UNION ALL
SELECT * FROM totals_derived
