-- Which sub-dimensions PAPI published each year, with the range of each (1/n to 10/n for a dimension of n sub-dimensions). Grain: (year, indicator_code).
-- @n_in_dimension: Sub-dimensions the dimension had that year
WITH years AS (SELECT range AS year FROM range(2011, CAST(extract(year FROM current_date) AS BIGINT) + 1)),
cols AS (
    SELECT y.year, c."column" AS source_column, c.indicator_code,
           split_part(c.indicator_code, '.', 1) || '.' || split_part(c.indicator_code, '.', 2) AS dimension_code
    FROM stg_ref_papi_score_columns AS c
    JOIN years AS y ON y.year >= CAST(c.year_from AS INTEGER)
                   AND y.year <= coalesce(CAST(nullif(c.year_to, '') AS INTEGER), 9999)
)
SELECT
    year,
    source_column,
    indicator_code,
    dimension_code,
    count(*) OVER (PARTITION BY year, dimension_code) AS n_in_dimension,
    1.0 / count(*) OVER (PARTITION BY year, dimension_code) AS scale_min,
    10.0 / count(*) OVER (PARTITION BY year, dimension_code) AS scale_max
FROM cols
